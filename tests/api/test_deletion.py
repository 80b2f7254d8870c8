"""Deleting an account: one's own after signing in again, or another's by a moderator; finished
by repeating it when interrupted, counts exact, the name reserved for a grace period."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest

from forum import clock, deletion
from forum import cognito as cognito_calls
from forum.errors import Busy

from ..cognito import PASSWORD, MemberPool
from ..conftest import Caller
from ..events import claims
from ..factory import new_replies, new_topic
from .test_post_counts import all_items, profile_item


def member(cognito: MemberPool, name: str, groups: tuple[str, ...] = ()) -> dict[str, str]:
    """A Cognito user and fresh claims of theirs (signed in with the password just now)."""
    return claims(cognito.add(name, groups), name, groups)


def delete_me(call: Caller, who: dict[str, str], posts: str = "keep") -> Any:
    return call("POST", "/api/me/deletion", {"posts": posts}, claims=who)


def delete_them(
    call: Caller, who: dict[str, str], username: str, posts: str = "keep", reason: str = "spam"
) -> Any:
    body = {"reason": reason, "posts": posts}
    return call("POST", f"/api/users/{username}/deletion", body, claims=who)


def board_counts(call: Caller, board_id: str) -> tuple[int, int]:
    board = next(b for b in call("GET", "/api/boards").json["boards"] if b["id"] == board_id)
    return board["topic_count"], board["post_count"]


@pytest.fixture
def world(call: Caller, cognito: MemberPool) -> dict[str, Any]:
    """An admin's board; alice started a topic that bob answered, and answered bob's topic."""
    admin = member(cognito, "admin", ("admins",))
    alice, bob = member(cognito, "alice"), member(cognito, "bob")
    board = call("POST", "/api/boards", {"name": "General"}, claims=admin).json
    hers = new_topic(call, board["id"], "Alice's topic", "Hello from alice", claims=alice)
    new_replies(call, hers["id"], ["bob answers"], claims=bob)
    his = new_topic(call, board["id"], "Bob's topic", "Hello from bob", claims=bob)
    new_replies(call, his["id"], ["alice answers", "alice again"], claims=alice)
    return {"admin": admin, "alice": alice, "bob": bob, "board": board, "hers": hers, "his": his}


def test_deleting_ones_account_keeps_the_posts_by_deleted_member(
    call: Caller, table: Any, cognito: MemberPool, world: dict[str, Any]
) -> None:
    # When alice deletes her account, keeping her posts
    before = board_counts(call, world["board"]["id"])
    reply = delete_me(call, world["alice"])
    # Then it is done at once, her sign-in is gone and her profile says nothing of her
    assert reply.status == 200, reply.text
    assert reply.json["status"] == "deleted" and reply.json["posts_done"] == 3
    assert not cognito.exists("alice")
    profile = profile_item(table, world["alice"]["sub"])
    assert profile is not None
    assert profile["display_name"] == profile["username"] == "~deleted"
    assert profile["about"] == "" and "avatar_attachment_id" not in profile
    assert (int(profile["post_count"]), int(profile["topic_count"])) == (3, 1)
    # And every page shows her posts by "deleted member", linked nowhere
    assert board_counts(call, world["board"]["id"]) == before
    page = call("GET", f"/api/topics/{world['his']['id']}").json
    authors = [post["author"]["name"] for post in page["posts"]]
    assert authors == ["bob", "deleted member", "deleted member"]
    card = page["posts"][1]["author_card"]
    assert card["display_name"] == "deleted member" and card["post_count"] == 3
    assert page["posts"][2]["body_html"]  # the words stay
    topics = call("GET", f"/api/boards/{world['board']['id']}").json["topics"]
    by_title = {topic["title"]: topic for topic in topics}
    assert by_title["Alice's topic"]["started_by"]["name"] == "deleted member"
    assert by_title["Bob's topic"]["last_post"]["author"]["name"] == "deleted member"
    boards = call("GET", "/api/boards").json["boards"]
    assert boards[0]["last_post"]["author"]["name"] == "deleted member"
    # And her member page is no more; her old token reads and writes nothing
    assert call("GET", "/api/users/alice").status == 404
    assert call("GET", "/api/me", claims=world["alice"]).status == 410
    assert call("GET", "/api/me/export", claims=world["alice"]).status == 410
    written = call(
        "POST", f"/api/topics/{world['his']['id']}/posts", {"body": "hi"}, claims=world["alice"]
    )
    assert written.status == 403 and "deleted" in written.json["detail"]
    renamed = call("PATCH", "/api/me", {"display_name": "Back"}, claims=world["alice"])
    assert renamed.status == 403
    upload = {"filename": "a.png", "content_type": "image/png", "size": 9}
    assert call("POST", "/api/uploads", upload, claims=world["alice"]).status == 403
    # And asking again changes nothing
    assert delete_me(call, world["alice"]).json["status"] == "deleted"


def test_removing_the_posts_keeps_every_count_exact(
    call: Caller, table: Any, world: dict[str, Any]
) -> None:
    # When alice deletes her account with her posts
    reply = delete_me(call, world["alice"], posts="remove")
    assert reply.status == 200, reply.text
    # Then her topic is gone with bob's answer in it, and her answers to bob are removed
    assert board_counts(call, world["board"]["id"]) == (1, 1)
    assert call("GET", f"/api/topics/{world['hers']['id']}").status == 404
    his = call("GET", f"/api/topics/{world['his']['id']}").json
    assert his["topic"]["reply_count"] == 0
    assert [post["removed"] for post in his["posts"]] == [False, True, True]
    assert his["posts"][1]["author"]["name"] == "deleted member"
    # And each member's counts are exact
    alice, bob = (profile_item(table, world[n]["sub"]) for n in ("alice", "bob"))
    assert alice is not None and bob is not None
    assert (int(alice["post_count"]), int(alice["topic_count"])) == (0, 0)
    assert (int(bob["post_count"]), int(bob["topic_count"])) == (1, 1)


def test_an_interrupted_deletion_is_finished_by_asking_again(
    call: Caller, cognito: MemberPool, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given Cognito fails once, after the profile was marked deleted
    real = cognito_calls.delete_user

    def failing(username: str) -> None:
        monkeypatch.setattr(cognito_calls, "delete_user", real)
        raise cognito_calls.CognitoRefused("InternalErrorException", "down")

    monkeypatch.setattr(cognito_calls, "delete_user", failing)
    first = delete_me(call, world["alice"])
    assert first.status == 503
    # Then the account is marked already: no write of hers passes
    reply = call(
        "POST", f"/api/topics/{world['his']['id']}/posts", {"body": "x"}, claims=world["alice"]
    )
    assert reply.status == 403
    # When a moderator (or she) asks again, the deletion is finished
    moderator = member(cognito, "mod", ("moderators",))
    again = delete_them(call, moderator, "alice")
    assert again.status == 200, again.text
    assert not cognito.exists("alice")


def test_a_long_deletion_is_done_in_pages_with_202_until_finished(
    call: Caller, table: Any, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given each request may work on one page of two posts only
    monkeypatch.setattr(deletion, "WORK_SECONDS", 0.0)
    monkeypatch.setattr(deletion, "PAGE", 2)
    # When alice deletes her account, her posts removed, and asks again while it says 202
    answers = [delete_me(call, world["alice"], posts="remove")]
    while answers[-1].status == 202:
        assert answers[-1].json["status"] == "deleting" and answers[-1].json["detail"]
        answers.append(delete_me(call, world["alice"], posts="remove"))
        assert len(answers) < 20
    # Then it took several requests, and it is finished with the counts exact
    assert len(answers) > 2 and answers[-1].status == 200
    assert answers[-1].json["step"] == "done"
    assert board_counts(call, world["board"]["id"]) == (1, 1)
    alice = profile_item(table, world["alice"]["sub"])
    assert alice is not None and int(alice["post_count"]) == 0


def test_a_stale_sign_in_is_refused_and_nothing_is_written(
    call: Caller, table: Any, world: dict[str, Any]
) -> None:
    # Given a token refreshed an hour after its password sign-in
    stale = dict(world["alice"], auth_time=str(int(time.time()) - 3600))
    before = all_items(table)
    # Then deleting the account is refused until she signs in again
    reply = delete_me(call, stale)
    assert reply.status == 403 and "password" in reply.json["detail"]
    assert reply.headers["content-type"] == "application/problem+json"
    assert all_items(table) == before
    no_time = {key: value for key, value in world["alice"].items() if key != "auth_time"}
    assert delete_me(call, no_time).status == 403


def test_the_last_admin_cannot_be_deleted(
    call: Caller, table: Any, cognito: MemberPool, world: dict[str, Any]
) -> None:
    before = all_items(table)
    # Neither by themselves
    reply = delete_me(call, world["admin"])
    assert reply.status == 409 and "last admin" in reply.json["detail"]
    assert all_items(table) == before and cognito.exists("admin")
    # Until another admin exists
    second = member(cognito, "second", ("admins",))
    assert delete_them(call, second, "admin").status == 200
    # and the one left is the last again
    assert delete_me(call, second).status == 409


def test_moderators_delete_members_but_not_moderators_or_admins(
    call: Caller, table: Any, cognito: MemberPool, world: dict[str, Any]
) -> None:
    moderator = member(cognito, "mod", ("moderators",))
    other = member(cognito, "mod2", ("moderators",))
    assert call("GET", "/api/me", claims=other).status == 200
    assert delete_them(call, moderator, "mod2").status == 403
    assert delete_them(call, moderator, "admin").status == 403
    assert delete_them(call, world["bob"], "alice").status == 403
    assert delete_them(call, moderator, "nobody").status == 404
    assert delete_them(call, moderator, "alice", reason="").status == 422
    assert delete_them(call, moderator, "alice", posts="burn").status == 422
    # A moderator deletes a member, with the reason kept on the profile
    reply = delete_them(call, moderator, "alice", reason="spam and abuse")
    assert reply.status == 200, reply.text
    profile = profile_item(table, world["alice"]["sub"])
    assert profile is not None
    assert profile["deletion_reason"] == "spam and abuse"
    assert profile["deleted_by"] == {"id": moderator["sub"], "name": "mod"}
    # and an admin a moderator
    assert delete_them(call, world["admin"], "mod2").status == 200
    assert not cognito.exists("mod2")


def test_the_username_is_free_again_only_after_the_grace_period(
    call: Caller, cognito: MemberPool, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert delete_me(call, world["alice"]).status == 200
    body = {"email": "new@example.com", "password": PASSWORD}
    # During the grace period neither the name nor a look-alike is free
    for name in ("alice", "AIice"):
        reply = call("POST", "/api/accounts", {"username": name, **body})
        assert reply.status == 409, reply.text
    # After it, someone new may take it, with a page of their own
    later = clock.now() + timedelta(days=31)
    monkeypatch.setattr(clock, "now", lambda: later)
    reply = call("POST", "/api/accounts", {"username": "alice", **body})
    assert reply.status == 201, reply.text
    newcomer = claims(reply.json["user_id"], "alice")
    assert call("GET", "/api/me", claims=newcomer).json["post_count"] == 0
    assert call("GET", "/api/users/alice").json["member"]["post_count"] == 0


def test_the_deleted_members_avatar_is_released_for_good(
    call: Caller, table: Any, world: dict[str, Any]
) -> None:
    # Given alice has an avatar
    upload = call(
        "POST",
        "/api/uploads",
        {"filename": "me.png", "content_type": "image/png", "size": 99, "purpose": "avatar"},
        claims=world["alice"],
    )
    assert upload.status == 201, upload.text
    avatar_id = upload.json["attachment"]["id"]
    changed = call("PATCH", "/api/me", {"avatar_attachment_id": avatar_id}, claims=world["alice"])
    assert changed.status == 200, changed.text
    # When she deletes her account
    assert delete_me(call, world["alice"]).status == 200
    # Then her avatar is used by nothing and expires at once (its images with it)
    item = table.get_item(Key={"pk": f"ATTACHMENT#{avatar_id}", "sk": "ATTACHMENT"})["Item"]
    assert "attached_to" not in item and int(item["expires_at"]) <= time.time() + 1
    assert call("GET", f"/api/attachments/{avatar_id}").status == 404


def test_cognito_trouble_before_anything_is_written_is_503(
    call: Caller, table: Any, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(username: str) -> frozenset[str]:
        raise cognito_calls.CognitoRefused("Unreachable", "no network")

    monkeypatch.setattr(cognito_calls, "groups_of", down)
    before = all_items(table)
    assert delete_me(call, world["alice"]).status == Busy.status
    assert all_items(table) == before
