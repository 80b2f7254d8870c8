"""Moderators lock, pin, move, retitle and remove topics, and ban members; admins manage boards
and the moderator role."""

from __future__ import annotations

from typing import Any

import pytest

from ..cognito import MemberPool
from ..conftest import ADMIN, MEMBER, MODERATOR, OTHER, Caller
from .test_boards import new_board, new_topic
from .test_post_counts import all_items, counts


def board_id(call: Caller, name: str) -> str:
    return str(new_board(call, name)["id"])


def topic_id(call: Caller, board: str, title: str) -> str:
    return str(new_topic(call, board, title)["id"])


def change(call: Caller, topic_id: str, body: dict[str, Any], who: dict[str, str] = MODERATOR):
    return call("PATCH", f"/api/topics/{topic_id}", body, claims=who)


def board_listing(call: Caller, board_id: str) -> dict[str, Any]:
    return next(b for b in call("GET", "/api/boards").json["boards"] if b["id"] == board_id)


def topic_ids(call: Caller, board_id: str) -> list[str]:
    return [topic["id"] for topic in call("GET", f"/api/boards/{board_id}").json["topics"]]


def reply(call: Caller, topic_id: str, who: dict[str, str] = OTHER, body: str = "a reply"):
    return call("POST", f"/api/topics/{topic_id}/posts", {"body": body}, claims=who)


# --- locking, pinning, retitling --------------------------------------------------------------


def test_a_locked_topic_takes_replies_from_moderators_only(call: Caller, topic) -> None:
    locked = change(call, topic["id"], {"locked": True})
    assert locked.status == 200, locked.text
    assert locked.json["locked"] is True and locked.json["id"] == topic["id"]
    refused = reply(call, topic["id"])
    assert refused.status == 423 and "locked" in refused.json["detail"]
    assert reply(call, topic["id"], MODERATOR).status == 201
    assert change(call, topic["id"], {"locked": False}, ADMIN).json["locked"] is False
    assert reply(call, topic["id"]).status == 201


def test_pinning_puts_a_topic_first_in_its_board(call: Caller, board) -> None:
    older = topic_id(call, board["id"], "Older")
    newer = topic_id(call, board["id"], "Newer")
    assert topic_ids(call, board["id"]) == [newer, older]
    assert change(call, older, {"pinned": True}).json["pinned"] is True
    assert topic_ids(call, board["id"]) == [older, newer]
    # a reply to the newer topic does not lift it above the pinned one
    assert reply(call, newer).status == 201
    assert topic_ids(call, board["id"]) == [older, newer]
    assert call("GET", f"/api/topics/{newer}/previous").json["id"] == older
    assert change(call, older, {"pinned": False}).status == 200
    assert topic_ids(call, board["id"]) == [newer, older]


def test_retitling_renames_the_topic_and_the_boards_last_post(call: Caller, board, topic) -> None:
    renamed = change(call, topic["id"], {"title": "  Better title "})
    assert renamed.status == 200
    assert renamed.json["title"] == "Better title"
    assert call("GET", f"/api/topics/{topic['id']}").json["topic"]["title"] == "Better title"
    assert board_listing(call, board["id"])["last_post"]["topic_title"] == "Better title"
    assert reply(call, topic["id"]).json["post"]["number"] == 2
    assert board_listing(call, board["id"])["last_post"]["topic_title"] == "Better title"


# --- moving -----------------------------------------------------------------------------------


def test_moving_a_topic_moves_its_counts_and_last_post(call: Caller, board, topic) -> None:
    # Given a topic with two replies in General, and an older topic in Other
    other_board = board_id(call, "Other")
    stays = topic_id(call, other_board, "Stays here")
    reply(call, topic["id"])
    reply(call, topic["id"])
    quiet = topic_id(call, board["id"], "Quiet")
    # When a moderator moves the first topic (with the board's newest post? no: Quiet is newer)
    moved = change(call, topic["id"], {"board_id": other_board})
    # Then it is in the other board, with its name, and both boards' counters follow
    assert moved.status == 200, moved.text
    assert moved.json["board"] == {"id": other_board, "name": "Other"}
    assert topic_ids(call, board["id"]) == [quiet]
    assert topic_ids(call, other_board) == [topic["id"], stays]
    general, other = board_listing(call, board["id"]), board_listing(call, other_board)
    assert (general["topic_count"], general["post_count"]) == (1, 1)
    assert (other["topic_count"], other["post_count"]) == (2, 4)
    assert general["last_post"]["topic_id"] == quiet
    assert other["last_post"]["topic_id"] == topic["id"] and other["last_post"]["number"] == 3
    # And moving Quiet too leaves General empty, its last post gone
    assert change(call, quiet, {"board_id": other_board, "pinned": True}).status == 200
    general = board_listing(call, board["id"])
    assert (general["topic_count"], general["post_count"], general["last_post"]) == (0, 0, None)
    assert topic_ids(call, other_board) == [quiet, topic["id"], stays]
    # And moving to the board it is in changes nothing
    assert change(call, quiet, {"board_id": other_board}).status == 200
    assert board_listing(call, other_board)["topic_count"] == 3


def test_moderating_unknown_topics_or_boards_and_bad_changes(call: Caller, topic) -> None:
    assert change(call, "no-such-topic", {"locked": True}).status == 404
    unknown_board = change(call, topic["id"], {"board_id": "no-such-board"})
    assert unknown_board.status == 404 and "board" in unknown_board.json["detail"]
    for body in ({}, {"title": " "}, {"title": "x" * 201}, {"locked": "yes"}, {"sticky": True}):
        assert change(call, topic["id"], body).status == 422, body
    assert change(call, topic["id"], {"board_id": "../x"}).status == 422
    assert change(call, topic["id"], {"locked": True}, MEMBER).status == 403
    assert change(call, topic["id"], {"locked": True}, OTHER).status == 403
    assert change(call, topic["id"], {"locked": True}, None).status == 401  # type: ignore[arg-type]
    page = call("GET", f"/api/topics/{topic['id']}").json["topic"]
    assert page["locked"] is False and page["title"] == "Hello"


# --- removing topics --------------------------------------------------------------------------


def test_a_moderator_removes_a_topic(call: Caller, board, topic) -> None:
    reply(call, topic["id"])
    assert call("DELETE", f"/api/topics/{topic['id']}", claims=MEMBER).status == 403
    assert call("DELETE", f"/api/topics/{topic['id']}", claims=MODERATOR).status == 204
    assert call("GET", f"/api/topics/{topic['id']}").status == 404
    assert board_listing(call, board["id"])["topic_count"] == 0
    assert call("DELETE", f"/api/topics/{topic['id']}", claims=ADMIN).status == 404
    assert call("DELETE", "/api/topics/never-was", claims=ADMIN).status == 404
    assert call("DELETE", f"/api/topics/{topic['id']}").status == 401


# --- bans -------------------------------------------------------------------------------------


@pytest.fixture
def members(cognito: MemberPool, call: Caller, topic) -> MemberPool:
    """ADMIN, MODERATOR, MEMBER and OTHER as Cognito users, each with a profile."""
    for who in (ADMIN, MODERATOR, MEMBER, OTHER):
        cognito.add_claims(who)
        assert call("GET", "/api/me", claims=who).status == 200
    return cognito


def ban(call: Caller, username: str, body: dict[str, Any], who: dict[str, str] = MODERATOR):
    return call("POST", f"/api/users/{username}/ban", body, claims=who)


def test_a_ban_refuses_every_write_at_once_and_lifting_it_allows_them(
    call: Caller, table, topic, members: MemberPool
) -> None:
    # When a moderator bans OTHER
    banned = ban(call, "Other", {"reason": "Spam, again"})
    # Then the answer shows the ban
    assert banned.status == 200, banned.text
    assert banned.json["ban"]["banned_until"] == "forever"
    assert banned.json["ban"]["reason"] == "Spam, again"
    assert banned.json["ban"]["banned_by"] == {"id": "user-moderator", "name": "moderator"}
    assert banned.json["member"]["username"] == "other"
    # And OTHER can read, see their ban, but not write
    assert call("GET", f"/api/topics/{topic['id']}").status == 200
    assert call("GET", "/api/me", claims=OTHER).json["ban"]["reason"] == "Spam, again"
    refused = reply(call, topic["id"])
    assert refused.status == 403 and "Spam, again" in refused.json["detail"]
    # And heartbeats still count them as a viewer
    beat = call("POST", f"/api/topics/{topic['id']}/heartbeat/member", {}, claims=OTHER)
    assert beat.status == 200
    # When the ban is lifted, they write again
    assert call("DELETE", "/api/users/other/ban", claims=ADMIN).status == 204
    assert call("GET", "/api/me", claims=OTHER).json["ban"] is None
    assert reply(call, topic["id"]).status == 201


def test_a_ban_with_an_end(call: Caller, topic, members: MemberPool) -> None:
    banned = ban(call, "other", {"reason": "cool off", "until": "2999-01-02T03:04:05+02:00"})
    assert banned.status == 200, banned.text
    assert banned.json["ban"]["banned_until"] == "2999-01-02T01:04:05.000000Z"
    assert reply(call, topic["id"]).status == 403
    naive = ban(call, "other", {"reason": "cool off", "until": "2999-01-02T03:04:05"})
    assert naive.json["ban"]["banned_until"] == "2999-01-02T03:04:05.000000Z"


def test_bans_that_cannot_be(call: Caller, table, members: MemberPool) -> None:
    before = all_items(table)
    # admins and oneself: 409
    admin = ban(call, "admin", {"reason": "coup"})
    assert admin.status == 409 and "admin" in admin.json["detail"]
    assert ban(call, "moderator", {"reason": "oops"}).status == 409
    # members cannot ban: 403; nobody without a token: 401
    assert ban(call, "other", {"reason": "x"}, MEMBER).status == 403
    assert call("POST", "/api/users/other/ban", {"reason": "x"}).status == 401
    # unknown members: 404; bad bodies: 422
    assert ban(call, "nobody", {"reason": "x"}).status == 404
    for body in ({}, {"reason": ""}, {"reason": "x" * 501}, {"reason": "a\x00b"}):
        assert ban(call, "other", body).status == 422, body
    past = ban(call, "other", {"reason": "x", "until": "2001-01-01T00:00:00Z"})
    assert past.status == 422 and past.json["errors"][0]["field"] == "until"
    assert ban(call, "other", {"reason": "x", "until": "soon"}).status == 422
    # the last day there is, in a zone west of UTC, is past the year 9999 once in UTC
    late = ban(call, "other", {"reason": "x", "until": "9999-12-31T23:59:59-01:00"})
    assert late.status == 422 and late.json["errors"][0]["field"] == "until", late.text
    # and nobody is any different
    assert all_items(table) == before
    assert call("DELETE", "/api/users/nobody/ban", claims=MODERATOR).status == 404
    assert call("DELETE", "/api/users/other/ban", claims=OTHER).status == 403


def test_a_banned_moderator_cannot_moderate(call: Caller, topic, members: MemberPool) -> None:
    members.add("mod2", ("moderators",))
    mod2 = {**MODERATOR, "sub": members.users["mod2"], "cognito:username": "mod2"}
    assert ban(call, "moderator", {"reason": "abuse"}, mod2).status == 200
    refused = change(call, topic["id"], {"locked": True})
    assert refused.status == 403 and "abuse" in refused.json["detail"]
    assert ban(call, "other", {"reason": "x"}).status == 403


def test_a_member_banned_before_their_first_call_gets_a_profile_with_the_ban(
    call: Caller, table, topic, cognito: MemberPool
) -> None:
    # Given a member who signed up through the API but never came back
    cognito.add_claims(MODERATOR)
    signed_up = call(
        "POST",
        "/api/accounts",
        {"username": "troll", "email": "troll@example.com", "password": "Trolling-1234"},
    )
    assert signed_up.status == 201
    assert call("GET", "/api/users/troll").status == 404
    # When a moderator bans them, then the ban is kept for their first call
    assert ban(call, "troll", {"reason": "known troll"}).status == 200
    troll = {**OTHER, "sub": signed_up.json["user_id"], "cognito:username": "troll"}
    assert reply(call, topic["id"], troll).status == 403
    assert counts(table, signed_up.json["user_id"]) == (0, 0)


# --- the moderator role -----------------------------------------------------------------------


def test_admins_grant_and_revoke_the_moderator_role(
    call: Caller, topic, members: MemberPool
) -> None:
    granted = call("PUT", "/api/users/OTHER/moderator", claims=ADMIN)
    assert granted.status == 200, granted.text
    assert granted.json["member"]["role"] == "moderator"
    assert members.groups_of("other") == {"moderators"}
    # the card shows the role at once; the member's old token still says member
    assert call("GET", "/api/users/other").json["member"]["role"] == "moderator"
    assert call("GET", "/api/me", claims=OTHER).json["role"] == "moderator"
    # granting twice is fine
    assert call("PUT", "/api/users/other/moderator", claims=ADMIN).status == 200
    revoked = call("DELETE", "/api/users/other/moderator", claims=ADMIN)
    assert revoked.status == 200
    assert revoked.json["member"]["role"] == "member"
    assert members.groups_of("other") == set()
    # revoking leaves an admin an admin
    assert call("PUT", "/api/users/admin/moderator", claims=ADMIN).json["member"]["role"] == "admin"
    assert call("DELETE", "/api/users/admin/moderator", claims=ADMIN).json["member"]["role"] == (
        "admin"
    )


def test_only_admins_change_roles_of_members_who_exist(
    call: Caller, table, members: MemberPool
) -> None:
    assert call("PUT", "/api/users/other/moderator", claims=MODERATOR).status == 403
    assert call("PUT", "/api/users/other/moderator", claims=MEMBER).status == 403
    assert call("DELETE", "/api/users/moderator/moderator", claims=MODERATOR).status == 403
    assert call("PUT", "/api/users/other/moderator").status == 401
    assert call("PUT", "/api/users/nobody/moderator", claims=ADMIN).status == 404
    assert members.groups_of("other") == set()
    assert members.groups_of("moderator") == {"moderators"}
    # a name held in the forum whose Cognito user is gone: 404, nothing changed
    members.client.admin_delete_user(UserPoolId=members.pool_id, Username="other")
    gone = call("PUT", "/api/users/other/moderator", claims=ADMIN)
    assert gone.status == 404
    assert call("GET", "/api/users/other").json["member"]["role"] == "member"


def test_a_revoked_moderators_old_token_does_not_restore_the_role(
    call: Caller, members: MemberPool
) -> None:
    assert call("DELETE", "/api/users/moderator/moderator", claims=ADMIN).status == 200
    # the moderator's token, issued before the revocation, still says "moderators"
    old_token = {**MODERATOR, "iat": str(int(MODERATOR["iat"]) - 60)}
    assert call("GET", "/api/me", claims=old_token).json["role"] == "member"
    assert call("GET", "/api/users/moderator").json["member"]["role"] == "member"


# --- boards -----------------------------------------------------------------------------------


def test_admins_rename_describe_and_reorder_boards(call: Caller, board, topic) -> None:
    second = board_id(call, "Second")
    renamed = call(
        "PATCH",
        f"/api/boards/{board['id']}",
        {"name": " Renamed ", "description": "New words", "position": 10**12},
        claims=ADMIN,
    )
    assert renamed.status == 200, renamed.text
    assert renamed.json["name"] == "Renamed" and renamed.json["description"] == "New words"
    # the board's topics carry the new name
    page = call("GET", f"/api/topics/{topic['id']}").json
    assert page["topic"]["board"] == {"id": board["id"], "name": "Renamed"}
    # and the board now comes last
    listed = [b["id"] for b in call("GET", "/api/boards").json["boards"]]
    assert listed == [second, board["id"]]
    assert call("PATCH", f"/api/boards/{board['id']}", {"position": 0}, claims=ADMIN).status == 200
    assert [b["id"] for b in call("GET", "/api/boards").json["boards"]] == [board["id"], second]


def test_renaming_a_board_of_many_topics_carries_on_when_asked_again(
    call: Caller, board, monkeypatch: pytest.MonkeyPatch
) -> None:
    from forum import boards

    topics = [topic_id(call, board["id"], f"T{index}") for index in range(7)]
    monkeypatch.setattr(boards, "RENAME_BATCH", 3)
    clock = iter(range(0, 10_000, 5))
    monkeypatch.setattr(boards, "_monotonic", lambda: float(next(clock)))
    monkeypatch.setattr(boards, "RENAME_SECONDS", 7.0)
    body = {"name": "Big board"}
    statuses = [call("PATCH", f"/api/boards/{board['id']}", body, claims=ADMIN).status]
    assert statuses == [202]
    while statuses[-1] == 202:
        statuses.append(call("PATCH", f"/api/boards/{board['id']}", body, claims=ADMIN).status)
    assert statuses[-1] == 200 and len(statuses) == 3
    for each in topics:
        board_ref = call("GET", f"/api/topics/{each}").json["topic"]["board"]
        assert board_ref["name"] == "Big board"


def test_board_changes_that_cannot_be(call: Caller, table, board) -> None:
    url = f"/api/boards/{board['id']}"
    before = all_items(table)
    assert call("PATCH", url, {"name": "Mine"}, claims=MODERATOR).status == 403
    assert call("PATCH", url, {"name": "Mine"}, claims=MEMBER).status == 403
    assert call("PATCH", url, {"name": "Mine"}).status == 401
    assert call("PATCH", "/api/boards/nope", {"name": "Mine"}, claims=ADMIN).status == 404
    for body in ({}, {"name": ""}, {"name": "x" * 81}, {"position": -1}, {"colour": "red"}):
        assert call("PATCH", url, body, claims=ADMIN).status == 422, body
    assert all_items(table) == before


def test_only_empty_boards_are_deleted(call: Caller, board, topic) -> None:
    url = f"/api/boards/{board['id']}"
    assert call("DELETE", url, claims=MODERATOR).status == 403
    full = call("DELETE", url, claims=ADMIN)
    assert full.status == 409 and "1 topic" in full.json["detail"]
    assert call("DELETE", f"/api/topics/{topic['id']}", claims=MODERATOR).status == 204
    assert call("DELETE", url, claims=ADMIN).status == 204
    assert call("GET", url).status == 404
    assert call("DELETE", url, claims=ADMIN).status == 404
    # and nobody can start a topic in it any more
    gone = call("POST", f"{url}/topics", {"title": "t", "body": "b"}, claims=MEMBER)
    assert gone.status == 404
