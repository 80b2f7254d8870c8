"""Avatars: an upload of a member's made as one, and what their profile keeps of it.

A member's avatar is an attachment whose purpose is ``avatar`` (a square crop): the profile's
update that sets it is one transaction with the attachment (``use_as_avatar``), and the
profile keeps the avatar's image keys once its images are made (``avatar_actions``; the
thumbnail function brings them up to date through ``avatar_images``: forum.processing).
"""

from __future__ import annotations

from typing import Any

from .attachments import AVATAR, AVATAR_USE, FAILED, READY, find, key_of, unchanged
from .errors import Invalid
from .identity import Member
from .models import Attachment, Profile
from .transactions import Transaction


def for_avatar(member: Member, attachment_id: str) -> Attachment:
    """An upload of the member's made as an avatar, pending or ready; 422 otherwise."""
    attachment = find(attachment_id, consistent=True)
    if attachment is None or attachment.owner != member.user_id:
        raise Invalid(
            f"There is no upload of yours with the id {attachment_id!r}.", "avatar_attachment_id"
        )
    if attachment.purpose != AVATAR:
        raise Invalid(
            'Upload the picture as an avatar (purpose "avatar") to use it as one.',
            "avatar_attachment_id",
        )
    if attachment.status == FAILED:
        raise Invalid(
            f"{attachment.filename!r} cannot be used: {attachment.reason}", "avatar_attachment_id"
        )
    return attachment


def avatar_actions(attachment: Attachment) -> list[Any]:
    """The profile's changes that make ``attachment`` its avatar (its images once ready)."""
    return [Profile.avatar_attachment_id.set(attachment.attachment_id), *avatar_images(attachment)]


def avatar_images(attachment: Attachment) -> list[Any]:
    """The profile's avatar image keys: the attachment's once they are made, none before."""
    if attachment.status == READY and attachment.thumb_key and attachment.display_key:
        return [
            Profile.avatar_thumb_key.set(attachment.thumb_key),
            Profile.avatar_display_key.set(attachment.display_key),
        ]
    return [Profile.avatar_thumb_key.remove(), Profile.avatar_display_key.remove()]


def use_as_avatar(tx: Transaction, attachment: Attachment) -> None:
    """Mark the attachment used as its owner's avatar, in the transaction that sets it (the
    item named "avatar")."""
    tx.update(
        "avatar",
        key_of(attachment.attachment_id),
        actions=[Attachment.attached_to.set(AVATAR_USE), Attachment.expires_at.remove()],
        condition=unchanged(attachment),
    )
