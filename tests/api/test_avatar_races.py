"""Avatar changes that race: each works from the profile's avatar as it is when it commits.

A change of avatar (PATCH /api/me) reads the profile's avatar, then writes on the condition
that it is still the one read, none included, and releases the one it replaces. Here another
change of the same member's avatar (from another tab) lands between the read and the write,
by a hook on the request botocore is about to send.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from forum import profiles, schema
from forum.identity import Member

from ..conftest import MEMBER, Caller
from .recording import body_of, hooked
from .test_avatars import attachment_item, set_avatar
from .test_post_attachments import upload

ME = Member(MEMBER["sub"], "member")
PROFILE_PK = schema.user_pk(MEMBER["sub"])

Meanwhile = Callable[[str, Callable[[], Any]], None]


@pytest.fixture
def meanwhile(table: Any) -> Iterator[Meanwhile]:
    """Before the first ``operation`` on the member's profile is sent, do ``write`` once."""
    with ExitStack() as hooks:

        def arrange(operation: str, write: Callable[[], Any]) -> None:
            done: list[bool] = []

            def first(params: dict[str, Any], **_: Any) -> None:
                if done or PROFILE_PK not in json.dumps(body_of(params)):
                    return
                done.append(True)
                write()

            hooks.enter_context(hooked(f"before-call.dynamodb.{operation}", first))

        yield arrange


def profile_avatar(table: Any) -> str | None:
    item = table.get_item(Key={"pk": PROFILE_PK, "sk": schema.PROFILE_SK})["Item"]
    return item.get("avatar_attachment_id")


def assert_released(table: Any, attachment_id: str) -> None:
    item = attachment_item(table, attachment_id)
    assert "attached_to" not in item and "expires_at" in item, item


def assert_used(table: Any, attachment_id: str) -> None:
    item = attachment_item(table, attachment_id)
    assert item.get("attached_to") == "avatar" and "expires_at" not in item, item


def test_two_avatars_chosen_at_once_leave_the_first_to_expire(
    call: Caller, table: Any, meanwhile: Meanwhile
) -> None:
    # Given a member without an avatar, who chooses one in one tab and another in a second,
    # the first landing just before the second is written
    first, second = upload(call, purpose="avatar"), upload(call, purpose="avatar")
    meanwhile("TransactWriteItems", lambda: profiles.update_me(ME, avatar_attachment_id=first))
    # when the second is written
    chosen = set_avatar(call, second)
    # then the second is the avatar, and the first is released to expire, not kept for ever
    assert chosen.status == 200, chosen.text
    assert chosen.json["avatar_attachment_id"] == second
    assert profile_avatar(table) == second
    assert_used(table, second)
    assert_released(table, first)


def test_removing_the_avatar_while_one_is_chosen_releases_it(
    call: Caller, table: Any, meanwhile: Meanwhile
) -> None:
    # Given a member without an avatar who removes it in one tab (nothing to release: a plain
    # update) while choosing one in another, which lands first
    call("GET", "/api/me", claims=MEMBER)
    chosen = upload(call, purpose="avatar")
    meanwhile("UpdateItem", lambda: profiles.update_me(ME, avatar_attachment_id=chosen))
    # when the removal is written
    removed = set_avatar(call, None)
    # then there is no avatar, and the one chosen meanwhile is released with it
    assert removed.status == 200, removed.text
    assert removed.json["avatar_attachment_id"] is None
    assert profile_avatar(table) is None
    assert_released(table, chosen)


def test_removing_an_avatar_while_another_is_chosen_releases_both(
    call: Caller, table: Any, meanwhile: Meanwhile
) -> None:
    # Given a member with an avatar who removes it while choosing another elsewhere
    old, chosen = upload(call, purpose="avatar"), upload(call, purpose="avatar")
    assert set_avatar(call, old).status == 200
    meanwhile("TransactWriteItems", lambda: profiles.update_me(ME, avatar_attachment_id=chosen))
    # when the removal is written after the other change
    removed = set_avatar(call, None)
    # then neither stays used
    assert removed.status == 200, removed.text
    assert profile_avatar(table) is None
    assert_released(table, old)
    assert_released(table, chosen)


def test_choosing_an_avatar_while_it_is_removed_elsewhere_keeps_the_choice(
    call: Caller, table: Any, meanwhile: Meanwhile
) -> None:
    # Given a member with an avatar who chooses another while removing it elsewhere
    old, chosen = upload(call, purpose="avatar"), upload(call, purpose="avatar")
    assert set_avatar(call, old).status == 200
    meanwhile("TransactWriteItems", lambda: profiles.update_me(ME, avatar_attachment_id=None))
    # when the choice is written after the removal
    answer = set_avatar(call, chosen)
    # then the choice stands, and the old one is released (once)
    assert answer.status == 200, answer.text
    assert profile_avatar(table) == chosen
    assert_used(table, chosen)
    assert_released(table, old)
