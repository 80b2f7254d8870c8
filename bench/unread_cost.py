"""What a member's unread state costs in DynamoDB requests: the overlays, the Unread lists, the
marks and the heartbeat that records reading.

Run from the repository root:

    .venv/bin/python bench/unread_cost.py

Builds a forum in moto (6 boards, 120 topics, 30 of them with replies by other members) with
two members: a newcomer who has read nothing, and a regular whose history holds 5,000 read
positions (the forum's topics, and thousands of topics of long ago) and a mark on a board. It
calls the real ``lambda_handler`` and counts requests with the hooks of bench/dynamodb_cost.py,
against issue 15's targets:

- board index and board page with the member's unread state: the public page's requests and at
  most one BatchGetItem (the public page: the index one Query; a board's first page one Query, a
  later page a GetItem and a Query);
- the Unread page: at most 3 requests for a page of 20 topics, whatever the member's history;
- mark all read, mark a board read: 1 write each;
- a member heartbeat that moves the read position: one write more than before; one that shows
  nothing new: no write.

The exit code is 0 whether or not the targets are met; FAIL lines say which are not.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS = ROOT / "functions"
for _path in (ROOT, FUNCTIONS):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

# The bench's fake AWS environment, meter and table printer (it sets the environment on import,
# before any client is made).
from bench.dynamodb_cost import (  # noqa: E402
    Bench,
    Meter,
    Usage,
    expect,
    invoke,
    print_table,
    pynamodb_client,
)
from forum import clock, models, schema  # noqa: E402
from forum.models import ForumItem, ReadPosition  # noqa: E402
from forum.settings import get_settings  # noqa: E402
from tests.events import claims  # noqa: E402

ADMIN = claims("user-admin", "admin", ("admins",))
REGULAR = claims("user-regular", "regular")
NEWCOMER = claims("user-newcomer", "newcomer")
WRITERS = [claims(f"user-writer{n}", f"writer{n}") for n in range(4)]

BOARDS = 6
TOPICS_PER_BOARD = 20
REPLIED_EVERY = 4  # every fourth topic gets a reply from another writer
OLD_HISTORY = 5_000


def calls(**expected: int) -> Callable[[Usage], bool]:
    """Exactly these requests by operation (and no others)."""
    return lambda usage: dict(usage.calls) == {k: v for k, v in expected.items() if v}


def at_most(requests: int, writes: int = 0) -> Callable[[Usage], bool]:
    return lambda usage: usage.requests <= requests and usage.writes <= writes


def seed() -> tuple[list[str], list[str]]:
    boards = [
        expect(invoke("POST", "/api/boards", {"name": f"Board {n}"}, ADMIN), 201, "board")["id"]
        for n in range(BOARDS)
    ]
    topics: list[str] = []
    for index in range(BOARDS * TOPICS_PER_BOARD):
        writer = WRITERS[index % len(WRITERS)]
        board_id = boards[index % BOARDS]
        body = {"title": f"Topic {index}", "body": "Opening post."}
        made = invoke("POST", f"/api/boards/{board_id}/topics", body, writer)
        topic_id = expect(made, 201, "topic")["topic"]["id"]
        topics.append(topic_id)
        if index % REPLIED_EVERY == 0:
            other = WRITERS[(index + 1) % len(WRITERS)]
            reply = invoke("POST", f"/api/topics/{topic_id}/posts", {"body": "A reply."}, other)
            expect(reply, 201, "reply")
    # The regular has read every other topic of the forum, and thousands of topics long gone.
    regular = REGULAR["sub"]
    at = clock.now_iso()
    with ForumItem.batch_write() as batch:
        for topic_id in topics[::2]:
            batch.save(_position(regular, topic_id, 2, at))
        for n in range(OLD_HISTORY):
            batch.save(_position(regular, f"old{n:08d}", 40, "2020-01-01T00:00:00.000000Z"))
    expect(invoke("POST", "/api/me/read-marks", {"board_id": boards[-1]}, REGULAR), 200, "mark")
    return boards, topics


def _position(user_id: str, topic_id: str, number: int, at: str) -> ReadPosition:
    return ReadPosition(
        schema.user_pk(user_id),
        schema.read_sk(topic_id),
        topic_id=topic_id,
        number=number,
        read_at=at,
    )


def measure(bench: Bench, boards: list[str], topics: list[str]) -> None:
    one_batch = "public page + 1 BatchGet"
    for who, label in ((NEWCOMER, "newcomer"), (REGULAR, "5,000 read positions")):
        bench.run(
            "GET /api/me/overlay?index=true",
            f"board index ({label})",
            "GET",
            "/api/me/overlay?index=true",
            who=who,
            target=one_batch,
            check=calls(Query=1, BatchGetItem=1),
            note=lambda r: f"{len(r.body['unread']['boards'])} boards unread",
        )
        bench.run(
            "GET /api/me/overlay?board=",
            f"board page 1 ({label})",
            "GET",
            f"/api/me/overlay?board={boards[0]}",
            who=who,
            target=one_batch,
            check=calls(Query=1, BatchGetItem=1),
            note=lambda r: f"{sum(t['unread'] for t in r.body['unread']['topics'])} unread",
        )
        bench.run(
            "GET /api/me/overlay?topic=",
            f"topic page ({label})",
            "GET",
            f"/api/me/overlay?topic={topics[0]}",
            who=who,
            target="1 BatchGet",
            check=calls(BatchGetItem=1),
        )
        first, _ = bench.run(
            "GET /api/me/unread",
            f"Unread, page 1 ({label})",
            "GET",
            "/api/me/unread",
            who=who,
            target="<= 3 requests",
            check=at_most(3),
            note=lambda r: f"{len(r.body['topics'])} topics",
        )
        if first.body.get("next_cursor"):
            bench.run(
                "GET /api/me/unread",
                f"Unread, page 2 ({label})",
                "GET",
                f"/api/me/unread?cursor={first.body['next_cursor']}",
                who=who,
                target="<= 3 requests",
                check=at_most(3),
                note=lambda r: f"{len(r.body['topics'])} topics",
            )
        bench.run(
            "GET /api/me/unread/replies",
            f"Replies to you ({label})",
            "GET",
            "/api/me/unread/replies",
            who=who,
            target="2 requests",
            check=calls(Query=1, BatchGetItem=1),
        )
    bench.run(
        "GET /api/me/overlay?count=true",
        "the header's count (once a minute)",
        "GET",
        "/api/me/overlay?count=true",
        who=REGULAR,
        target="the Unread page's",
        check=at_most(3),
    )
    path = f"/api/topics/{topics[1]}/heartbeat/member"
    beat, _ = bench.run(
        "POST /api/topics/{id}/heartbeat/member",
        "first beat, read=1 (a new reader)",
        "POST",
        path,
        {"read": 1},
        NEWCOMER,
        target="the beat's + 1 Update",
        note=lambda r: f"last_number={r.body['last_number']}",
    )
    bench.run(
        "POST /api/topics/{id}/heartbeat/member",
        "beat in the same window, nothing new",
        "POST",
        path,
        {"counted_in": beat.body["window"]},
        NEWCOMER,
        target="1 Query, no write",
        check=calls(Query=1),
    )
    bench.run(
        "POST /api/topics/{id}/heartbeat/member",
        "beat in the same window, read moves on",
        "POST",
        path,
        {"counted_in": beat.body["window"], "read": 2},
        NEWCOMER,
        target="1 Query + 1 Update",
        check=calls(Query=1, UpdateItem=1),
    )
    bench.run(
        "POST /api/me/read-marks",
        "mark a board read",
        "POST",
        "/api/me/read-marks",
        {"board_id": boards[0]},
        REGULAR,
        target="1 write",
        check=calls(UpdateItem=1),
    )
    bench.run(
        "POST /api/me/read-marks",
        "mark all read (120 topics, read or not)",
        "POST",
        "/api/me/read-marks",
        {},
        REGULAR,
        target="1 write",
        check=calls(PutItem=1),
    )


def main() -> None:
    began = time.perf_counter()
    settings = get_settings()
    with mock_aws():
        boto3.client("dynamodb", region_name=settings.region).create_table(
            **schema.create_table_arguments(settings.table_name)
        )
        models.configure(settings)
        meter = Meter(pynamodb_client())
        boards, topics = seed()
        print(f"Seeded in {time.perf_counter() - began:.1f} s; measuring...", flush=True)
        bench = Bench(meter)
        measure(bench, boards, topics)
    print()
    print(
        f"Unread state: {BOARDS} boards, {len(topics)} topics; the regular has "
        f"{len(topics) // 2 + OLD_HISTORY:,} read positions; recent_topics in "
        f"{schema.RECENT_TOPICS_SHARDS} shards; {settings.topics_per_page} topics per page"
    )
    print_table(bench.cases)
    failed = [case for case in bench.cases if case.verdict == "FAIL"]
    passed = sum(1 for case in bench.cases if case.verdict == "PASS")
    for case in failed:
        print(f"FAIL: {case.route} ({case.label}): {case.usage.describe()}; target {case.target}")
    print(f"{passed} passed, {len(failed)} failed ({time.perf_counter() - began:.0f} s in all)")


if __name__ == "__main__":
    main()
