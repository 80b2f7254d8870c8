"""The board index, creating boards, and a board's pages of topics."""

from __future__ import annotations

from ..conftest import ADMIN, MEMBER, MODERATOR, Caller
from ..factory import new_board, new_topic


def test_an_admin_creates_boards_and_they_are_listed_in_order(call: Caller) -> None:
    # Given an empty forum, when an admin creates two boards
    first = new_board(call, "  Announcements ", "News from us")
    second = new_board(call, "General")
    # then both are listed, in creation order, trimmed, with empty counters
    listed = call("GET", "/api/boards").json["boards"]
    assert [board["name"] for board in listed] == ["Announcements", "General"]
    assert listed[0] == {
        "id": first["id"],
        "name": "Announcements",
        "description": "News from us",
        "topic_count": 0,
        "post_count": 0,
        "last_post": None,
    }
    assert listed[1]["id"] == second["id"]


def test_creating_a_board_answers_201_with_its_location(call: Caller) -> None:
    reply = call("POST", "/api/boards", {"name": "Help"}, claims=ADMIN)
    assert reply.status == 201
    assert reply.headers["location"] == f"/api/boards/{reply.json['id']}"


def test_only_admins_create_boards(call: Caller) -> None:
    anonymous = call("POST", "/api/boards", {"name": "Mine"})
    assert anonymous.status == 401
    assert anonymous.headers["content-type"] == "application/problem+json"
    assert anonymous.json["status"] == 401 and anonymous.json["type"].endswith("unauthorized")
    for who in (MEMBER, MODERATOR):
        refused = call("POST", "/api/boards", {"name": "Mine"}, claims=who)
        assert refused.status == 403
        assert "admins" in refused.json["detail"]
    assert call("GET", "/api/boards").json["boards"] == []


def test_bad_board_input_is_refused(call: Caller) -> None:
    assert call("POST", "/api/boards", {"name": "   "}, claims=ADMIN).status == 422
    assert call("POST", "/api/boards", {"name": "x" * 81}, claims=ADMIN).status == 422
    assert call("POST", "/api/boards", {"name": "a\tb"}, claims=ADMIN).status == 422
    assert call("POST", "/api/boards", {}, claims=ADMIN).status == 422
    assert call("POST", "/api/boards", {"name": "A", "color": "red"}, claims=ADMIN).status == 422
    assert call("POST", "/api/boards", {"name": ["A"]}, claims=ADMIN).status == 422
    assert call("POST", "/api/boards", raw_body="{name: A}", claims=ADMIN).status == 400
    assert call("POST", "/api/boards", raw_body="[]", claims=ADMIN).status == 422
    assert call("GET", "/api/boards").json["boards"] == []


def test_a_board_lists_pinned_topics_first_then_by_last_activity(call: Caller, table) -> None:
    board = new_board(call, "General")
    old = new_topic(call, board["id"], "Old")
    middle = new_topic(call, board["id"], "Middle")
    new = new_topic(call, board["id"], "New")
    # pin the oldest (pinning arrives with moderation; set it the way the service stores it)
    item = table.get_item(Key={"pk": f"TOPIC#{old['id']}", "sk": "TOPIC"})["Item"]
    table.update_item(
        Key={"pk": f"TOPIC#{old['id']}", "sk": "TOPIC"},
        UpdateExpression="SET pinned = :t, gsi1sk = :k",
        ExpressionAttributeValues={":t": True, ":k": "1" + item["gsi1sk"][1:]},
    )
    # a reply makes the middle topic the most recently active
    reply = call("POST", f"/api/topics/{middle['id']}/posts", {"body": "bump"}, claims=MEMBER)
    assert reply.status == 201
    page = call("GET", f"/api/boards/{board['id']}").json
    assert [topic["title"] for topic in page["topics"]] == ["Old", "Middle", "New"]
    assert page["topics"][0]["pinned"] is True
    assert page["topics"][1]["reply_count"] == 1
    assert page["board"]["topic_count"] == 3 and page["board"]["post_count"] == 4
    assert page["next_cursor"] is None
    summary = page["topics"][2]
    assert summary["id"] == new["id"]
    assert summary["started_by"] == {"id": "user-member", "name": "member"}
    assert summary["last_post"]["number"] == 1
    assert summary["view_count"] == 0 and summary["locked"] is False


def test_a_board_pages_through_its_topics_with_cursors(call: Caller) -> None:
    board = new_board(call, "Busy")
    titles = [f"Topic {index:02d}" for index in range(45)]
    for title in titles:
        new_topic(call, board["id"], title)
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        url = f"/api/boards/{board['id']}" + (f"?cursor={cursor}" if cursor else "")
        page = call("GET", url).json
        pages += 1
        assert len(page["topics"]) <= 20
        seen += [topic["title"] for topic in page["topics"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == list(reversed(titles))


def test_bad_cursors_and_unknown_boards(call: Caller) -> None:
    board = new_board(call, "General")
    for cursor in ("garbage!", "eyJ4IjoxfQ", "W10", "WyIxIl0", "x" * 401):
        reply = call("GET", f"/api/boards/{board['id']}?cursor={cursor}")
        assert reply.status in (400, 422), (cursor, reply.text)
        assert reply.headers["content-type"] == "application/problem+json"
    missing = call("GET", "/api/boards/no-such-board")
    assert missing.status == 404
    assert "no-such-board" in missing.json["detail"]
    assert call("GET", "/api/boards/" + "x" * 65).status == 422
