"""Avatars: an upload made as an avatar (square images) that PATCH /api/me points the profile at.

The profile keeps the avatar's image keys, so author cards and member pages show it without
reading the attachment; the thumbnail function brings them in when the images are made.
"""

from __future__ import annotations

from typing import Any

import pytest

from ..conftest import MEMBER, OTHER, Caller
from .test_post_attachments import make_failed, make_ready, upload


def set_avatar(call: Caller, attachment_id: str | None, claims: dict[str, str] = MEMBER) -> Any:
    return call("PATCH", "/api/me", {"avatar_attachment_id": attachment_id}, claims=claims)


def test_an_avatar_shows_once_its_images_are_made(
    call: Caller, table: Any, topic: dict[str, Any]
) -> None:
    # Given a member who chose an avatar whose images are not made yet
    avatar_id = upload(call, purpose="avatar")
    chosen = set_avatar(call, avatar_id)
    assert chosen.status == 200, chosen.text
    assert chosen.json["avatar_attachment_id"] == avatar_id and chosen.json["avatar_url"] is None

    # When the thumbnail function has made them
    make_ready(avatar_id, 512, 512)

    # Then their profile, their page and their author cards show it
    thumb = f"/media/{avatar_id}/thumb.jpg"
    assert call("GET", "/api/me", claims=MEMBER).json["avatar_url"] == thumb
    assert call("GET", "/api/users/member").json["member"]["avatar_url"] == thumb
    card = call("GET", f"/api/topics/{topic['id']}").json["posts"][0]["author_card"]
    assert card["avatar_url"] == thumb
    stored = table.get_item(Key={"pk": f"ATTACHMENT#{avatar_id}", "sk": "ATTACHMENT"})["Item"]
    assert stored["attached_to"] == "avatar" and "expires_at" not in stored


def test_a_ready_avatar_shows_at_once_and_clearing_it_removes_it(call: Caller, table: Any) -> None:
    avatar_id = upload(call, purpose="avatar")
    make_ready(avatar_id, 512, 512)

    assert set_avatar(call, avatar_id).json["avatar_url"] == f"/media/{avatar_id}/thumb.jpg"

    cleared = set_avatar(call, None).json
    assert cleared["avatar_attachment_id"] is None and cleared["avatar_url"] is None
    profile = table.get_item(Key={"pk": f"USER#{MEMBER['sub']}", "sk": "PROFILE"})["Item"]
    assert "avatar_thumb_key" not in profile and "avatar_display_key" not in profile


def test_a_replaced_avatar_no_longer_changes_the_profile(call: Caller, table: Any) -> None:
    old, new = upload(call, purpose="avatar"), upload(call, purpose="avatar")
    set_avatar(call, old)
    set_avatar(call, new)

    make_ready(old, 512, 512)

    assert call("GET", "/api/me", claims=MEMBER).json["avatar_url"] is None
    make_ready(new, 512, 512)
    assert call("GET", "/api/me", claims=MEMBER).json["avatar_url"] == f"/media/{new}/thumb.jpg"


def attachment_item(table: Any, attachment_id: str) -> dict[str, Any]:
    return dict(
        table.get_item(Key={"pk": f"ATTACHMENT#{attachment_id}", "sk": "ATTACHMENT"})["Item"]
    )


def test_a_replaced_or_removed_avatar_is_released_to_expire(call: Caller, table: Any) -> None:
    # Given a member whose avatar is replaced by another
    old, new = upload(call, purpose="avatar"), upload(call, purpose="avatar")
    make_ready(old, 512, 512)
    assert set_avatar(call, old).status == 200
    assert set_avatar(call, new).status == 200
    # then the old one is used by nothing and expires (its images go with it), the new one stays
    released = attachment_item(table, old)
    assert "attached_to" not in released and "expires_at" in released
    kept = attachment_item(table, new)
    assert kept["attached_to"] == "avatar" and "expires_at" not in kept
    # Choosing the same avatar again releases nothing
    assert set_avatar(call, new).status == 200
    assert attachment_item(table, new)["attached_to"] == "avatar"
    # and removing the avatar releases it too
    assert set_avatar(call, None).status == 200
    removed = attachment_item(table, new)
    assert "attached_to" not in removed and "expires_at" in removed
    # A released avatar may be chosen again
    again = set_avatar(call, old)
    assert again.status == 200, again.text
    assert again.json["avatar_url"] == f"/media/{old}/thumb.jpg"
    assert attachment_item(table, old)["attached_to"] == "avatar"


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda call: upload(call, OTHER, purpose="avatar"), "no upload of yours"),
        (lambda call: "nothing-like-this-at-all", "no upload of yours"),
        (lambda call: upload(call), 'as an avatar (purpose "avatar")'),
        (lambda call: failed_avatar(call), "not an image"),
    ],
    ids=["someone else's", "unknown", "made for posts", "failed"],
)
def test_an_avatar_must_be_an_avatar_upload_of_ones_own(
    call: Caller, table: Any, make: Any, words: str
) -> None:
    attachment_id = make(call)

    reply = set_avatar(call, attachment_id)

    assert reply.status == 422, reply.text
    assert words in reply.json["detail"]
    assert reply.json["errors"][0]["field"] == "avatar_attachment_id"


def failed_avatar(call: Caller) -> str:
    attachment_id = upload(call, purpose="avatar")
    make_failed(attachment_id)
    return attachment_id
