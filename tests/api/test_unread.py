"""Unread tracking: read positions from the heartbeat, marks, the overlay and the Unread lists."""

from __future__ import annotations

from typing import Any

from ..conftest import ADMIN, MEMBER, OTHER, Caller
from ..factory import new_board, new_replies, new_topic
from .recording import hooked


def beat(call: Caller, topic_id: str, read: int | None = None, who=MEMBER) -> Any:
    body = {} if read is None else {"read": read}
    reply = call("POST", f"/api/topics/{topic_id}/heartbeat/member", body, claims=who)
    assert reply.status == 200, reply.text
    return reply.json


def overlay(call: Caller, query: str, who=MEMBER) -> Any:
    reply = call("GET", f"/api/me/overlay?{query}", claims=who)
    assert reply.status == 200, reply.text
    assert reply.headers["cache-control"] == "private, no-store"
    return reply.json["unread"]


def board_topics(call: Caller, board_id: str, who=MEMBER) -> dict[str, Any]:
    return {t["topic_id"]: t for t in overlay(call, f"board={board_id}", who)["topics"]}


def unread_ids(call: Caller, who=MEMBER, query: str = "") -> list[str]:
    reply = call("GET", f"/api/me/unread{query}", claims=who)
    assert reply.status == 200, reply.text
    return [topic["topic_id"] for topic in reply.json["topics"]]


class Requests:
    def __init__(self) -> None:
        self.names: list[str] = []

    def __call__(self, model: Any, **_: Any) -> None:
        self.names.append(model.name)


def counting(call: Caller, method: str, url: str, **kwargs: Any) -> tuple[Any, list[str]]:
    seen = Requests()
    with hooked("before-call.dynamodb", seen):
        reply = call(method, url, **kwargs)
    assert reply.status == 200, reply.text
    return reply.json, seen.names


def test_a_reply_by_someone_else_is_unread_until_the_page_shows_it(
    call: Caller, board: dict[str, Any]
) -> None:
    # Given a topic the member started, and a reply by another member
    topic = new_topic(call, board["id"], "Hello", claims=MEMBER)
    states = board_topics(call, board["id"])
    assert states[topic["id"]]["unread"] is False  # their own post is read
    new_replies(call, topic["id"], ["one", "two"], claims=OTHER)
    # then the board page marks it, with the first unread post
    state = board_topics(call, board["id"])[topic["id"]]
    assert state["unread"] is True
    assert (state["first_unread"], state["first_unread_page"]) == (1, 1)
    # and the heartbeat of a page that showed post 2 records it, and answers the newest number
    answer = beat(call, topic["id"], read=2)
    assert answer["last_number"] == 3
    state = board_topics(call, board["id"])[topic["id"]]
    assert (state["unread"], state["read"], state["first_unread"]) == (True, 2, 3)
    beat(call, topic["id"], read=3)
    assert board_topics(call, board["id"])[topic["id"]]["unread"] is False


def test_a_read_position_only_moves_forward_and_stops_at_the_topic(
    call: Caller, topic: dict[str, Any]
) -> None:
    new_replies(call, topic["id"], ["a", "b", "c"], claims=OTHER)
    beat(call, topic["id"], read=3, who=OTHER)
    beat(call, topic["id"], read=3)
    beat(call, topic["id"], read=2)  # an older tab
    assert overlay(call, f"topic={topic['id']}")["topic"]["read"] == 3
    # A number past the topic's newest post moves it only as far as the topic goes.
    beat(call, topic["id"], read=400)
    assert overlay(call, f"topic={topic['id']}")["topic"]["read"] == 4


def test_a_beat_that_advances_nothing_writes_nothing(call: Caller, topic: dict[str, Any]) -> None:
    first = beat(call, topic["id"])
    body = {"counted_in": first["window"]}
    _, names = counting(
        call, "POST", f"/api/topics/{topic['id']}/heartbeat/member", body=body, claims=MEMBER
    )
    assert names == ["Query"]
    # With a read position: one write more, a conditional update.
    body["read"] = 1
    _, names = counting(
        call, "POST", f"/api/topics/{topic['id']}/heartbeat/member", body=body, claims=MEMBER
    )
    assert names == ["Query", "UpdateItem"]


def test_bad_read_numbers_are_422(call: Caller, topic: dict[str, Any]) -> None:
    for read in (0, -1, "3", 10**12, True):
        reply = call(
            "POST", f"/api/topics/{topic['id']}/heartbeat/member", {"read": read}, claims=MEMBER
        )
        assert reply.status == 422, (read, reply.text)
        assert reply.headers["content-type"] == "application/problem+json"


def test_the_board_index_marks_boards_with_an_unread_newest_post(call: Caller) -> None:
    quiet = new_board(call, "Quiet")
    busy = new_board(call, "Busy")
    new_topic(call, quiet["id"], "Mine", claims=MEMBER)
    theirs = new_topic(call, busy["id"], "Theirs", claims=OTHER)
    assert overlay(call, "index=true")["boards"] == [busy["id"]]
    beat(call, theirs["id"], read=1)
    assert overlay(call, "index=true")["boards"] == []


def test_mark_board_read_and_mark_all_read_are_one_write_each(call: Caller, table: Any) -> None:
    one = new_board(call, "One")
    two = new_board(call, "Two")
    a = new_topic(call, one["id"], "A", claims=OTHER)
    b = new_topic(call, two["id"], "B", claims=OTHER)
    assert set(unread_ids(call)) == {a["id"], b["id"]}
    answer, names = counting(
        call, "POST", "/api/me/read-marks", body={"board_id": one["id"]}, claims=MEMBER
    )
    assert names == ["UpdateItem"] and answer["board_id"] == one["id"]
    assert unread_ids(call) == [b["id"]]
    assert overlay(call, "index=true")["boards"] == [two["id"]]
    _, names = counting(call, "POST", "/api/me/read-marks", body={}, claims=MEMBER)
    assert names == ["PutItem"]
    assert unread_ids(call) == []
    # The boards' marks, older than it, are gone with the item written anew
    marks = table.get_item(Key={"pk": "USER#user-member", "sk": "READMARKS"})["Item"]
    assert not [name for name in marks if name.startswith("mark#")]
    # A reply after the mark is unread again; its first unread post is not known (the link
    # leads to the last page)
    new_replies(call, a["id"], ["later"], claims=OTHER)
    assert unread_ids(call) == [a["id"]]
    state = board_topics(call, one["id"])[a["id"]]
    assert state["unread"] is True and state["first_unread"] is None
    # and the topic page's overlay says from when on posts are new
    page = overlay(call, f"topic={a['id']}")
    assert page["mark"] is not None and page["topic"]["unread"] is True


def test_the_unread_list_is_newest_first_and_paged(
    call: Caller, board: dict[str, Any], monkeypatch: Any
) -> None:
    monkeypatch.setenv("FORUM_TOPICS_PER_PAGE", "2")
    from forum.settings import get_settings

    get_settings.cache_clear()
    try:
        made = [new_topic(call, board["id"], f"T{n}", claims=OTHER)["id"] for n in range(5)]
        beat(call, made[3], read=1)  # one of them read
        first = call("GET", "/api/me/unread", claims=MEMBER).json
        assert [t["topic_id"] for t in first["topics"]] == [made[4], made[2]]
        second = unread_ids(call, query=f"?cursor={first['next_cursor']}")
        assert second == [made[1], made[0]]
    finally:
        get_settings.cache_clear()


def test_the_unread_page_costs_three_requests(call: Caller, board: dict[str, Any]) -> None:
    for n in range(3):
        new_topic(call, board["id"], f"T{n}", claims=OTHER)
    _, names = counting(call, "GET", "/api/me/unread", claims=MEMBER)
    assert sorted(names) == ["BatchGetItem", "Query", "Query"]


def test_overlays_cost_the_pages_reads_and_one_batch(call: Caller, board: dict[str, Any]) -> None:
    topic = new_topic(call, board["id"], "T", claims=OTHER)
    _, names = counting(call, "GET", f"/api/me/overlay?board={board['id']}", claims=MEMBER)
    assert names == ["Query", "BatchGetItem"]
    _, names = counting(call, "GET", "/api/me/overlay?index=true", claims=MEMBER)
    assert names == ["Query", "BatchGetItem"]
    _, names = counting(call, "GET", f"/api/me/overlay?topic={topic['id']}", claims=MEMBER)
    assert names == ["BatchGetItem"]


def test_replies_to_you_lists_topics_you_posted_in_with_new_replies(
    call: Caller, board: dict[str, Any]
) -> None:
    mine = new_topic(call, board["id"], "Mine", claims=MEMBER)
    other = new_topic(call, board["id"], "Not mine", claims=OTHER)
    new_replies(call, other["id"], ["x"], claims=OTHER)
    assert call("GET", "/api/me/unread/replies", claims=MEMBER).json["topics"] == []
    new_replies(call, mine["id"], ["an answer"], claims=OTHER)
    listed = call("GET", "/api/me/unread/replies", claims=MEMBER).json["topics"]
    assert [t["topic_id"] for t in listed] == [mine["id"]]
    # Their own opening post is read: the first unread post is the reply.
    assert listed[0]["read"]["first_unread"] == 2


def test_an_overlay_is_for_one_page(call: Caller, board: dict[str, Any]) -> None:
    reply = call("GET", f"/api/me/overlay?index=true&board={board['id']}", claims=MEMBER)
    assert reply.status == 422
    assert reply.headers["content-type"] == "application/problem+json"
    for query in ("board=..", "topic=%20", "page=0", "cursor=nope&board=" + board["id"]):
        reply = call("GET", f"/api/me/overlay?{query}", claims=MEMBER)
        assert 400 <= reply.status < 500, (query, reply.text)


def test_bad_marks_and_cursors_are_4xx(call: Caller) -> None:
    for body in ({"board_id": "../x"}, {"board_id": 5}, {"other": 1}):
        reply = call("POST", "/api/me/read-marks", body, claims=MEMBER)
        assert reply.status == 422, reply.text
    reply = call("GET", "/api/me/unread?cursor=forged", claims=MEMBER)
    assert reply.status == 400
    assert reply.headers["content-type"] == "application/problem+json"


def test_an_overlay_with_count_counts_the_unread_list(call: Caller, board: dict[str, Any]) -> None:
    new_topic(call, board["id"], "T", claims=OTHER)
    assert overlay(call, "count=true")["count"] == 1
    assert overlay(call, "count=true", who=ADMIN)["count"] == 1
    assert overlay(call, "")["count"] is None


def test_topics_made_before_the_index_are_put_in_it_once(
    call: Caller, board: dict[str, Any], table: Any
) -> None:
    from forum import schema
    from forum.recent import index_old_topics

    # Given a topic as it was stored before the recent_topics index
    topic = new_topic(call, board["id"], "Old", claims=OTHER)
    table.update_item(
        Key={"pk": schema.topic_pk(topic["id"]), "sk": schema.TOPIC_SK},
        UpdateExpression="REMOVE gsi3pk",
    )
    assert unread_ids(call) == []
    # when it is given its shard, then the Unread list finds it; a second run changes nothing
    assert index_old_topics() == 1
    assert unread_ids(call) == [topic["id"]]
    assert index_old_topics() == 0
