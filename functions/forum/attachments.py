"""Image attachments: their states, and their use by posts.

The life of an attachment (see schema.py: ATTACHMENT#{id}):

1. A member uploads a file (forum.uploads): the attachment is ``pending``.
2. S3 tells the queue, and the thumbnail function (``forum.thumbnails``) makes the images and
   marks the attachment ``ready``, or ``failed`` with a reason for the uploader. Either way the
   change is a single conditional write (forum.processing: ``mark_ready`` / ``mark_failed``).
3. A post names its attachments (``attachment_ids``): they are checked with one BatchGetItem
   (``for_post``) and marked as used by that post in the post's own transaction (``attach``),
   on the condition that they are still the owner's, still in the state that was read, and not
   used by another post. The post keeps a copy of what a page shows of each (``entry``), so a
   topic page needs no read of attachment items (``shown``). An avatar is used the same way by
   its owner's profile (forum.avatars).
4. When the images of an attachment that is already in use are made, ``processing.publish``
   brings the post's copy (or the profile's avatar keys) up to date. The transaction in 3 is
   conditional on the state read, so either the post is written with the final state, or
   ``publish`` finds the post: an attachment never stays ``pending`` on a page.

An attachment nobody uses expires (``expires_at``, the table's TTL) after ``UNUSED_LIFETIME``; its
original goes by the uploads bucket's lifecycle rule after a day in any case (originals are never
served; the derived images are what lives on).

5. When DynamoDB deletes an attachment item, the media cleanup function deletes its images
   (forum.media). Removing a post releases its attachments for good in the removal's own
   transaction: they expire at once, so a moderator who removes an image takes it down. Only
   an unused attachment has ``expires_at``: attaching one removes it in the same write that
   marks it used, and a post or a profile that shows an attachment always holds it (a post is
   never deleted, only marked removed; an avatar is released only by the write that replaces
   it on the profile). So an item that is gone has no images anyone shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pynamodb.expressions.condition import Condition

from . import clock, schema
from .errors import Conflict, Invalid, NotFound
from .identity import Member
from .media import ID_PATTERN, media_url
from .models import Attachment, Post, PostAttachment
from .transactions import Transaction

PENDING = "pending"
READY = "ready"
FAILED = "failed"
POST = "post"
AVATAR = "avatar"
PURPOSES = (POST, AVATAR)
# attached_to of an attachment that is a member's avatar (posts use "{topic_id}/{number}").
AVATAR_USE = "avatar"

MAX_PER_POST = 10
# How long an attachment nobody uses is kept.
UNUSED_LIFETIME = timedelta(days=2)
_FIELD = "attachment_ids"
# The name of a post's attachments in its transactions (forum.transactions).
ATTACHMENTS = "attachments"


# --- reading --------------------------------------------------------------------------------------


def _expired(attachment: Attachment, now: datetime | None = None) -> bool:
    # DynamoDB deletes expired items up to a few days late (and moto never does).
    expires = attachment.expires_at
    return expires is not None and expires <= (now or clock.now())


def find(attachment_id: str, consistent: bool = False) -> Attachment | None:
    """The attachment, or None when it does not exist (or expired unused)."""
    if not ID_PATTERN.match(attachment_id):
        return None
    try:
        attachment = Attachment.get(
            schema.attachment_pk(attachment_id), schema.ATTACHMENT_SK, consistent_read=consistent
        )
    except Attachment.DoesNotExist:
        return None
    return None if _expired(attachment) else attachment


def get_attachment(attachment_id: str) -> Attachment:
    found = find(attachment_id)
    if found is None:
        raise NotFound(f"There is no attachment with the id {attachment_id!r}.")
    return found


def _batch(ids: Sequence[str]) -> dict[str, Attachment]:
    keys = [(schema.attachment_pk(i), schema.ATTACHMENT_SK) for i in ids if ID_PATTERN.match(i)]
    if not keys:
        return {}
    now = clock.now()
    return {
        item.attachment_id: item
        for item in Attachment.batch_get(keys, consistent_read=True)
        if not _expired(item, now)
    }


# --- attaching to posts ---------------------------------------------------------------------------


def post_use(topic_id: str, number: int) -> str:
    return f"{topic_id}/{number}"


def requested_ids(attachment_ids: Iterable[str]) -> list[str]:
    """The ids as given, each once, in their order; at most ``MAX_PER_POST``."""
    ids = list(dict.fromkeys(attachment_ids))
    if len(ids) > MAX_PER_POST:
        raise Invalid(f"A post has at most {MAX_PER_POST} attachments.", _FIELD)
    return ids


def for_post(member: Member, attachment_ids: Sequence[str], use: str) -> list[Attachment]:
    """The attachments a new post of ``member`` names, read with one BatchGetItem, in order.

    Each must be an upload of the member's, made for posts, pending or ready, and not in use
    by another post. Raises 422 (or 409 for one used elsewhere) with the reason otherwise.
    """
    ids = requested_ids(attachment_ids)
    return _checked(member, ids, use, _batch(ids) if ids else {}, kept=())


def for_edit(
    member: Member, attachment_ids: Sequence[str], use: str, current: Sequence[str]
) -> tuple[list[Attachment], list[str]]:
    """What an edit of a post does to its attachments, read with one BatchGetItem: the
    attachments it will show (checked as for a new post, except that those the post shows
    already may be someone else's: a moderator's edit keeps the author's images) and the ids
    of those it stops using (which are then free again)."""
    ids = requested_ids(attachment_ids)
    found = _batch([*ids, *(i for i in current if i not in ids)]) if ids or current else {}
    attached = _checked(member, ids, use, found, kept=current)
    released = [i for i in current if i not in ids and i in found and found[i].attached_to == use]
    return attached, released


def _checked(
    member: Member,
    ids: Sequence[str],
    use: str,
    found: dict[str, Attachment],
    kept: Iterable[str],
) -> list[Attachment]:
    kept_ids = set(kept)
    result = []
    for attachment_id in ids:
        attachment = found.get(attachment_id)
        if attachment is None or (
            attachment.owner != member.user_id and attachment_id not in kept_ids
        ):
            raise Invalid(f"There is no upload of yours with the id {attachment_id!r}.", _FIELD)
        if attachment.purpose != POST:
            raise Invalid(f"{attachment.filename!r} was uploaded as an avatar.", _FIELD)
        if attachment.status == FAILED and attachment_id not in kept_ids:
            raise Invalid(
                f"{attachment.filename!r} cannot be attached: {attachment.reason}", _FIELD
            )
        if attachment.attached_to not in (None, use):
            raise Conflict(f"{attachment.filename!r} is attached to another post already.")
        result.append(attachment)
    return result


def key_of(attachment_id: str) -> Attachment:
    """The attachment's item by its key alone: what an update needs, without a read."""
    return Attachment(schema.attachment_pk(attachment_id), schema.ATTACHMENT_SK)


def unchanged(attachment: Attachment) -> Condition:
    """The attachment is still its owner's and in the state read (the thumbnail function may
    have finished it since: then the copy a post would keep is out of date)."""
    return (Attachment.owner == attachment.owner) & (Attachment.status == attachment.status)


def attach(tx: Transaction, attachments: Sequence[Attachment], use: str) -> None:
    """Mark the attachments as used by ``use``, in the transaction that writes the post (its
    items named "attachments")."""
    for attachment in attachments:
        tx.update(
            ATTACHMENTS,
            key_of(attachment.attachment_id),
            actions=[Attachment.attached_to.set(use), Attachment.expires_at.remove()],
            condition=unchanged(attachment)
            & (Attachment.attached_to.does_not_exist() | (Attachment.attached_to == use)),
        )


def release(
    tx: Transaction,
    attachment_ids: Iterable[str],
    use: str,
    for_good: bool = False,
    name: str = ATTACHMENTS,
) -> None:
    """The post no longer uses these: they may be used again, or expire unused (the items are
    added under ``name``).

    ``for_good``: the post was removed, and its images go with it: they expire at once (no
    longer found, and deleted with their images when DynamoDB deletes the item).
    """
    expires = clock.now() + (timedelta(0) if for_good else UNUSED_LIFETIME)
    for attachment_id in attachment_ids:
        tx.update(
            name,
            key_of(attachment_id),
            actions=[Attachment.attached_to.remove(), Attachment.expires_at.set(expires)],
            condition=Attachment.attached_to == use,
        )


def entry(attachment: Attachment) -> PostAttachment:
    """The copy of an attachment a post keeps: what its page shows."""
    return PostAttachment(
        id=attachment.attachment_id,
        filename=attachment.filename,
        status=attachment.status,
        reason=attachment.reason,
        width=attachment.width,
        height=attachment.height,
        thumb_width=attachment.thumb_width,
        thumb_height=attachment.thumb_height,
        thumb_key=attachment.thumb_key,
        display_key=attachment.display_key,
    )


def entries(attachments: Sequence[Attachment]) -> list[PostAttachment] | None:
    return [entry(attachment) for attachment in attachments] or None


# --- what pages show ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """A ready image of a post, as a page shows it: the thumbnail opens the display image."""

    id: str
    filename: str
    thumb_url: str
    display_url: str
    width: int | None
    height: int | None
    thumb_width: int | None
    thumb_height: int | None

    @property
    def alt(self) -> str:
        return self.filename


def _int(value: Any) -> int | None:
    return int(value) if value is not None else None


def shown(post: Post) -> list[Shown]:
    """The images a page shows under a post: its ready attachments (none once it is removed)."""
    if post.removed:
        return []
    found = []
    for item in post.attachments or []:
        thumb, display = media_url(item.thumb_key), media_url(item.display_key)
        if item.status != READY or thumb is None or display is None:
            continue
        found.append(
            Shown(
                id=item.id,
                filename=item.filename,
                thumb_url=thumb,
                display_url=display,
                width=_int(item.width),
                height=_int(item.height),
                thumb_width=_int(item.thumb_width),
                thumb_height=_int(item.thumb_height),
            )
        )
    return found
