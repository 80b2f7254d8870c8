"""Heartbeats: who is viewing a topic, and its view count."""

from __future__ import annotations

from typing import Any

from ..conftest import MEMBER, OTHER, Caller


def guest(call: Caller, topic_id: str, viewer: str):
    return call("POST", f"/api/topics/{topic_id}/heartbeat", {"viewer_id": viewer})


def member(call: Caller, topic_id: str, who=MEMBER):
    return call("POST", f"/api/topics/{topic_id}/heartbeat/member", {}, claims=who)


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
