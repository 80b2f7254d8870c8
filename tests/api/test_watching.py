"""Watching and muting topics, watching boards, the Watched list and auto-watching."""

from __future__ import annotations

from typing import Any

from .. import notices
from ..conftest import MEMBER, MODERATOR, OTHER, Caller
from ..factory import new_topic


def watch(call: Caller, topic_id: str, level: str = "watching", claims: Any = MEMBER) -> Any:
    return call("PUT", f"/api/topics/{topic_id}/watch", {"level": level}, claims=claims)


def test_a_member_watches_mutes_and_stops_watching_a_topic(
    call: Caller, topic: dict[str, Any]
) -> None:
    # Given a topic nobody watches
    path = f"/api/topics/{topic['id']}/watch"
    assert call("GET", path, claims=OTHER).json == {"level": None}
    # When a member watches it, then mutes it, then stops
    watched = watch(call, topic["id"], claims=OTHER)
    assert watched.status == 200 and watched.json == {"level": "watching"}
    assert watched.headers["cache-control"] == "private, no-store"
    assert call("GET", path, claims=OTHER).json == {"level": "watching"}
    assert watch(call, topic["id"], "muted", claims=OTHER).json == {"level": "muted"}
    assert call("GET", path, claims=OTHER).json == {"level": "muted"}
    assert call("DELETE", path, claims=OTHER).status == 204
    # Then it is not watched; stopping again is no trouble
    assert call("GET", path, claims=OTHER).json == {"level": None}
    assert call("DELETE", path, claims=OTHER).status == 204


def test_a_watch_is_the_members_own(call: Caller, topic: dict[str, Any]) -> None:
    watch(call, topic["id"], claims=OTHER)
    assert call("GET", f"/api/topics/{topic['id']}/watch", claims=MEMBER).json == {"level": None}


def test_the_watched_list_shows_topics_and_boards(
    call: Caller, board: dict[str, Any], topic: dict[str, Any]
) -> None:
    # Given a member watching a topic and a board, and muting another topic
    other_topic = new_topic(call, board["id"], "Noisy", claims=MEMBER)
    watch(call, topic["id"], claims=OTHER)
    watch(call, other_topic["id"], "muted", claims=OTHER)
    assert call("PUT", f"/api/boards/{board['id']}/watch", claims=OTHER).json == {
        "level": "watching"
    }
    # When they ask for their Watched list
    listed = call("GET", "/api/me/watched", claims=OTHER)
    # Then all three are there, with titles and where to find them
    assert listed.status == 200, listed.text
    assert listed.headers["cache-control"] == "private, no-store"
    found = {(item["what"], item["title"], item["level"]) for item in listed.json["watched"]}
    assert found == {
        ("board", "General", "watching"),
        ("topic", "Hello", "watching"),
        ("topic", "Noisy", "muted"),
    }
    urls = {item["url"] for item in listed.json["watched"]}
    assert f"/b/{board['id']}" in urls and f"/t/{topic['id']}" in urls
    assert listed.json["auto_watch"] is True and listed.json["next_cursor"] is None
    # And the board's watch can be read and stopped
    assert call("GET", f"/api/boards/{board['id']}/watch", claims=OTHER).json == {
        "level": "watching"
    }
    assert call("DELETE", f"/api/boards/{board['id']}/watch", claims=OTHER).status == 204
    assert len(call("GET", "/api/me/watched", claims=OTHER).json["watched"]) == 2


def test_the_watched_list_pages(call: Caller, board: dict[str, Any]) -> None:
    for index in range(53):
        topic = new_topic(call, board["id"], f"Topic {index}")
        watch(call, topic["id"], claims=OTHER)
    first = call("GET", "/api/me/watched", claims=OTHER).json
    assert len(first["watched"]) == 50 and first["next_cursor"]
    second = call("GET", f"/api/me/watched?cursor={first['next_cursor']}", claims=OTHER).json
    assert len(second["watched"]) == 3 and second["next_cursor"] is None
    ids = {item["id"] for item in first["watched"] + second["watched"]}
    assert len(ids) == 53


def test_a_forged_watched_cursor_is_400(call: Caller, table: Any) -> None:
    reply = call("GET", "/api/me/watched?cursor=WyJQUk9GSUxFIl0", claims=OTHER)
    assert reply.status == 400
    assert reply.headers["content-type"] == "application/problem+json"


def test_watching_a_removed_or_unknown_topic_or_board_is_404(
    call: Caller, board: dict[str, Any], topic: dict[str, Any]
) -> None:
    # Given a removed topic
    assert call("DELETE", f"/api/topics/{topic['id']}", claims=MODERATOR).status == 204
    # Then watching it is 404 with a problem, and nothing is listed
    for path in (f"/api/topics/{topic['id']}/watch", "/api/topics/nope/watch"):
        reply = call("PUT", path, {"level": "watching"}, claims=OTHER)
        assert reply.status == 404
        assert reply.headers["content-type"] == "application/problem+json"
    assert call("PUT", "/api/boards/nope/watch", claims=OTHER).status == 404
    assert call("GET", "/api/me/watched", claims=OTHER).json["watched"] == []


def test_a_watch_level_must_be_known(call: Caller, topic: dict[str, Any]) -> None:
    reply = watch(call, topic["id"], "loud", claims=OTHER)
    assert reply.status == 422
    assert reply.headers["content-type"] == "application/problem+json"
    bad_id = call("PUT", "/api/topics/a%20b/watch", {"level": "watching"}, claims=OTHER)
    assert bad_id.status == 422


def test_a_member_watches_what_they_post_in_unless_they_turned_it_off(
    call: Caller, board: dict[str, Any], topic: dict[str, Any]
) -> None:
    # Given a member who replies, and another who turned auto-watching off and replies too
    assert call("PUT", "/api/me/auto-watch", {"enabled": False}, claims=MODERATOR).json == {
        "auto_watch": False
    }
    call("POST", f"/api/topics/{topic['id']}/posts", {"body": "me too"}, claims=OTHER)
    call("POST", f"/api/topics/{topic['id']}/posts", {"body": "and me"}, claims=MODERATOR)
    # The reply's own request makes no watch: the notifier does, off the write path
    path = f"/api/topics/{topic['id']}/watch"
    assert call("GET", path, claims=OTHER).json == {"level": None}
    # When the notifier handles the new posts (the topic's own too)
    notices.deliver(
        [
            *notices.started(topic["id"]),
            notices.new_post(topic["id"], 2),
            notices.new_post(topic["id"], 3),
        ]
    )
    # Then the starter and the replier watch it, and the one who turned it off does not
    assert call("GET", path, claims=MEMBER).json == {"level": "watching"}
    assert call("GET", path, claims=OTHER).json == {"level": "watching"}
    assert call("GET", path, claims=MODERATOR).json == {"level": None}
    assert call("GET", "/api/me/watched", claims=MODERATOR).json["auto_watch"] is False


def test_auto_watching_leaves_a_mute_alone(call: Caller, topic: dict[str, Any]) -> None:
    watch(call, topic["id"], "muted", claims=OTHER)
    call("POST", f"/api/topics/{topic['id']}/posts", {"body": "one more"}, claims=OTHER)
    notices.deliver([notices.new_post(topic["id"], 2)])
    assert call("GET", f"/api/topics/{topic['id']}/watch", claims=OTHER).json == {"level": "muted"}


def test_auto_watch_takes_a_boolean(call: Caller, table: Any) -> None:
    reply = call("PUT", "/api/me/auto-watch", {"enabled": "yes"}, claims=OTHER)
    assert reply.status == 422
