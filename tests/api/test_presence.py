"""Heartbeats: who is viewing a topic, and its view count."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ..conftest import MEMBER, OTHER, Caller

WINDOW = 300  # seconds, the default presence window


class Answer:
    """A heartbeat's answer, compared with seen(...) without its window."""

    def __init__(self, reply: Any) -> None:
        self.status = reply.status
        self.json = dict(reply.json) if reply.status == 200 else reply.json
        if reply.status == 200:
            self.window = self.json.pop("window")
            # The topic's newest post number, for live replies: tests/api/test_unread.py.
            self.last_number = self.json.pop("last_number")
            assert isinstance(self.window, int)


def guest(call: Caller, topic_id: str, viewer: str, counted_in: int | None = None) -> Answer:
    body: dict[str, Any] = {"viewer_id": viewer}
    if counted_in is not None:
        body["counted_in"] = counted_in
    return Answer(call("POST", f"/api/topics/{topic_id}/heartbeat", body))


def member(call: Caller, topic_id: str, who=MEMBER, counted_in: int | None = None) -> Answer:
    body = {} if counted_in is None else {"counted_in": counted_in}
    return Answer(call("POST", f"/api/topics/{topic_id}/heartbeat/member", body, claims=who))


def seen(members: int, guests: int) -> dict[str, int]:
    # The page beats again in half a presence window (300 s by default).
    return {"members": members, "guests": guests, "next_beat_seconds": 150}


def views(call: Caller, topic_id: str) -> int:
    return call("GET", f"/api/topics/{topic_id}").json["topic"]["view_count"]


def test_members_and_guests_are_counted_once_each(call: Caller, topic: dict[str, Any]) -> None:
    # Given a member and a guest on the topic
    assert member(call, topic["id"]).json == seen(1, 0)
    assert guest(call, topic["id"], "guest-aaaa").json == seen(1, 1)
    # when they beat again, and another member arrives
    assert guest(call, topic["id"], "guest-aaaa").json == seen(1, 1)
    assert member(call, topic["id"]).json == seen(1, 1)
    assert member(call, topic["id"], OTHER).json == seen(2, 1)
    # then each viewer made one view
    assert views(call, topic["id"]) == 3


def test_a_guest_cannot_pose_as_a_member(call: Caller, topic: dict[str, Any]) -> None:
    member(call, topic["id"])
    assert guest(call, topic["id"], "user-member").json == seen(1, 1)


def test_heartbeat_input_is_checked(call: Caller, topic: dict[str, Any]) -> None:
    assert guest(call, topic["id"], "short").status == 422
    assert guest(call, topic["id"], "bad id with spaces").status == 422
    assert call("POST", f"/api/topics/{topic['id']}/heartbeat", {}).status == 422
    assert guest(call, topic["id"], "guest-aaaa", counted_in=-1).status == 422
    bad = {"viewer_id": "guest-aaaa", "counted_in": "soon"}
    assert call("POST", f"/api/topics/{topic['id']}/heartbeat", bad).status == 422
    assert guest(call, "no-topic", "guest-aaaa").status == 404
    assert member(call, "no-topic").status == 404
    assert call("POST", f"/api/topics/{topic['id']}/heartbeat/member", {}).status == 401
    assert views(call, topic["id"]) == 0


def test_pages_beat_twice_per_window() -> None:
    from forum.presence import heartbeat_seconds

    assert heartbeat_seconds(300) == 150
    assert heartbeat_seconds(600) == 300
    # Never more often than every 30 s, however short a window is configured.
    assert heartbeat_seconds(40) == 30


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], None]:
    """Set the forum's clock to a number of seconds into a window far from any edge."""
    from forum import clock as forum_clock

    def at(seconds: int) -> None:
        monkeypatch.setattr(forum_clock, "epoch_seconds", lambda: 1_000_000 * WINDOW + seconds)

    at(WINDOW // 2 + 10)  # past the first half, so that answers are the current window's
    return at


def items(table: Any) -> list[dict[str, Any]]:
    return sorted(
        table.scan(ConsistentRead=True)["Items"], key=lambda item: (item["pk"], item["sk"])
    )


def test_a_page_counted_in_this_window_writes_nothing(call, table, topic, clock) -> None:
    # Given a guest and a member counted in this window
    first = guest(call, topic["id"], "guest-aaaa")
    member(call, topic["id"])
    before = items(table)
    # When their pages beat again, saying where they were counted
    again = guest(call, topic["id"], "guest-aaaa", counted_in=first.window)
    also = member(call, topic["id"], counted_in=first.window)
    # Then they get the same counts, and nothing in the table changed
    assert again.json == also.json == seen(1, 1)
    assert again.window == first.window
    assert items(table) == before


def viewer_items(table: Any) -> list[dict[str, Any]]:
    return [item for item in items(table) if item["sk"].startswith("VIEWER#")]


def test_a_guest_page_is_counted_by_its_address_as_pages_beat(call, table, topic, clock) -> None:
    # Given a guest's page counted in a window, as pages send their first beat
    first = guest(call, topic["id"], "guest-aaaa", counted_in=0)
    assert first.json == seen(0, 1) and views(call, topic["id"]) == 1
    # When it beats in the next window, then two windows later
    clock(WINDOW + WINDOW // 2 + 10)
    next_window = guest(call, topic["id"], "guest-aaaa", counted_in=first.window)
    # Then it is counted in the new window, as the same visit (no new view)
    assert next_window.window == first.window + 1
    assert next_window.json == seen(0, 1) and views(call, topic["id"]) == 1
    clock(3 * WINDOW + WINDOW // 2 + 10)
    later = guest(call, topic["id"], "guest-aaaa", counted_in=next_window.window)
    # and after a whole window away, it is a new visit
    assert later.json == seen(0, 1) and views(call, topic["id"]) == 2
    # and the one item that remembered it is its address's, which holds no address
    (viewer,) = viewer_items(table)
    assert "203.0.113.9" not in str(viewer) and "guest-aaaa" not in str(viewer)


def at(address: str) -> dict[str, str]:
    """The header CloudFront adds: the viewer's address and port."""
    return {"cloudfront-viewer-address": address}


def beat_from(
    call: Caller, topic_id: str, viewer: str, address: str, counted_in: int | None = 0
) -> Answer:
    body: dict[str, Any] = {"viewer_id": viewer}
    if counted_in is not None:
        body["counted_in"] = counted_in
    return Answer(call("POST", f"/api/topics/{topic_id}/heartbeat", body, headers=at(address)))


def test_one_address_adds_at_most_one_guest_and_one_view_per_window(call, topic, clock) -> None:
    # Given a client that claims a new page with a new id, again and again, from one address
    for n in range(20):
        answer = beat_from(call, topic["id"], f"guest-{n:04d}", "198.51.100.7:5000")
        # Then it is one guest, and one view, however it varies what the page says
        assert answer.json == seen(0, 1)
    for counted_in in (None, 1, 12345):
        assert beat_from(call, topic["id"], "guest-zzzz", "198.51.100.7:5001", counted_in).json == (
            seen(0, 1)
        )
    assert views(call, topic["id"]) == 1
    # And in the next window it may be counted once more, as a reader who stayed
    clock(WINDOW + WINDOW // 2 + 10)
    for n in range(5):
        assert beat_from(call, topic["id"], f"guest-{n:04d}", "198.51.100.7:5002").json == (
            seen(0, 1)
        )
    assert views(call, topic["id"]) == 1


def test_guests_at_other_addresses_are_other_guests(call, topic, clock) -> None:
    assert beat_from(call, topic["id"], "guest-aaaa", "198.51.100.7:5000").json == seen(0, 1)
    assert beat_from(call, topic["id"], "guest-bbbb", "198.51.100.8:5000").json == seen(0, 2)
    assert beat_from(call, topic["id"], "guest-cccc", "[2001:db8:1::1]:443").json == seen(0, 3)
    # An IPv6 client may use any address of its /64: it is one guest
    assert beat_from(call, topic["id"], "guest-dddd", "2001:db8:1::ffff:1:443").json == seen(0, 3)
    assert beat_from(call, topic["id"], "guest-eeee", "2001:db8:2::1:443").json == seen(0, 4)
    assert views(call, topic["id"]) == 4
    # Without CloudFront's header, the connection's address counts (the local gateway)
    assert guest(call, topic["id"], "guest-ffff", counted_in=0).json == seen(0, 5)


def test_a_guest_id_is_the_address_hashed() -> None:
    from forum.addresses import viewer_network
    from forum.presence import guest_id

    def id_of(viewer: str | None, source_ip: str, forwarded: str | None = None) -> str:
        return guest_id(viewer_network(viewer, source_ip, forwarded))

    same = id_of("198.51.100.7:5000", "10.0.0.1")
    assert same == id_of("198.51.100.7:6000", "10.0.0.2") == id_of(None, "198.51.100.7")
    assert "198.51.100.7" not in same
    assert id_of("2001:db8::1:443", "x") == id_of("[2001:db8::abcd]:80", "y")
    assert id_of("::ffff:198.51.100.7:443", "x") == same
    assert id_of("nonsense", "198.51.100.7") == same
    assert id_of("198.51.100.7", "10.0.0.1") == same  # no port
    # Without CloudFront-Viewer-Address: the address CloudFront appended to X-Forwarded-For,
    # not what the viewer put before it, nor what the HTTP API appended after (the connection)
    assert id_of(None, "10.0.0.1", "203.0.113.66, 198.51.100.7, 10.0.0.1") == same
    assert id_of(None, "10.0.0.1", "203.0.113.66, 198.51.100.7") == same
    assert id_of(None, "198.51.100.7", "198.51.100.7") == same


def test_a_guest_behind_cloudfront_is_counted_by_the_address_cloudfront_appended(
    call, topic, clock
) -> None:
    # Given a client that invents X-Forwarded-For entries before the one CloudFront appends
    for n in range(5):
        headers = {"x-forwarded-for": f"192.0.2.{n}, 198.51.100.7"}
        body = {"viewer_id": f"guest-{n:04d}", "counted_in": 0}
        reply = call("POST", f"/api/topics/{topic['id']}/heartbeat", body, headers=headers)
        # Then it is still one guest
        assert Answer(reply).json == seen(0, 1)
    assert views(call, topic["id"]) == 1
    # And a CloudFront-Viewer-Address of the viewer's own making changes nothing either
    for n in range(3):
        headers = {"x-forwarded-for": "198.51.100.7", "cloudfront-viewer-address": f"192.0.2.{n}:1"}
        body = {"viewer_id": "guest-zzzz", "counted_in": 0}
        reply = call("POST", f"/api/topics/{topic['id']}/heartbeat", body, headers=headers)
        assert Answer(reply).json == seen(0, 1)


def test_a_member_is_one_viewer_whatever_the_page_says(call, topic, clock) -> None:
    # Given a member counted in this window
    first = member(call, topic["id"])
    assert first.json == seen(1, 0)
    # When their pages claim an older window again and again
    for _ in range(3):
        assert member(call, topic["id"], counted_in=first.window - 1).json == seen(1, 0)
    # Then they are still one member viewing, and one view
    assert views(call, topic["id"]) == 1


@pytest.mark.parametrize("kind", ["member", "guest"])
def test_a_reader_who_stays_is_one_view_and_one_who_comes_back_another(
    call, topic, clock, kind: str
) -> None:
    def beat(counted_in: int) -> Answer:
        if kind == "member":
            return member(call, topic["id"], counted_in=counted_in)
        return guest(call, topic["id"], "guest-aaaa", counted_in=counted_in)

    # Given a page that beats every half window for three windows, as pages do
    counted_in = 0
    for n in range(6):
        clock(10 + n * (WINDOW // 2))
        answer = beat(counted_in)
        assert answer.json == (seen(1, 0) if kind == "member" else seen(0, 1))
        counted_in = answer.window
    # Then that was one view
    assert views(call, topic["id"]) == 1
    # And coming back after a whole window away is another
    clock(10 + 6 * (WINDOW // 2) + 2 * WINDOW)
    beat(counted_in)
    assert views(call, topic["id"]) == 2
