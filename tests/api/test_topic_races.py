"""Writes that race on one topic: each works from the topic as it is when it commits.

A moderator's move, pin or lock, a removal and a reply each read the topic, then write it in a
transaction on the condition that it is still the one read (``Topic.revision``). Here the
competing write is made to land between another's read and its transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from forum import moderation, posts, removal
from forum.identity import Member

from ..conftest import ADMIN, MEMBER, MODERATOR, OTHER, Caller

MODERATOR_MEMBER = Member("user-moderator", "moderator", frozenset({"moderators"}))
REPLIER = Member("user-other", "other")


def boards(call: Caller) -> dict[str, tuple[int, int, str | None]]:
    """Each board's topic count, post count and the topic of its last post."""
    return {
        found["id"]: (
            found["topic_count"],
            found["post_count"],
            (found["last_post"] or {}).get("topic_id"),
        )
        for found in call("GET", "/api/boards").json["boards"]
    }


@pytest.fixture
def meanwhile(monkeypatch: pytest.MonkeyPatch) -> Callable[[Any, str, Callable[[], Any]], None]:
    """After the first call of ``module.name`` (a read of the topic), do ``write`` once."""

    def arrange(module: Any, name: str, write: Callable[[], Any]) -> None:
        read = getattr(module, name)
        done: list[bool] = []

        def then_write(*args: Any, **kwargs: Any) -> Any:
            result = read(*args, **kwargs)
            if not done:
                done.append(True)
                write()
            return result

        monkeypatch.setattr(module, name, then_write)

    return arrange


def reply(call: Caller, topic_id: str, body: str = "A reply") -> Any:
    return call("POST", f"/api/topics/{topic_id}/posts", {"body": body}, claims=OTHER)


@pytest.fixture
def replier_profile(call: Caller) -> None:
    # A member's first write makes their profile in a transaction of its own; with the profile
    # there, the reply below reads the topic once, as the race needs.
    assert call("GET", "/api/me", claims=OTHER).status == 200


def test_a_reply_racing_a_move_is_counted_in_the_new_board(
    call: Caller, board, topic, meanwhile, replier_profile
) -> None:
    other = call("POST", "/api/boards", {"name": "Other"}, claims=ADMIN).json["id"]
    meanwhile(
        posts,
        "get_topic",
        lambda: moderation.change_topic(MODERATOR_MEMBER, topic["id"], board_id=other),
    )
    answer = reply(call, topic["id"])
    assert answer.status == 201, answer.text
    shown = call("GET", f"/api/topics/{topic['id']}").json["topic"]
    assert shown["board"]["id"] == other and shown["reply_count"] == 1
    assert boards(call) == {board["id"]: (0, 0, None), other: (1, 2, topic["id"])}


def test_a_reply_racing_a_lock_is_refused(call: Caller, topic, meanwhile, replier_profile) -> None:
    meanwhile(
        posts,
        "get_topic",
        lambda: moderation.change_topic(MODERATOR_MEMBER, topic["id"], locked=True),
    )
    answer = reply(call, topic["id"], "Sneaking in")
    assert answer.status == 423, answer.text
    shown = call("GET", f"/api/topics/{topic['id']}").json
    assert shown["topic"]["locked"] is True and shown["topic"]["reply_count"] == 0
    assert [post["number"] for post in shown["posts"]] == [1]


def test_a_reply_racing_a_pin_keeps_the_topic_pinned_first(
    call: Caller, board, topic, meanwhile, replier_profile
) -> None:
    newer = call(
        "POST", f"/api/boards/{board['id']}/topics", {"title": "Newer", "body": "b"}, claims=MEMBER
    ).json["topic"]["id"]
    meanwhile(
        posts, "get_topic", lambda: moderation.change_topic(MODERATOR_MEMBER, newer, pinned=True)
    )
    assert reply(call, newer).status == 201
    # Even after the other topic's newer activity, the pinned one heads the board
    assert reply(call, topic["id"]).status == 201
    listed = call("GET", f"/api/boards/{board['id']}").json["topics"]
    assert [(found["id"], found["pinned"]) for found in listed] == [
        (newer, True),
        (topic["id"], False),
    ]


def test_a_post_removal_racing_the_topics_removal_is_counted_once(
    call: Caller, board, topic, meanwhile
) -> None:
    for _ in range(2):
        assert reply(call, topic["id"]).status == 201
    assert boards(call)[board["id"]][:2] == (1, 3)
    meanwhile(removal, "_any_topic", lambda: removal.remove(REPLIER, topic["id"], 2))
    answer = call("DELETE", f"/api/topics/{topic['id']}", claims=MODERATOR)
    assert answer.status == 204, answer.text
    assert boards(call)[board["id"]] == (0, 0, None)
    assert call("GET", "/api/users/other").json["member"]["post_count"] == 0
