"""What each forum route costs in DynamoDB, and what importing the API function costs.

Run from the repository root:

    .venv/bin/python bench/dynamodb_cost.py [--import-runs N] [--skip-imports]

1. Builds a forum in moto (10 boards, 1,000 topics, one topic with 10,000 posts, one topic with
   1,000 viewers) and calls the real ``lambda_handler`` with HTTP API v2 events (see
   bench/README.md for what is seeded through the handler and what in bulk).
2. Counts the DynamoDB requests each call makes, by operation, and the items they read, with
   hooks on the botocore client that PynamoDB uses, and checks them against the targets of the
   design: a page is one or two requests whatever the size of the forum, a reply one read and
   one transaction, a heartbeat the same cost for one viewer or a thousand.
3. Times ``import boto3`` against ``import api.handler`` in fresh processes (Lambda's runtime
   ships boto3, so the ratio of the two is what a cold start adds).

The exit code is 0 whether or not the targets are met; FAIL lines say which are not.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS = ROOT / "functions"
for _path in (ROOT, FUNCTIONS):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import argparse  # noqa: E402
import functools  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from typing import Any  # noqa: E402

import boto3  # noqa: E402

# moto first: it hooks botocore's handlers, which every client created afterwards picks up.
from moto import mock_aws  # noqa: E402
from pynamodb.exceptions import UpdateError  # noqa: E402

from forum import clock, models, schema  # noqa: E402
from forum import presence as forum_presence  # noqa: E402
from forum import topics as forum_topics  # noqa: E402
from forum.addresses import viewer_network  # noqa: E402
from forum.content import rendered_body  # noqa: E402
from forum.identity import Member  # noqa: E402
from forum.models import (  # noqa: E402
    Board,
    ForumItem,
    Post,
    PresenceWindow,
    Topic,
    Viewer,
    person,
)
from forum.settings import get_settings  # noqa: E402
from tests.events import claims, http_event  # noqa: E402

# The same fake AWS environment as the tests (read when the bench starts, not at import).
FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "FORUM_TABLE": "forum-bench",
    "POWERTOOLS_SERVICE_NAME": "forum-api",
    "POWERTOOLS_METRICS_NAMESPACE": "Forum",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
    "POWERTOOLS_DEV": "false",
    # The bench writes faster than people may; flood control's conditions ride on the profile
    # update that every post makes anyway, so turning it off changes no request and no unit.
    "FORUM_POST_INTERVAL_SECONDS": "0",
    "FORUM_NEW_MEMBER_POSTS_PER_HOUR": "0",
}
os.environ.update(FAKE_AWS)
# The figures are for the default settings, whatever the developer's shell says.
for _name in (
    "FORUM_DYNAMODB_ENDPOINT",
    "FORUM_POSTS_PER_PAGE",
    "FORUM_TOPICS_PER_PAGE",
    "FORUM_PRESENCE_WINDOW_SECONDS",
):
    os.environ.pop(_name, None)

warnings.filterwarnings("ignore", message="No application metrics to publish")

BOARD_COUNT = 10
TOPIC_COUNT = 1_000
# Topics started through the handler, per board; the rest go through forum.topics.create_topic
# with its transaction written as batch puts (moto copies the whole table for every transaction,
# so a thousand handler calls would take minutes; the items written are the same).
HANDLER_TOPICS_PER_BOARD = 10
BIG_TOPIC_POSTS = 10_000
VIEWERS = 1_000
AUTHORS = 50
REMOVED_RUN = 20

READ_OPERATIONS = {"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"}
SHORT_NAMES = {
    "GetItem": "Get",
    "Query": "Query",
    "Scan": "Scan",
    "BatchGetItem": "BatchGet",
    "TransactGetItems": "TxGet",
    "PutItem": "Put",
    "UpdateItem": "Update",
    "DeleteItem": "Delete",
    "BatchWriteItem": "BatchWrite",
    "TransactWriteItems": "TxWrite",
}

ADMIN = claims("user-admin", "admin", ("admins",))
MODERATOR = claims("user-moderator", "moderator", ("moderators",))
MEMBER = claims("user-member", "member")
NEWCOMER = claims("user-newcomer", "newcomer")

BOARD_NAMES = (
    "Announcements",
    "General discussion",
    "Help and support",
    "Show and tell",
    "Hardware",
    "Software",
    "Games",
    "Books and films",
    "Off topic",
    "Site feedback",
)

BODIES = (
    "Thanks, that worked for me.",
    "I have seen the same thing since the last update. It happens only when the page is "
    "left open for a while; a reload fixes it until the next time.",
    "> Has anyone tried the new version yet?\n\nYes, for a week now. Startup is faster and "
    "the settings moved to a **single page**, which takes some getting used to.",
    "A few things to check first:\n\n1. Is the cable seated properly?\n2. Does it happen with "
    "another port?\n3. What does the log say right after it fails?\n\nPost the log here and "
    "we'll have a look.",
    "Here is what I use:\n\n```\nretries = 3\ntimeout = 30\nverbose = true\n```\n\nThe "
    "timeout matters most; the default is too short on a slow line.",
    "There is a longer write-up on [the project's wiki](https://example.com/wiki/setup) that "
    "covers this, including the *why*. In short: the cache keeps the old value until it "
    "expires, so changes show up a few minutes later than you expect. You can shorten that in "
    "the settings, at the price of more requests, or clear the cache by hand after a change.\n\n"
    "| setting | default | mine |\n|---|---|---|\n| cache | 300 s | 60 s |\n| refresh | off | on |",
    "Agreed. ~~It used to be worse~~ It is better than it was, but there is still room to "
    "improve: the search could remember the last query, and the list could keep its place "
    "when you come back to it.",
    "Same question here - did you ever find out what caused it? I tried everything in this "
    "thread up to page 3 and nothing helped. Next I'll try a clean install and report back.",
)


# --------------------------------------------------------------------------------------------
# Counting requests
# --------------------------------------------------------------------------------------------


def _number_size(text: str) -> int:
    digits = text.lstrip("-").replace(".", "").strip("0") or "0"
    return (len(digits) + 1) // 2 + 1


def _value_size(value: dict[str, Any]) -> int:
    ((kind, data),) = value.items()
    if kind == "S":
        return len(data.encode("utf-8"))
    if kind == "N":
        return _number_size(data)
    if kind == "B":
        return len(data)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(item.encode("utf-8")) for item in data)
    if kind == "NS":
        return sum(_number_size(item) for item in data)
    if kind == "BS":
        return sum(len(item) for item in data)
    if kind == "M":
        return 3 + sum(
            len(key.encode("utf-8")) + _value_size(item) + 1 for key, item in data.items()
        )
    if kind == "L":
        return 3 + sum(_value_size(item) + 1 for item in data)
    return 0


def item_size(item: dict[str, Any]) -> int:
    """An item's size as DynamoDB bills it (names plus values), in bytes; close, not exact."""
    return sum(len(name.encode("utf-8")) + _value_size(value) for name, value in item.items())


def read_units(size: int, consistent: bool) -> float:
    """Read capacity for ``size`` bytes read in one go: 4 KB units, half price when eventual."""
    return max(1, math.ceil(size / 4096)) * (1.0 if consistent else 0.5)


@dataclass
class Usage:
    """The DynamoDB requests one handler call made."""

    calls: Counter[str] = field(default_factory=Counter)
    items_read: int = 0
    rcu: float = 0.0
    items_written: int = 0
    # The keys of the items written, with whether the write was part of a transaction (which
    # costs twice): bench/cost.py prices them from the items' sizes afterwards.
    written: list[tuple[dict[str, Any], bool]] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(self.calls.values())

    @property
    def reads(self) -> int:
        return sum(count for name, count in self.calls.items() if name in READ_OPERATIONS)

    @property
    def writes(self) -> int:
        return self.requests - self.reads

    def signature(self) -> tuple[tuple[tuple[str, int], ...], int]:
        return tuple(sorted(self.calls.items())), self.items_read

    def describe(self) -> str:
        order = list(SHORT_NAMES)
        parts = sorted(
            self.calls.items(), key=lambda pair: order.index(pair[0]) if pair[0] in order else 99
        )
        return f"{self.requests}: " + ", ".join(f"{SHORT_NAMES.get(n, n)} {c}" for n, c in parts)


def _key_of(action: dict[str, Any]) -> dict[str, Any]:
    if "Key" in action:
        return dict(action["Key"])
    item = action.get("Item") or {}
    return {name: item[name] for name in (schema.PARTITION_KEY, schema.SORT_KEY) if name in item}


class Meter:
    """Counts requests on one botocore client through its event hooks."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self._params: dict[str, Any] = {}
        self.usage = Usage()
        client.meta.events.register("before-parameter-build.dynamodb", self._before)
        client.meta.events.register("after-call.dynamodb", self._after)

    def _before(self, params: dict[str, Any], **_: Any) -> None:
        self._params = params

    def _after(self, model: Any, parsed: dict[str, Any], **_: Any) -> None:
        name = model.name
        params, self._params = self._params, {}
        usage = self.usage
        usage.calls[name] += 1
        if name in ("Query", "Scan"):
            items = parsed.get("Items") or []
            # ScannedCount: what DynamoDB read and bills, before any filter expression.
            usage.items_read += int(parsed.get("ScannedCount", parsed.get("Count", len(items))))
            consistent = bool(params.get("ConsistentRead")) and "IndexName" not in params
            usage.rcu += read_units(sum(item_size(item) for item in items), consistent)
        elif name == "GetItem":
            item = parsed.get("Item")
            usage.items_read += 1 if item else 0
            usage.rcu += read_units(
                item_size(item) if item else 0, bool(params.get("ConsistentRead"))
            )
        elif name == "BatchGetItem":
            requested = params.get("RequestItems") or {}
            for table, items in (parsed.get("Responses") or {}).items():
                consistent = bool((requested.get(table) or {}).get("ConsistentRead"))
                usage.items_read += len(items)
                usage.rcu += sum(read_units(item_size(item), consistent) for item in items)
        elif name == "TransactGetItems":
            for response in parsed.get("Responses") or []:
                item = response.get("Item")
                usage.items_read += 1 if item else 0
                usage.rcu += 2 * read_units(item_size(item) if item else 0, True)
        elif name == "TransactWriteItems":
            for entry in params.get("TransactItems") or []:
                for kind, action in entry.items():
                    if kind != "ConditionCheck":
                        usage.items_written += 1
                        usage.written.append((_key_of(action), True))
        elif name == "BatchWriteItem":
            for requests in (params.get("RequestItems") or {}).values():
                for request in requests:
                    usage.items_written += 1
                    action = request.get("PutRequest") or request.get("DeleteRequest") or {}
                    usage.written.append((_key_of(action), False))
        elif name in ("PutItem", "UpdateItem", "DeleteItem"):
            usage.items_written += 1
            usage.written.append((_key_of(params), False))

    @contextmanager
    def counting(self) -> Iterator[Usage]:
        if ForumItem._get_connection().connection.client is not self.client:
            raise RuntimeError("PynamoDB replaced its botocore client; the counts would be wrong.")
        self.usage = Usage()
        try:
            yield self.usage
        finally:
            self.usage = Usage()


def _item_classes(base: type[ForumItem]) -> Iterator[type[ForumItem]]:
    for cls in base.__subclasses__():
        yield cls
        yield from _item_classes(cls)


def pynamodb_client() -> Any:
    """The one botocore client every model of the table shares (so one set of hooks sees all)."""
    connection = ForumItem._get_connection()
    for model in _item_classes(ForumItem):
        if model._get_connection() is not connection:
            raise RuntimeError(f"{model.__name__} has a connection of its own; hook it too.")
    return connection.connection.client


# --------------------------------------------------------------------------------------------
# Calling the handler
# --------------------------------------------------------------------------------------------


class LambdaContext:
    function_name = "forum-api"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:forum-api"
    aws_request_id = "00000000-0000-0000-0000-000000000000"


@dataclass
class Reply:
    status: int
    body: Any


def invoke(
    method: str,
    url: str,
    body: Any = None,
    who: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    from api.handler import lambda_handler

    event = http_event(method, url, body, claims=who, headers=headers)
    response = lambda_handler(event, LambdaContext())
    text = response.get("body") or ""
    try:
        parsed = json.loads(text) if text else None
    except ValueError:
        parsed = text
    return Reply(int(response["statusCode"]), parsed)


def expect(reply: Reply, status: int, what: str) -> Any:
    if reply.status != status:
        raise SystemExit(f"seeding failed: {what} answered {reply.status}: {reply.body}")
    return reply.body


@dataclass
class Case:
    route: str
    label: str
    usage: Usage
    status: int
    expected_status: int
    target: str
    check: Callable[[Usage], bool] | None
    note: str = ""
    answer_ok: bool = True

    @property
    def verdict(self) -> str:
        if self.status != self.expected_status or not self.answer_ok:
            return "FAIL"
        if self.check is None:
            return "info"
        return "PASS" if self.check(self.usage) else "FAIL"


class Bench:
    def __init__(self, meter: Meter) -> None:
        self.meter = meter
        self.cases: list[Case] = []

    def run(
        self,
        route: str,
        label: str,
        method: str,
        url: str,
        body: Any = None,
        who: dict[str, str] | None = None,
        *,
        status: int = 200,
        target: str = "-",
        check: Callable[[Usage], bool] | None = None,
        note: Callable[[Reply], str] | None = None,
        answer: Callable[[Reply], bool] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[Reply, Case]:
        with self.meter.counting() as usage:
            reply = invoke(method, url, body, who, headers)
            # The counts are final once the handler returns; copy them before the meter resets.
            measured = Usage(Counter(usage.calls), usage.items_read, usage.rcu, usage.items_written)
        text = ""
        answer_ok = True
        if reply.status != status:
            text = f"HTTP {reply.status}: {str(reply.body)[:120]}"
        else:
            if note is not None:
                text = note(reply)
            if answer is not None and not answer(reply):
                answer_ok = False
                text = f"unexpected answer: {text}"
        case = Case(route, label, measured, reply.status, status, target, check, text, answer_ok)
        self.cases.append(case)
        return reply, case


# --------------------------------------------------------------------------------------------
# Building the forum
# --------------------------------------------------------------------------------------------


class _BulkCommit:
    """Stands in for forum.transactions.transaction() while seeding: the same puts and updates,
    written as batch puts and plain conditional updates instead of one transaction per topic."""

    def __init__(self, batch: Any) -> None:
        self._batch = batch
        self._updates: list[tuple[Any, list[Any], Any]] = []

    def __enter__(self) -> _BulkCommit:
        return self

    def __exit__(self, error_type: Any, *_: Any) -> None:
        if error_type is None:
            for item, actions, condition in self._updates:
                try:
                    item.update(actions=actions, condition=condition)
                except UpdateError as error:
                    raise SystemExit(
                        f"seeding failed: a condition of the transaction did not hold on "
                        f"{item.pk} / {item.sk} ({error.cause_response_code}); the seeding no "
                        "longer matches what the code expects"
                    ) from error

    def save(self, name: str, item: Any, condition: Any = None, **_: Any) -> None:
        # A transaction's put of a versioned item stores version 1; a batch put would not.
        if isinstance(item, Post) and item.version is None:
            item.version = 1
        self._batch.save(item)

    def update(
        self, name: str, item: Any, actions: list[Any], condition: Any = None, **_: Any
    ) -> None:
        self._updates.append((item, actions, condition))


@contextmanager
def bulk_seeding() -> Iterator[Any]:
    """Topics and posts written in batches, with Markdown rendered once per distinct body."""
    original_transaction, original_render = forum_topics.transaction, forum_topics.rendered_body
    with ForumItem.batch_write() as batch:

        def stand_in() -> Any:
            return _BulkCommit(batch)

        forum_topics.transaction = stand_in
        forum_topics.rendered_body = functools.lru_cache(maxsize=None)(rendered_body)
        try:
            yield batch
        finally:
            forum_topics.transaction = original_transaction
            forum_topics.rendered_body = original_render


@contextmanager
def pinned_clock(seconds: int) -> Iterator[None]:
    """Presence windows turn over every few minutes; hold the clock inside one window so that
    the seeded viewers and the measured heartbeats meet in the same window."""
    original = clock.epoch_seconds
    clock.epoch_seconds = lambda: seconds
    try:
        yield
    finally:
        clock.epoch_seconds = original


def author(index: int) -> tuple[str, str]:
    return f"user-{index % AUTHORS:04d}", f"reader{index % AUTHORS:02d}"


def topic_title(number: int, round_: int, board_index: int) -> str:
    if number == 0:
        return f"The long-running thread ({BIG_TOPIC_POSTS:,} posts)"
    return f"Topic {number + 1:04d}: question number {round_ + 1} on board {board_index + 1}"


def crowd_guest(index: int) -> str:
    return f"guest-crowd-{index:06d}"


# Guests are counted by their address (forum.presence.guest_id), as CloudFront names it: each
# guest of the bench reads from an address of its own.
VIEWER_ADDRESS = "cloudfront-viewer-address"
SEEDED_GUEST_ADDRESS = 100_000
NEW_GUEST_ADDRESS = 200_000


def guest_address(index: int) -> str:
    return f"10.{index // 65536 % 256}.{index // 256 % 256}.{index % 256}:443"


def from_guest(index: int) -> dict[str, str]:
    return {VIEWER_ADDRESS: guest_address(index)}


def parse_iso(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def add_to_post_counts(counts: Counter[str]) -> None:
    """Move authors' post counts as the writes that were seeded directly would have."""
    profile = getattr(models, "Profile", None)
    if profile is None:  # a code base without member profiles
        return
    for user_id, count in counts.items():
        profile(schema.user_pk(user_id), schema.PROFILE_SK).update(
            actions=[profile.post_count.add(count)], condition=profile.pk.exists()
        )


@dataclass
class Forum:
    boards: list[str]
    big_board: str
    big_topic: str
    one_viewer_topic: str
    many_viewers_topic: str
    seeded_guest: str = "guest-seed-000001"


def seed_boards(timings: dict[str, float]) -> list[str]:
    """The boards, through the real handler."""
    start = time.perf_counter()
    boards: list[str] = []
    for position, name in enumerate(BOARD_NAMES[:BOARD_COUNT]):
        body = expect(
            invoke(
                "POST", "/api/boards", {"name": name, "description": f"Board {position + 1}"}, ADMIN
            ),
            201,
            "POST /api/boards",
        )
        boards.append(body["id"])
    timings[f"{len(boards)} boards (handler)"] = time.perf_counter() - start
    return boards


def seed_topics(boards: list[str], timings: dict[str, float]) -> Forum:
    """The first topics of every board through the real handler; the first is the big topic.

    Their 50 authors write for the first time here, so their profiles are made here too.
    """
    start = time.perf_counter()
    made: list[str] = []
    for round_ in range(HANDLER_TOPICS_PER_BOARD):
        for board_index, board_id in enumerate(boards):
            number = round_ * len(boards) + board_index
            user_id, name = author(number)
            title = topic_title(number, round_, board_index)
            topic = expect(
                invoke(
                    "POST",
                    f"/api/boards/{board_id}/topics",
                    {"title": title, "body": BODIES[number % len(BODIES)]},
                    claims(user_id, name),
                ),
                201,
                "POST /api/boards/{id}/topics",
            )["topic"]
            made.append(topic["id"])
    timings[f"{len(made)} topics (handler)"] = time.perf_counter() - start
    return Forum(
        boards=boards,
        big_board=boards[0],
        big_topic=made[0],
        one_viewer_topic=made[1],
        many_viewers_topic=made[2],
    )


def seed_first_writes(forum: Forum, timings: dict[str, float]) -> None:
    """The measuring member and moderator write once before they are measured (a member's first
    write also makes their profile, which is measured separately, as 'first write')."""
    start = time.perf_counter()
    for who in (MEMBER, MODERATOR):
        expect(
            invoke("POST", f"/api/topics/{forum.one_viewer_topic}/posts", {"body": "Hello!"}, who),
            201,
            "POST /api/topics/{id}/posts",
        )
    timings["2 first replies (handler)"] = time.perf_counter() - start


def seed_viewers(forum: Forum, timings: dict[str, float]) -> None:
    """One guest on the big topic and on another through the handler; a thousand on a third.

    The thousand are written as forum.presence.heartbeat writes a viewer's first heartbeat in
    a window (their viewer items, the window's guest count, the topic's views), in batches: moto
    sorts the whole table for every Query, which made 1,000 handler calls take most of a minute.
    The measured heartbeats check that the handler counts them (guests=1001).
    """
    start = time.perf_counter()
    for topic_id in (forum.one_viewer_topic, forum.big_topic):
        heartbeat = f"/api/topics/{topic_id}/heartbeat"
        seeded = from_guest(SEEDED_GUEST_ADDRESS)
        expect(
            invoke("POST", heartbeat, {"viewer_id": forum.seeded_guest}, headers=seeded),
            200,
            "heartbeat",
        )

    window_seconds = get_settings().presence_window_seconds
    now = clock.epoch_seconds()
    window = now // window_seconds
    expires = datetime.fromtimestamp(now + 2 * window_seconds, UTC)
    pk = schema.topic_pk(forum.many_viewers_topic)
    with Viewer.batch_write() as batch:
        for index in range(1, VIEWERS + 1):
            batch.save(
                Viewer(
                    pk,
                    forum_presence._viewer_sk(
                        "guest", forum_presence.guest_id(viewer_network(guest_address(index), ""))
                    ),
                    last_seen=now,
                    window=window,
                    expires_at=expires,
                )
            )
    PresenceWindow(pk, forum_presence._window_sk(window)).update(
        actions=[
            PresenceWindow.kind.set(PresenceWindow),
            PresenceWindow.guests.add(VIEWERS),
            PresenceWindow.window.set(window),
            PresenceWindow.expires_at.set(expires),
        ]
    )
    forum_topics.get_topic(forum.many_viewers_topic).update(actions=[Topic.view_count.add(VIEWERS)])
    timings[f"2 + {VIEWERS:,} guest heartbeats (handler + batch writes)"] = (
        time.perf_counter() - start
    )


def seed_in_bulk(forum: Forum, timings: dict[str, float]) -> None:
    """The other topics through forum.topics.create_topic, and the big topic's posts."""
    start = time.perf_counter()
    topics_per_board = TOPIC_COUNT // BOARD_COUNT
    made = HANDLER_TOPICS_PER_BOARD * len(forum.boards)
    bulk = 0
    with bulk_seeding():
        for round_ in range(HANDLER_TOPICS_PER_BOARD, topics_per_board):
            for board_index, board_id in enumerate(forum.boards):
                user_id, name = author(made)
                forum_topics.create_topic(
                    Member(user_id, name),
                    board_id,
                    topic_title(made, round_, board_index),
                    BODIES[made % len(BODIES)],
                )
                made += 1
                bulk += 1
    timings[f"{bulk} topics (create_topic, batch writes)"] = time.perf_counter() - start

    start = time.perf_counter()
    big_topic = forum.big_topic
    topic = forum_topics.get_topic(big_topic, consistent=True)
    first = parse_iso(topic.started_at)
    # Spread the replies between the opening post and now, so that the topic is the board's
    # most recently active and its last post is the board's last post.
    step = (clock.now() - first) / BIG_TOPIC_POSTS
    last_post: Post | None = None
    counts: Counter[str] = Counter()
    with bulk_seeding() as batch:
        for number in range(2, BIG_TOPIC_POSTS + 1):
            user_id, name = author(number)
            post = forum_topics.new_post(
                big_topic,
                number,
                person(user_id, name),
                clock.iso(first + step * (number - 1)),
                BODIES[number % len(BODIES)],
            )
            post.version = 1
            batch.save(post)
            counts[user_id] += 1
            last_post = post
    assert last_post is not None
    # What the 9,999 replies would have changed besides their posts.
    last = forum_topics.last_post_of(big_topic, topic.title, last_post)
    at = last_post.created_at
    topic.update(
        actions=[
            Topic.last_number.set(BIG_TOPIC_POSTS),
            Topic.reply_count.add(BIG_TOPIC_POSTS - 1),
            Topic.last_post.set(last),
            Topic.last_activity.set(at),
            Topic.gsi1sk.set(schema.topic_order_key(bool(topic.pinned), at, big_topic)),
        ]
    )
    Board(schema.BOARDS_PK, schema.board_sk(topic.board_id)).update(
        actions=[Board.post_count.add(BIG_TOPIC_POSTS - 1), Board.last_post.set(last)]
    )
    add_to_post_counts(counts)
    timings[f"{BIG_TOPIC_POSTS - 1:,} posts of one topic (new_post, batch writes)"] = (
        time.perf_counter() - start
    )


def remove_directly(topic_id: str, numbers: range) -> None:
    """What removing posts that are not the topic's last post writes, without a transaction each."""
    topic = forum_topics.get_topic(topic_id, consistent=True)
    remover = person("user-moderator", "moderator")
    counts: Counter[str] = Counter()
    for number in numbers:
        post = Post.get(schema.topic_pk(topic_id), schema.post_sk(number), consistent_read=True)
        post.update(
            actions=[
                Post.removed.set(True),
                Post.removed_by.set(remover),
                Post.gsi2pk.remove(),
                Post.gsi2sk.remove(),
            ]
        )
        counts[post.author.id] -= 1
    topic.update(actions=[Topic.reply_count.add(-len(numbers))])
    Board(schema.BOARDS_PK, schema.board_sk(topic.board_id)).update(
        actions=[Board.post_count.add(-len(numbers))]
    )
    add_to_post_counts(counts)


# --------------------------------------------------------------------------------------------
# The routes
# --------------------------------------------------------------------------------------------


def at_most(requests: int, items: int | None = None) -> Callable[[Usage], bool]:
    return lambda u: u.requests <= requests and (items is None or u.items_read <= items)


def measure_reads(bench: Bench, forum: Forum) -> None:
    settings = get_settings()
    per_page = settings.posts_per_page
    pages = math.ceil(BIG_TOPIC_POSTS / per_page)

    bench.run(
        "GET /api/boards",
        "board index",
        "GET",
        "/api/boards",
        target="1 request",
        check=lambda u: u.requests == 1,
        note=lambda r: f"{len(r.body['boards'])} boards",
        answer=lambda r: len(r.body["boards"]) == BOARD_COUNT,
    )
    page1, _ = bench.run(
        "GET /api/boards/{id}",
        "board page 1",
        "GET",
        f"/api/boards/{forum.big_board}",
        target="1 request",
        check=lambda u: u.requests == 1,
        note=lambda r: f"{len(r.body['topics'])} of {r.body['board']['topic_count']} topics",
        answer=lambda r: (
            r.body["topics"][0]["id"] == forum.big_topic and bool(r.body["next_cursor"])
        ),
    )
    cursor = page1.body.get("next_cursor") if page1.status == 200 else None
    if cursor:
        bench.run(
            "GET /api/boards/{id}?cursor=",
            "board page 2 (next_cursor)",
            "GET",
            f"/api/boards/{forum.big_board}?cursor={cursor}",
            target="2 requests (by design)",
            check=lambda u: u.requests == 2,
            note=lambda r: f"{len(r.body['topics'])} topics",
            answer=lambda r: len(r.body["topics"]) == settings.topics_per_page,
        )

    def posts_note(reply: Reply) -> str:
        numbers = [post["number"] for post in reply.body["posts"]]
        topic = reply.body["topic"]
        return f"posts #{numbers[0]}-#{numbers[-1]}, page {topic['page']}/{topic['page_count']}"

    def posts_of(page: int) -> Callable[[Reply], bool]:
        first = (page - 1) * per_page + 1
        expected = list(range(first, min(first + per_page, BIG_TOPIC_POSTS + 1)))
        return lambda r: [post["number"] for post in r.body["posts"]] == expected

    # The header and a page of posts are at most per_page + 1 items; the author cards add one
    # profile per distinct author on the page (at most per_page more), in the same two requests.
    for page in (1, pages):
        bench.run(
            f"GET /api/topics/{{id}}?page={page}",
            f"topic page {page} of {pages}",
            "GET",
            f"/api/topics/{forum.big_topic}?page={page}",
            target=f"<=2 req, <={per_page + 1}+{per_page} cards",
            check=at_most(2, per_page + 1 + per_page),
            note=posts_note,
            answer=posts_of(page),
        )

    def names(topic_id: str) -> Callable[[Reply], bool]:
        return lambda r: bool(r.body["id"] == topic_id)

    order = [topic["id"] for topic in page1.body["topics"]] if page1.status == 200 else []
    if len(order) >= 7:
        middle = order[5]
        for direction, expected in (("previous", order[4]), ("next", order[6])):
            bench.run(
                f"GET /api/topics/{{id}}/{direction}",
                f"{direction} topic",
                "GET",
                f"/api/topics/{middle}/{direction}",
                target="<=2 req, <=3 items",
                check=at_most(2, 3),
                note=lambda r: "the neighbour in board order",
                answer=names(expected),
            )

    # Presence: one window, held still, so that the viewers seeded above are in it.
    one = f"/api/topics/{forum.one_viewer_topic}/heartbeat"
    many = f"/api/topics/{forum.many_viewers_topic}/heartbeat"

    def presence_note(reply: Reply) -> str:
        return f"members={reply.body['members']} guests={reply.body['guests']}"

    def seen(members: int, guests: int) -> Callable[[Reply], bool]:
        return lambda r: (r.body["members"], r.body["guests"]) == (members, guests)

    _, new_one = bench.run(
        "POST /api/topics/{id}/heartbeat",
        "guest, new; 1 viewer present",
        "POST",
        one,
        {"viewer_id": "guest-bench-new-0001"},
        headers=from_guest(NEW_GUEST_ADDRESS + 1),
        target="<=4 req, <=3 items (baseline)",
        check=at_most(4, 3),
        note=presence_note,
        answer=seen(0, 2),
    )
    bench.run(
        "POST /api/topics/{id}/heartbeat",
        f"guest, new; {VIEWERS:,} viewers present",
        "POST",
        many,
        {"viewer_id": "guest-bench-new-0002"},
        headers=from_guest(NEW_GUEST_ADDRESS + 2),
        target="= 1-viewer cost",
        check=lambda u: u.signature() == new_one.usage.signature(),
        note=presence_note,
        answer=seen(0, VIEWERS + 1),
    )
    _, again_one = bench.run(
        "POST /api/topics/{id}/heartbeat",
        "guest, again; 1 viewer present",
        "POST",
        one,
        {"viewer_id": forum.seeded_guest},
        headers=from_guest(SEEDED_GUEST_ADDRESS),
        target="<=4 req, <=3 items (baseline)",
        check=at_most(4, 3),
        note=presence_note,
        answer=seen(0, 2),
    )
    bench.run(
        "POST /api/topics/{id}/heartbeat",
        f"guest, again; {VIEWERS:,} viewers present",
        "POST",
        many,
        {"viewer_id": crowd_guest(1)},
        headers=from_guest(1),
        target="= 1-viewer cost",
        check=lambda u: u.signature() == again_one.usage.signature(),
        note=presence_note,
        answer=seen(0, VIEWERS + 1),
    )
    bench.run(
        "POST /api/topics/{id}/heartbeat/member",
        f"member, new; {VIEWERS:,} viewers",
        "POST",
        f"{many}/member",
        {},
        MEMBER,
        target="= guest cost",
        check=lambda u: u.signature() == new_one.usage.signature(),
        note=presence_note,
        answer=seen(1, VIEWERS + 1),
    )
    bench.run(
        "POST /api/topics/{id}/heartbeat/member",
        f"member, again; {VIEWERS:,} viewers",
        "POST",
        f"{many}/member",
        {},
        MEMBER,
        target="= guest cost",
        check=lambda u: u.signature() == again_one.usage.signature(),
        note=presence_note,
        answer=seen(1, VIEWERS + 1),
    )
    # What the browser sends (web/js/presence.js): where its page was counted, 0 at first.
    counted, _ = bench.run(
        "POST /api/topics/{id}/heartbeat",
        f"guest page, first beat; {VIEWERS:,} viewers",
        "POST",
        many,
        {"viewer_id": "guest-bench-new-0004", "counted_in": 0},
        # The address's item bounds what one client adds (forum.presence): a script that says
        # counted_in 0 with a new id each time was a guest and a view each, for free.
        target="<=4 req, 1 address item",
        check=lambda u: at_most(4, 2)(u) and u.items_written == 3,
        headers=from_guest(NEW_GUEST_ADDRESS + 4),
        note=presence_note,
        answer=seen(1, VIEWERS + 2),
    )
    bench.run(
        "POST /api/topics/{id}/heartbeat",
        f"guest page, counted in this window; {VIEWERS:,} viewers",
        "POST",
        many,
        {"viewer_id": "guest-bench-new-0004", "counted_in": counted.body["window"]},
        headers=from_guest(NEW_GUEST_ADDRESS + 4),
        target="1 req, no write",
        check=lambda u: u.requests == 1 and u.items_written == 0,
        note=presence_note,
        answer=seen(1, VIEWERS + 2),
    )
    bench.run(
        "POST /api/topics/{id}/heartbeat",
        f"guest, new; 1 viewer, {BIG_TOPIC_POSTS:,} posts",
        "POST",
        f"/api/topics/{forum.big_topic}/heartbeat",
        {"viewer_id": "guest-bench-new-0003"},
        headers=from_guest(NEW_GUEST_ADDRESS + 3),
        target="= 1-viewer cost",
        check=lambda u: u.signature() == new_one.usage.signature(),
        note=presence_note,
        answer=seen(0, 2),
    )


def measure_writes(bench: Bench, forum: Forum) -> None:
    big = forum.big_topic
    bench.run(
        "POST /api/boards/{id}/topics",
        "start a topic; the member's first write",
        "POST",
        f"/api/boards/{forum.boards[-1]}/topics",
        {"title": "Hello from a newcomer", "body": BODIES[0]},
        NEWCOMER,
        status=201,
        note=lambda r: "includes making the member's profile",
    )
    bench.run(
        "POST /api/boards/{id}/topics",
        "start a topic",
        "POST",
        f"/api/boards/{forum.boards[-1]}/topics",
        {"title": "A new topic", "body": BODIES[2]},
        MEMBER,
        status=201,
    )

    def reply_ok(u: Usage) -> bool:
        return u.reads <= 1 and u.calls["TransactWriteItems"] == 1 and u.writes == 1

    reply, _ = bench.run(
        "POST /api/topics/{id}/posts",
        f"reply to the {BIG_TOPIC_POSTS:,}-post topic",
        "POST",
        f"/api/topics/{big}/posts",
        {"body": "Late to the thread, but: *thanks* for all this."},
        MEMBER,
        status=201,
        target="<=1 read + 1 TxWrite",
        check=reply_ok,
        note=lambda r: f"post #{r.body['post']['number']} on page {r.body['page']}",
        answer=lambda r: r.body["post"]["number"] == BIG_TOPIC_POSTS + 1,
    )
    if reply.status != 201:
        return
    mine = reply.body["post"]["number"]
    bench.run(
        "PATCH /api/topics/{id}/posts/{n}",
        "edit own reply",
        "PATCH",
        f"/api/topics/{big}/posts/{mine}",
        {
            "body": "Late to the thread, but: **thanks** for all this.",
            "version": reply.body["post"]["version"],
        },
        MEMBER,
        note=lambda r: f"version {r.body['version']}",
    )
    middle = BIG_TOPIC_POSTS // 2
    bench.run(
        "DELETE /api/topics/{id}/posts/{n}",
        f"remove post #{middle} (moderator)",
        "DELETE",
        f"/api/topics/{big}/posts/{middle}",
        None,
        MODERATOR,
        status=204,
    )
    bench.run(
        "DELETE /api/topics/{id}/posts/{n}",
        "remove own reply (the last post)",
        "DELETE",
        f"/api/topics/{big}/posts/{mine}",
        None,
        MEMBER,
        status=204,
        note=lambda r: "topic's and board's last post recomputed",
    )
    # The posts just before the last one were removed (as a moderator cleaning up spam oldest
    # first would); then the last one goes too.
    last = BIG_TOPIC_POSTS
    remove_directly(big, range(last - REMOVED_RUN, last))
    bench.run(
        "DELETE /api/topics/{id}/posts/{n}",
        f"remove last post; {REMOVED_RUN} removed before it",
        "DELETE",
        f"/api/topics/{big}/posts/{last}",
        None,
        MODERATOR,
        status=204,
        note=lambda r: "Query count grows with the removed run",
    )


# --------------------------------------------------------------------------------------------
# Import time
# --------------------------------------------------------------------------------------------

IMPORT_PROGRAMS = (
    ("python -c pass", "pass"),
    ("import botocore", "import botocore"),
    ("import boto3", "import boto3"),
    ("import api.handler", "import api.handler"),
    ("import boto3 (no exit)", "import boto3, os; os._exit(0)"),
    ("import api.handler (no exit)", "import api.handler, os; os._exit(0)"),
)


def import_environment() -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(FUNCTIONS),
        "FORUM_TABLE": "forum",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_SERVICE_NAME": "forum-api",
        # Bytecode as a deployed package ships it, kept out of the source tree.
        "PYTHONPYCACHEPREFIX": str(Path(tempfile.gettempdir()) / "forum-bench-pycache"),
    }
    if "HOME" in os.environ:
        env["HOME"] = os.environ["HOME"]
    return env


def time_process(code: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return (time.perf_counter() - start) * 1000


def heaviest_imports(env: dict[str, str], top: int = 8, runs: int = 3) -> list[tuple[str, float]]:
    """Self time of ``import api.handler`` summed per top-level package (python -X importtime),
    the least of a few runs for each package, as a single run is noisy."""
    best: dict[str, int] = {}
    for _ in range(runs):
        result = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", "import api.handler"],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        totals: Counter[str] = Counter()
        for line in result.stderr.splitlines():
            match = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
            if match:
                totals[match.group(2).split(".")[0]] += int(match.group(1))
        for name, micros in totals.items():
            best[name] = min(micros, best.get(name, micros))
    ranked = sorted(best.items(), key=lambda pair: pair[1], reverse=True)[:top]
    return [(name, micros / 1000) for name, micros in ranked]


def measure_imports(runs: int) -> tuple[bool, list[str]]:
    env = import_environment()
    for _, code in IMPORT_PROGRAMS:  # warm-up: compile to bytecode, fill the page cache
        time_process(code, env)
    samples: dict[str, list[float]] = {label: [] for label, _ in IMPORT_PROGRAMS}
    for _ in range(runs):  # interleaved, so that noise from other work spreads evenly
        for label, code in IMPORT_PROGRAMS:
            samples[label].append(time_process(code, env))
    median = {label: statistics.median(values) for label, values in samples.items()}

    lines = [f"Import time: whole fresh processes, median of {runs} (min-max), {sys.executable}"]
    for label, _ in IMPORT_PROGRAMS:
        values = samples[label]
        lines.append(
            f"  {label:30} {median[label]:7.0f} ms   ({min(values):.0f}-{max(values):.0f})"
        )
    floor = median["python -c pass"]
    ratio = median["import api.handler"] / median["import boto3"]
    net = (median["import api.handler"] - floor) / max(1e-9, median["import boto3"] - floor)
    no_exit = median["import api.handler (no exit)"] / median["import boto3 (no exit)"]
    ok = ratio <= 2.0
    lines.append(f"  handler / boto3: {ratio:.2f}x  (target <= 2x)  {'PASS' if ok else 'FAIL'}")
    lines.append(
        f"  for information: {net:.2f}x net of the interpreter floor; {no_exit:.2f}x without "
        "interpreter shutdown (os._exit)"
    )
    lines.append(
        "  heaviest packages in `import api.handler` (self time, least of 3 runs of"
        " python -X importtime):"
    )
    for name, millis in heaviest_imports(env):
        lines.append(f"    {name:28} {millis:6.1f} ms")
    return ok, lines


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


def print_table(cases: list[Case]) -> None:
    headers = ("route", "case", "requests", "items", "RCU~", "writes", "target", "result", "note")
    rows = [
        (
            c.route,
            c.label,
            c.usage.describe(),
            str(c.usage.items_read),
            f"{c.usage.rcu:g}",
            str(c.usage.items_written),
            c.target,
            c.verdict,
            c.note,
        )
        for c in cases
    ]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    right = {3, 4, 5}

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(cells)
        ).rstrip()

    print(line(headers))
    print(line(tuple("-" * w for w in widths)))
    for row in rows:
        print(line(row))
    print(
        "  items = items DynamoDB read (ScannedCount of a Query, Item of a GetItem, Responses"
        " of a BatchGetItem);"
        "\n"
        "  RCU~ = estimated read capacity from the returned items' sizes (moto reports none);\n"
        "  writes = items written (a TxWrite counts each of its items)."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--import-runs", type=int, default=7, help="fresh processes per import")
    parser.add_argument("--skip-imports", action="store_true", help="only the DynamoDB figures")
    args = parser.parse_args()

    began = time.perf_counter()
    settings = get_settings()
    timings: dict[str, float] = {}
    with mock_aws():
        boto3.client("dynamodb", region_name=settings.region).create_table(
            **schema.create_table_arguments(settings.table_name)
        )
        models.configure(settings)
        meter = Meter(pynamodb_client())
        boards = seed_boards(timings)
        window = settings.presence_window_seconds
        now = clock.epoch_seconds()
        with pinned_clock(now - now % window + window // 2):
            # moto copies the whole table for every transaction and sorts it for every Query:
            # the handler's share of the seeding goes first, while the table is small.
            forum = seed_topics(boards, timings)
            seed_first_writes(forum, timings)
            seed_viewers(forum, timings)
            seed_in_bulk(forum, timings)
            print(f"Seeded in {sum(timings.values()):.1f} s; measuring...", flush=True)
            measured = time.perf_counter()
            bench = Bench(meter)
            measure_reads(bench, forum)
        measure_writes(bench, forum)
        measuring = time.perf_counter() - measured
        seeding = sum(timings.values())

    print(f"Seeding (moto {__import__('moto').__version__}), {seeding:.1f} s:")
    for what, seconds in timings.items():
        print(f"  {what:56} {seconds:6.1f} s")
    print(f"Measured calls: {measuring:.1f} s (moto copies the whole table for each transaction)")
    print()
    print(
        f"DynamoDB cost per route: {BOARD_COUNT} boards, {TOPIC_COUNT:,} topics, one topic with "
        f"{BIG_TOPIC_POSTS:,} posts, {VIEWERS:,} viewers on one topic; "
        f"{settings.posts_per_page} posts and {settings.topics_per_page} topics per page"
    )
    print_table(bench.cases)
    passed = sum(1 for c in bench.cases if c.verdict == "PASS")
    failed = [c for c in bench.cases if c.verdict == "FAIL"]
    informational = sum(1 for c in bench.cases if c.verdict == "info")

    import_failed = False
    if not args.skip_imports:
        print()
        ok, lines = measure_imports(max(1, args.import_runs))
        print("\n".join(lines))
        passed += ok
        import_failed = not ok

    print()
    for case in failed:
        print(
            f"FAIL: {case.route} ({case.label}): {case.usage.describe()}, "
            f"{case.usage.items_read} items; target {case.target} {case.note}".rstrip()
        )
    if import_failed:
        print("FAIL: import api.handler is more than 2x import boto3")
    total_failed = len(failed) + import_failed
    print(
        f"{passed} passed, {total_failed} failed, {informational} for information "
        f"({time.perf_counter() - began:.0f} s in all)"
    )


if __name__ == "__main__":
    main()
