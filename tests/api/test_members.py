"""Members' public pages, their own profile, and the author cards of topic pages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.client import BaseClient

from forum import cursors

from ..conftest import ADMIN, MEMBER, MODERATOR, OTHER, Caller
from .test_post_counts import ban_in_table


def reply_to(call: Caller, topic_id: str, body: str, who: dict[str, str] = OTHER) -> Any:
    reply = call("POST", f"/api/topics/{topic_id}/posts", {"body": body}, claims=who)
    assert reply.status == 201, reply.text
    return reply.json


# --- a member's public page -------------------------------------------------------------------


def test_a_members_page_shows_their_profile_and_latest_posts(call: Caller, topic) -> None:
    # Given OTHER replied twice, and MEMBER once
    reply_to(call, topic["id"], "first *reply*")
    reply_to(call, topic["id"], "mine", MEMBER)
    reply_to(call, topic["id"], "second reply")
    # When anyone looks OTHER up (in any case)
    page = call("GET", "/api/users/OTHER")
    # Then they see the profile and OTHER's posts, newest first, with their topics
    assert page.status == 200, page.text
    member = page.json["member"]
    assert member["username"] == "other" and member["display_name"] == "other"
    assert member["post_count"] == 2 and member["topic_count"] == 0
    assert member["role"] == "member" and member["avatar_url"] is None
    assert member["joined_at"] <= page.json["posts"][0]["created_at"]
    posts = page.json["posts"]
    assert [post["number"] for post in posts] == [4, 2]
    assert posts[1]["body_html"] == "<p>first <em>reply</em></p>\n"
    assert posts[0]["topic"] == {"id": topic["id"], "title": "Hello"} and posts[0]["page"] == 1
    assert page.json["next_cursor"] is None


def test_a_members_posts_page_with_cursors_and_leave_out_removed_ones(call: Caller, topic) -> None:
    for index in range(23):
        reply_to(call, topic["id"], f"reply {index}")
    assert call("DELETE", f"/api/topics/{topic['id']}/posts/24", claims=OTHER).status == 204
    first = call("GET", "/api/users/other").json
    assert first["member"]["post_count"] == 22
    assert [post["number"] for post in first["posts"]] == list(range(23, 3, -1))
    second = call("GET", f"/api/users/other?cursor={first['next_cursor']}").json
    assert [post["number"] for post in second["posts"]] == [3, 2]
    assert second["next_cursor"] is None
    assert second["member"]["username"] == "other"


def test_posts_of_a_removed_topic_leave_the_members_page(call: Caller, topic) -> None:
    reply_to(call, topic["id"], "soon gone")
    assert call("DELETE", f"/api/topics/{topic['id']}", claims=MODERATOR).status == 204
    page = call("GET", "/api/users/other").json
    assert page["posts"] == [] and page["member"]["post_count"] == 0


def test_bad_cursors_and_unknown_members(call: Caller, topic) -> None:
    reply_to(call, topic["id"], "hello")
    board_cursor = cursors.encode(f"0#2024-01-01T00:00:00.000000Z#{topic['id']}")
    for bad in ("nonsense", "W10", board_cursor, "x" * 401):
        reply = call("GET", f"/api/users/other?cursor={bad}")
        assert reply.status in (400, 422), (bad, reply.text)
        assert reply.headers["content-type"] == "application/problem+json"
    assert call("GET", "/api/users/nobody").status == 404
    # MEMBER started the topic; MODERATOR never came: unknown until their first call
    assert call("GET", "/api/users/member").status == 200
    assert call("GET", "/api/users/moderator").status == 404


# --- the member's own profile -----------------------------------------------------------------


def test_the_first_call_to_me_makes_the_profile_with_the_role_of_the_token(
    call: Caller, table
) -> None:
    for who, role in ((MEMBER, "member"), (MODERATOR, "moderator"), (ADMIN, "admin")):
        reply = call("GET", "/api/me", claims=who)
        assert reply.status == 200, reply.text
        assert reply.json["role"] == role and reply.json["ban"] is None
        assert reply.json["id"] == who["sub"]
    assert call("GET", "/api/me").status == 401


def test_a_role_given_outside_the_forum_reaches_the_profile_with_the_next_token(
    call: Caller, table
) -> None:
    # Given a member with a profile, made an admin in the Cognito console afterwards
    assert call("GET", "/api/me", claims=MEMBER).json["role"] == "member"
    promoted = {**MEMBER, "cognito:groups": "[admins]"}
    # When they call with their new token, then their profile shows the role
    assert call("GET", "/api/me", claims=promoted).json["role"] == "admin"
    assert call("GET", "/api/users/member").json["member"]["role"] == "admin"


def test_members_change_their_display_name_about_and_avatar(call: Caller, table) -> None:
    # An avatar is an upload of the member's, made as one (tests/api/test_avatars.py)
    upload = {"filename": "me.png", "content_type": "image/png", "size": 999, "purpose": "avatar"}
    avatar_id = call("POST", "/api/uploads", upload, claims=MEMBER).json["attachment"]["id"]
    changed = call(
        "PATCH",
        "/api/me",
        {
            "display_name": "  Mem Ber ",
            "about": "I like **forums**",
            "avatar_attachment_id": avatar_id,
        },
        claims=MEMBER,
    )
    assert changed.status == 200, changed.text
    me = changed.json
    assert me["display_name"] == "Mem Ber"
    assert me["about"] == "I like **forums**"
    assert me["about_html"] == "<p>I like <strong>forums</strong></p>\n"
    # no address until its images are made
    assert me["avatar_attachment_id"] == avatar_id and me["avatar_url"] is None
    # leaving a field out keeps it; null removes the avatar; an empty about clears it
    kept = call("PATCH", "/api/me", {"about": ""}, claims=MEMBER).json
    assert kept["display_name"] == "Mem Ber" and kept["avatar_attachment_id"] == avatar_id
    assert kept["about"] == "" and kept["about_html"] == ""
    cleared = call("PATCH", "/api/me", {"avatar_attachment_id": None}, claims=MEMBER).json
    assert cleared["avatar_attachment_id"] is None and cleared["display_name"] == "Mem Ber"
    public = call("GET", "/api/users/member").json["member"]
    assert public["display_name"] == "Mem Ber"
    assert "avatar_attachment_id" not in public and "ban" not in public


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"display_name": "a\x07b"}, "display_name"),
        ({"display_name": "line\nbreak"}, "display_name"),
        ({"display_name": "   "}, "display_name"),
        ({"display_name": "x" * 41}, "display_name"),
        ({"about": "x" * 1001}, "about"),
        ({"about": "bell \x07"}, "about"),
        ({"avatar_attachment_id": "../etc"}, "avatar_attachment_id"),
        ({"display_name": 5}, "body.display_name"),
        ({"role": "admin"}, "body.role"),
        ({}, None),
    ],
)
def test_bad_profile_changes_are_422_and_change_nothing(
    call: Caller, table, body: dict[str, Any], field: str | None
) -> None:
    before = call("GET", "/api/me", claims=MEMBER).json
    reply = call("PATCH", "/api/me", body, claims=MEMBER)
    assert reply.status == 422, reply.text
    if field:
        assert reply.json["errors"][0]["field"] == field
    assert call("GET", "/api/me", claims=MEMBER).json == before


def test_an_about_of_exactly_1000_characters_is_fine(call: Caller, table) -> None:
    reply = call("PATCH", "/api/me", {"about": "x" * 1000}, claims=MEMBER)
    assert reply.status == 200


def test_a_banned_member_sees_the_ban_and_cannot_change_their_profile(call: Caller, table) -> None:
    call("GET", "/api/me", claims=OTHER)
    ban_in_table(table, "user-other", "9999-12-31T23:59:59.999999Z", "rude")
    me = call("GET", "/api/me", claims=OTHER).json
    assert me["ban"]["banned_until"] == "forever" and me["ban"]["reason"] == "rude"
    refused = call("PATCH", "/api/me", {"display_name": "Innocent"}, claims=OTHER)
    assert refused.status == 403 and "rude" in refused.json["detail"]
    assert call("GET", "/api/me", claims=OTHER).json["display_name"] == "other"
    assert call("PATCH", "/api/me", {"display_name": "x"}).status == 401


# --- author cards -----------------------------------------------------------------------------


class RequestCounter:
    """Counts the DynamoDB requests botocore makes, by operation."""

    def __init__(self) -> None:
        self.operations: list[str] = []

    def __call__(self, model: Any, **_: Any) -> None:
        self.operations.append(model.name)


@pytest.fixture
def dynamodb_requests(monkeypatch: pytest.MonkeyPatch) -> Iterator[RequestCounter]:
    """Every DynamoDB request of every botocore client, through botocore's event hook.

    PynamoDB makes one client per model class; each client copies its session's handlers when
    it is made, so the hook is registered on every client as it makes its first call.
    """
    counter = RequestCounter()
    hooked: dict[int, BaseClient] = {}
    make_api_call = BaseClient._make_api_call  # type: ignore[attr-defined]

    def hooking(client: BaseClient, operation: str, params: Any) -> Any:
        if id(client) not in hooked:
            hooked[id(client)] = client
            client.meta.events.register("before-call.dynamodb", counter)
        return make_api_call(client, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", hooking)
    yield counter
    for client in hooked.values():
        client.meta.events.unregister("before-call.dynamodb", counter)


def test_topic_pages_carry_author_cards_at_no_extra_request(
    call: Caller, topic, dynamodb_requests: RequestCounter
) -> None:
    # Given a topic by MEMBER with replies by OTHER and a moderator
    reply_to(call, topic["id"], "hi")
    reply_to(call, topic["id"], "welcome", MODERATOR)
    reply_to(call, topic["id"], "again")
    call("PATCH", "/api/me", {"display_name": "Other One"}, claims=OTHER)
    # When the page is read
    dynamodb_requests.operations.clear()
    page = call("GET", f"/api/topics/{topic['id']}")
    # Then it took the posts, then the topic with one batch of profiles: two requests
    assert page.status == 200
    assert dynamodb_requests.operations == ["Query", "BatchGetItem"]
    # And every post has its author's card
    cards = [post["author_card"] for post in page.json["posts"]]
    assert [card["name"] for card in cards] == ["member", "other", "moderator", "other"]
    assert cards[1] == {
        "id": "user-other",
        "name": "other",
        "display_name": "Other One",
        "avatar_url": None,
        "post_count": 2,
        "role": "member",
    }
    assert cards[0]["post_count"] == 1 and cards[2]["role"] == "moderator"
    # And the posts' own author fields are still there
    assert page.json["posts"][1]["author"] == {"id": "user-other", "name": "other"}
