"""Flood control: one post per interval, an hourly cap for new members, 429 with Retry-After."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from forum import clock, schema
from forum.settings import (
    NEW_MEMBER_POSTS_PER_HOUR_ENV,
    POST_INTERVAL_SECONDS_ENV,
    get_settings,
)

from ..conftest import MODERATOR, OTHER, Caller
from ..events import claims

HOURLY_CAP = 3


class Clock:
    def __init__(self) -> None:
        self.moment = datetime(2026, 11, 28, 10, 20, 0, tzinfo=UTC)

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


@pytest.fixture
def time_now(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The forum's clock, moved by the test (every module reads time through forum.clock)."""
    fake = Clock()
    monkeypatch.setattr(clock, "now", lambda: fake.moment)
    return fake


@pytest.fixture
def limits(monkeypatch: pytest.MonkeyPatch, time_now: Clock) -> Iterator[Clock]:
    monkeypatch.setenv(POST_INTERVAL_SECONDS_ENV, "5")
    monkeypatch.setenv(NEW_MEMBER_POSTS_PER_HOUR_ENV, str(HOURLY_CAP))
    get_settings.cache_clear()
    yield time_now
    get_settings.cache_clear()


def reply_to(call: Caller, topic_id: str, who: dict[str, str], body: str = "A reply") -> Any:
    return call("POST", f"/api/topics/{topic_id}/posts", {"body": body}, claims=who)


def start_topic(call: Caller, board_id: str, who: dict[str, str]) -> Any:
    return call(
        "POST",
        f"/api/boards/{board_id}/topics",
        {"title": "Another one", "body": "Hello again"},
        claims=who,
    )


def profile_item(table: Any, user_id: str) -> dict[str, Any]:
    return table.get_item(Key={"pk": schema.user_pk(user_id), "sk": schema.PROFILE_SK})["Item"]


def settle(table: Any, user_id: str, days: int = 2) -> None:
    """Make the member's account older than a day (as if they had joined earlier)."""
    joined = clock.iso(clock.now() - timedelta(days=days))
    table.update_item(
        Key={"pk": schema.user_pk(user_id), "sk": schema.PROFILE_SK},
        UpdateExpression="SET joined_at = :joined",
        ExpressionAttributeValues={":joined": joined},
    )


def assert_too_many(reply: Any, retry_after: int) -> None:
    assert reply.status == 429, reply.text
    assert reply.headers["content-type"] == "application/problem+json"
    assert reply.headers["retry-after"] == str(retry_after)
    assert reply.json["type"].endswith("/too-many-requests")
    assert "wait" in reply.json["detail"]


def test_a_second_post_within_the_interval_is_429_and_writes_nothing(
    call, table, board, topic, limits
) -> None:
    # Given a member who just replied
    assert reply_to(call, topic["id"], OTHER).status == 201
    before = call("GET", f"/api/topics/{topic['id']}").json["topic"]["reply_count"]
    posts_before = profile_item(table, "user-other")["post_count"]
    # when they reply again 2 seconds later, or start a topic
    limits.advance(seconds=2)
    replied = reply_to(call, topic["id"], OTHER)
    started = start_topic(call, board["id"], OTHER)
    # then both are refused with the seconds left to wait, and nothing was written
    assert_too_many(replied, 3)
    assert_too_many(started, 3)
    assert call("GET", f"/api/topics/{topic['id']}").json["topic"]["reply_count"] == before
    assert profile_item(table, "user-other")["post_count"] == posts_before
    assert len(call("GET", f"/api/boards/{board['id']}").json["topics"]) == 1
    # and once the interval has passed, the same reply goes through
    limits.advance(seconds=3)
    assert reply_to(call, topic["id"], OTHER).status == 201


def test_the_interval_is_per_member(call, table, topic, limits) -> None:
    assert reply_to(call, topic["id"], OTHER).status == 201
    # Another member replying at the same moment is not held up.
    assert reply_to(call, topic["id"], claims("user-third", "third")).status == 201


def test_moderators_are_exempt(call, table, topic, limits) -> None:
    for _ in range(HOURLY_CAP + 2):
        assert reply_to(call, topic["id"], MODERATOR).status == 201


def test_edits_are_not_limited(call, table, topic, limits) -> None:
    reply = reply_to(call, topic["id"], OTHER)
    number = reply.json["post"]["number"]
    for text in ("first edit", "second edit"):
        edited = call(
            "PATCH", f"/api/topics/{topic['id']}/posts/{number}", {"body": text}, claims=OTHER
        )
        assert edited.status == 200, edited.text


def test_new_members_are_capped_per_hour(call, table, topic, limits) -> None:
    # Given a member whose account is minutes old, who posts every 10 seconds
    for _ in range(HOURLY_CAP):
        assert reply_to(call, topic["id"], OTHER).status == 201
        limits.advance(seconds=10)
    # then the post over the hourly cap is refused until the next hour (10:20:30 → 11:00)
    assert_too_many(reply_to(call, topic["id"], OTHER), 39 * 60 + 30)
    assert profile_item(table, "user-other")["posts_this_hour"] == HOURLY_CAP
    # and in the next hour they may post again, the count starting over
    limits.advance(minutes=40)
    assert reply_to(call, topic["id"], OTHER).status == 201
    profile = profile_item(table, "user-other")
    assert profile["posting_hour"] == "2026-11-28T11"
    assert profile["posts_this_hour"] == 1
    assert profile["post_count"] == HOURLY_CAP + 1


def test_members_older_than_a_day_have_no_hourly_cap(call, table, topic, limits) -> None:
    assert reply_to(call, topic["id"], OTHER).status == 201
    settle(table, "user-other")
    for _ in range(HOURLY_CAP + 2):
        limits.advance(seconds=6)
        assert reply_to(call, topic["id"], OTHER).status == 201


def test_a_new_members_first_post_of_an_hour_starts_the_count(call, table, board, limits) -> None:
    # Given a new member who posted in an earlier hour
    assert start_topic(call, board["id"], OTHER).status == 201
    limits.advance(hours=1)
    # when they start a topic now, it goes through and counts as the hour's first
    assert start_topic(call, board["id"], OTHER).status == 201
    assert profile_item(table, "user-other")["posts_this_hour"] == 1
