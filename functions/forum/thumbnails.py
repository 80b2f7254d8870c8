"""Making an attachment's images from its uploaded original: the thumbnail function's work.

``make_images`` is called once per uploaded object (S3's notification names its bucket and key)
and is safe to call again for the same object: a message may be delivered twice, or retried
after a failure half-way. An upload that cannot become an image ends ``failed`` with a reason,
and the call returns normally: there is nothing a retry would change. Anything else that goes
wrong (S3 or DynamoDB failing, memory) raises, and the message is retried.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import attachments, images, media, processing, storage
from .attachments import AVATAR, PENDING, READY
from .models import Attachment
from .settings import get_settings


@dataclass(frozen=True)
class Outcome:
    """What became of one uploaded object."""

    attachment_id: str | None
    # "ready" or "failed"; "skipped" for an object that is no attachment's original.
    status: str
    # Why it failed ("not-image", "too-large", ...: forum.images.Rejected.code, or "missing")
    # or was skipped; None when the images were made.
    code: str | None = None


def make_images(bucket: str, key: str, deadline: float | None = None) -> Outcome:
    """``deadline`` (a ``time.monotonic()`` instant) stops the decode with ``images.OutOfTime``."""
    attachment_id = media.attachment_id_of(key)
    if attachment_id is None:
        return Outcome(None, "skipped", "not-an-original")
    attachment = attachments.find(attachment_id, consistent=True)
    if attachment is None:
        return Outcome(attachment_id, "skipped", "unknown-attachment")
    if attachment.status != PENDING:
        # Settled by an earlier delivery of this message, which may have stopped before the
        # post's copy was brought up to date. The images are never made twice: their keys
        # stay the bytes they were first written with.
        processing.publish(attachment)
        return Outcome(attachment_id, attachment.status, attachment.failure)

    settings = get_settings()
    limit = settings.max_upload_bytes
    try:
        original = storage.read_original(bucket, key, limit)
        derived = images.process(
            original.data,
            max_bytes=limit,
            max_pixels=settings.max_image_pixels,
            declared_type=original.content_type,
            avatar=attachment.purpose == AVATAR,
            deadline=deadline,
        )
    except storage.OriginalMissing:
        return _fail(
            attachment_id,
            "The uploaded file was not found (uploads are kept for a day); please upload it again.",
            "missing",
        )
    except storage.OriginalTooLarge:
        return _fail(
            attachment_id,
            f"The file is larger than {media.size_text(limit)}.",
            "too-large",
        )
    except images.Rejected as rejected:
        return _fail(attachment_id, rejected.reason, rejected.code)

    thumb_key = media.media_key(attachment_id, "thumb", derived.extension)
    display_key = media.media_key(attachment_id, "display", derived.extension)
    storage.put_media(thumb_key, derived.thumb, derived.content_type)
    storage.put_media(display_key, derived.display, derived.content_type)
    settled = processing.mark_ready(
        attachment_id,
        width=derived.width,
        height=derived.height,
        thumb_width=derived.thumb_width,
        thumb_height=derived.thumb_height,
        thumb_key=thumb_key,
        display_key=display_key,
        media_type=derived.content_type,
    )
    return _published(attachment_id, settled)


def _fail(attachment_id: str, reason: str, code: str) -> Outcome:
    return _published(attachment_id, processing.mark_failed(attachment_id, reason, code))


def _published(attachment_id: str, settled: Attachment | None) -> Outcome:
    if settled is None:
        # The condition did not hold: another delivery settled it first (or it expired).
        settled = attachments.find(attachment_id, consistent=True)
        if settled is None:
            return Outcome(attachment_id, "skipped", "unknown-attachment")
    processing.publish(settled)
    if settled.status == READY:
        return Outcome(attachment_id, READY)
    return Outcome(attachment_id, settled.status, settled.failure)
