"""Starting topics, reading them page by page, and moving to the previous or next topic."""

from __future__ import annotations

from typing import Any

from ..conftest import MEMBER, OTHER, Caller
from .test_boards import new_board, new_topic


def test_starting_a_topic_writes_topic_post_and_counters_together(call: Caller, board) -> None:
    reply = call(
        "POST",
        f"/api/boards/{board['id']}/topics",
        {"title": "  Hello world ", "body": "Some **bold** text\n\n- one\n- two"},
        claims=MEMBER,
    )
    assert reply.status == 201, reply.text
    topic = reply.json["topic"]
    assert reply.headers["location"] == f"/api/topics/{topic['id']}"
    assert topic["title"] == "Hello world"
    assert topic["board"] == {"id": board["id"], "name": "General"}
    assert topic["started_by"] == {"id": "user-member", "name": "member"}
    assert topic["reply_count"] == 0 and topic["page_count"] == 1 and topic["per_page"] == 20
    post = reply.json["posts"][0]
    assert post["number"] == 1
    assert post["body_html"] == (
        "<p>Some <strong>bold</strong> text</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"
    )
    listed = call("GET", "/api/boards").json["boards"][0]
    assert listed["topic_count"] == 1 and listed["post_count"] == 1
    assert listed["last_post"]["topic_id"] == topic["id"]
    assert listed["last_post"]["topic_title"] == "Hello world"
    assert listed["last_post"]["author"]["name"] == "member"


def test_reading_a_topic(call: Caller, topic: dict[str, Any]) -> None:
    page = call("GET", f"/api/topics/{topic['id']}").json
    assert page["topic"]["id"] == topic["id"]
    assert page["topic"]["page"] == 1
    first = page["posts"][0]
    assert first["body"] == "First *post*"
    assert first["body_html"] == "<p>First <em>post</em></p>\n"
    assert first["edited_at"] is None and first["edited_by"] is None and first["removed"] is False


def test_pages_of_a_long_topic(call: Caller, topic: dict[str, Any]) -> None:
    for index in range(44):
        call("POST", f"/api/topics/{topic['id']}/posts", {"body": f"r{index}"}, claims=OTHER)
    third = call("GET", f"/api/topics/{topic['id']}?page=3").json
    assert third["topic"]["page_count"] == 3
    assert [post["number"] for post in third["posts"]] == [41, 42, 43, 44, 45]
    assert call("GET", f"/api/topics/{topic['id']}?page=4").status == 404
    for bad in ("0", "-1", "two", "1.5"):
        reply = call("GET", f"/api/topics/{topic['id']}?page={bad}")
        assert reply.status == 422, bad
        assert reply.json["errors"][0]["field"].endswith("page")


def test_unknown_topics_are_404(call: Caller, table) -> None:
    reply = call("GET", "/api/topics/does-not-exist")
    assert reply.status == 404
    assert reply.headers["content-type"] == "application/problem+json"
    assert call("GET", "/api/topics/does-not-exist/next").status == 404


def test_bad_topics_are_refused_and_nothing_is_written(call: Caller, board, table) -> None:
    url = f"/api/boards/{board['id']}/topics"
    cases = [
        {"title": "", "body": "text"},
        {"title": "   ", "body": "text"},
        {"title": "x" * 201, "body": "text"},
        {"title": "line\nbreak", "body": "text"},
        {"title": "null\x00byte", "body": "text"},
        {"title": "ok", "body": ""},
        {"title": "ok", "body": "y" * 50_001},
        {"title": "ok"},
        {"title": 3, "body": "text"},
        {"title": "ok", "body": "text", "pinned": True},
    ]
    for case in cases:
        reply = call("POST", url, case, claims=MEMBER)
        assert reply.status == 422, (case, reply.text)
        assert reply.json["detail"]
    assert call("POST", url, {"title": "ok", "body": "z" * 300_000}, claims=MEMBER).status == 413
    assert call("POST", url, raw_body="{", claims=MEMBER).status == 400
    assert call("POST", url, {"title": "ok", "body": "text"}).status == 401
    missing = call("POST", "/api/boards/nope/topics", {"title": "t", "body": "b"}, claims=MEMBER)
    assert missing.status == 404
    # only the board (and the profile its admin got with it) exists: no topic, no post, no
    # counter moved
    items = {item["kind"]: item for item in table.scan()["Items"]}
    assert sorted(items) == ["board", "profile", "username"]
    assert items["board"]["topic_count"] == 0 and items["board"]["post_count"] == 0
    assert "user-member" not in str(items)


def test_a_title_of_exactly_200_characters_is_fine(call: Caller, board) -> None:
    reply = call(
        "POST",
        f"/api/boards/{board['id']}/topics",
        {"title": "t" * 200, "body": "b"},
        claims=MEMBER,
    )
    assert reply.status == 201


def test_previous_and_next_follow_the_board_order(call: Caller) -> None:
    board = new_board(call, "General")
    first = new_topic(call, board["id"], "First")
    second = new_topic(call, board["id"], "Second")
    third = new_topic(call, board["id"], "Third")
    # the board shows Third, Second, First (newest activity first)
    assert call("GET", f"/api/topics/{second['id']}/previous").json == {
        "id": third["id"],
        "title": "Third",
    }
    assert call("GET", f"/api/topics/{second['id']}/next").json == {
        "id": first["id"],
        "title": "First",
    }
    top = call("GET", f"/api/topics/{third['id']}/previous")
    assert top.status == 404 and "first topic" in top.json["detail"]
    assert call("GET", f"/api/topics/{first['id']}/next").status == 404
    # a reply moves First to the top
    call("POST", f"/api/topics/{first['id']}/posts", {"body": "bump"}, claims=OTHER)
    assert call("GET", f"/api/topics/{third['id']}/previous").json["id"] == first["id"]
    assert call("GET", f"/api/topics/{first['id']}/previous").status == 404
