"""The thumbnail function's writes: an attachment settled, and the copies of it brought up to date.

Settling an attachment is one conditional write (``mark_ready`` / ``mark_failed``), safe to
repeat for a redelivered message. ``publish`` then brings what shows it up to date: the copy
the post that uses it keeps (forum.attachments), or the avatar keys of its owner's profile
while the profile shows it (forum.avatars).
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import Condition

from . import clock, schema
from .attachments import AVATAR, AVATAR_USE, FAILED, PENDING, READY, entry, key_of
from .avatars import avatar_images
from .errors import Busy
from .i18n import _
from .models import Attachment, Post, Profile
from .retries import Retries

PUBLISH_ATTEMPTS = 5


def _settle(attachment_id: str, actions: list[Any], condition: Condition) -> Attachment | None:
    """Apply one conditional write; the attachment as it is then, or None if the condition
    did not hold (the caller reads it again to see why)."""
    attachment = key_of(attachment_id)
    try:
        attachment.update(actions=actions, condition=condition)
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return None
        raise
    return attachment


def mark_ready(
    attachment_id: str,
    *,
    width: int,
    height: int,
    thumb_width: int,
    thumb_height: int,
    thumb_key: str,
    display_key: str,
    media_type: str,
) -> Attachment | None:
    """The images are made: one conditional write. Writing it again with the same keys (a
    redelivered message) gives the same record; None if it is failed, or ready with others."""
    return _settle(
        attachment_id,
        [
            Attachment.status.set(READY),
            Attachment.width.set(width),
            Attachment.height.set(height),
            Attachment.thumb_width.set(thumb_width),
            Attachment.thumb_height.set(thumb_height),
            Attachment.thumb_key.set(thumb_key),
            Attachment.display_key.set(display_key),
            Attachment.media_type.set(media_type),
            Attachment.processed_at.set(Attachment.processed_at | clock.now_iso()),
            Attachment.reason.remove(),
            Attachment.failure.remove(),
        ],
        (Attachment.status == PENDING)
        | (
            (Attachment.status == READY)
            & (Attachment.thumb_key == thumb_key)
            & (Attachment.display_key == display_key)
        ),
    )


def mark_failed(attachment_id: str, reason: str, code: str) -> Attachment | None:
    """The upload cannot become an image: one conditional write, never over a ready one."""
    return _settle(
        attachment_id,
        [
            Attachment.status.set(FAILED),
            Attachment.reason.set(reason),
            Attachment.failure.set(code),
            Attachment.processed_at.set(Attachment.processed_at | clock.now_iso()),
        ],
        (Attachment.status == PENDING) | (Attachment.status == FAILED),
    )


def publish(attachment: Attachment) -> None:
    """Bring the copies of a finished attachment up to date: the post that uses it, or the
    avatar keys of its owner's profile while the profile shows it. Safe to repeat."""
    if attachment.status == PENDING:
        return
    if attachment.purpose == AVATAR:
        _publish_avatar(attachment)
    elif attachment.attached_to and attachment.attached_to != AVATAR_USE:
        topic_id, _slash, number = attachment.attached_to.rpartition("/")
        if topic_id and number.isdigit():
            _publish_to_post(attachment, topic_id, int(number))


def _publish_avatar(attachment: Attachment) -> None:
    profile = Profile(schema.user_pk(attachment.owner), schema.PROFILE_SK)
    try:
        profile.update(
            actions=avatar_images(attachment),
            condition=Profile.avatar_attachment_id == attachment.attachment_id,
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        # The profile shows another avatar (or none) by now: nothing to bring up to date.


def _publish_to_post(attachment: Attachment, topic_id: str, number: int) -> None:
    pk, sk = schema.topic_pk(topic_id), schema.post_sk(number)
    update = entry(attachment)
    for _attempt in Retries(PUBLISH_ATTEMPTS, backoff=False):
        try:
            post = Post.get(pk, sk, consistent_read=True)
        except Post.DoesNotExist:
            return
        current = [item.id for item in post.attachments or []]
        if attachment.attachment_id not in current:
            return  # an edit took it off the post meanwhile
        index = current.index(attachment.attachment_id)
        if (post.attachments or [])[index].as_dict() == update.as_dict():
            return  # up to date already (a redelivered message)
        # Not through Post.update: that would bump the post's version, which belongs to edits.
        try:
            Post._get_connection().update_item(
                pk,
                range_key=sk,
                actions=[Post.attachments[index].set(update)],
                condition=Post.attachments[index]["id"] == attachment.attachment_id,
            )
            return
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
            # The post's attachments changed between the read and the write: read again.
    raise Busy(
        _("The post {post} kept changing; its attachment will be retried.").format(
            post=f"{topic_id}/{number}"
        )
    )
