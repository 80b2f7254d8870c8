"""Uploading an image: a pending attachment and the presigned POST that puts its original.

``create_upload``: a signed-in member declares a file (name, content type, size); the forum
writes the attachment as ``pending`` and answers with a presigned POST that lets the browser
put exactly that kind of file at ``originals/{id}`` in the uploads bucket, and nothing else.
S3 then tells the queue, and the thumbnail function makes the images (forum.processing). The
name a member gave the file is kept only as a name fit to show (``clean_filename``). A member
uploads at most ``forum:uploadsPerHour`` images an hour, counted on their profile in the
attachment's own transaction (forum.flood).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from . import clock, flood, receipts, schema, storage
from .attachments import PENDING, POST, PURPOSES, UNUSED_LIFETIME, find
from .errors import Busy, Invalid, NotFound, PayloadTooLarge
from .identity import Member
from .media import new_attachment_id, original_key, size_text
from .models import Attachment, Receipt
from .profiles import require_writer
from .retries import Retries
from .settings import get_settings
from .transactions import Cancelled, transaction

FILENAME_MAX = 200
# How long a presigned POST may be used.
UPLOAD_SECONDS = 15 * 60

# The content types an upload may declare (forum.images.ACCEPTED_TYPES, which this module does
# not import: the API function should not load Pillow), and other names for them.
ACCEPTED_TYPES = (
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/gif",
    "image/heic",
    "image/heif",
)
_TYPE_ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "image/x-png": "image/png"}


def clean_filename(filename: str) -> str:
    """A file name fit to show: no folders, no control or invisible characters, one line,
    at most ``FILENAME_MAX`` characters (the extension kept when it has to be shortened)."""
    name = re.split(r"[\\/]", filename)[-1]
    name = unicodedata.normalize("NFC", name)
    # Tabs and line breaks become spaces; other control and invisible characters go.
    name = "".join(
        " " if char.isspace() else char
        for char in name
        if char.isspace() or not unicodedata.category(char).startswith("C")
    )
    name = " ".join(name.split()).strip(" .")
    if not name:
        return "image"
    if len(name) > FILENAME_MAX:
        stem, dot, extension = name.rpartition(".")
        if dot and stem and 0 < len(extension) <= 10:
            name = stem[: FILENAME_MAX - len(extension) - 1].rstrip(" .") + "." + extension
        else:
            name = name[:FILENAME_MAX].rstrip(" .")
    return name


def clean_content_type(content_type: str) -> str:
    declared = content_type.split(";", 1)[0].strip().lower()
    declared = _TYPE_ALIASES.get(declared, declared)
    if declared not in ACCEPTED_TYPES:
        raise Invalid(
            "Only JPEG, PNG, WebP, GIF and HEIC images can be uploaded "
            f"({', '.join(ACCEPTED_TYPES)}).",
            "content_type",
        )
    return declared


# --- uploading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    attachment: Attachment
    # Where and how the browser posts the file: the URL, and the form fields that go before it.
    url: str
    fields: dict[str, str]


def create_upload(
    member: Member,
    filename: str,
    content_type: str,
    size: int,
    purpose: str = POST,
    receipt: Receipt | None = None,
) -> Upload:
    """A pending attachment and the presigned POST that uploads its original.

    Refused before anything is written: a type that is not an accepted image (422), an empty
    file (422), a file over the limit (413), a banned member (403) and one who has used up the
    hour's uploads (429, forum.flood); and a POST that cannot be signed raises botocore's error
    (the API's 503) with nothing written either. The attachment and the count on its owner's
    profile are one transaction, on the condition that the profile is as read.
    With a ``receipt`` (a keyed request) the receipt is written in that transaction too, and a
    retry of an upload made already raises ``receipts.AlreadyMade`` (forum.receipts).
    """
    settings = get_settings()
    declared = clean_content_type(content_type)
    if size < 1:
        raise Invalid("The file is empty.", "size")
    if size > settings.max_upload_bytes:
        raise PayloadTooLarge(
            f"The file is {size_text(size)}; at most {size_text(settings.max_upload_bytes)} "
            "can be uploaded."
        )
    if purpose not in PURPOSES:
        raise Invalid(f"The purpose is one of {', '.join(PURPOSES)}.", "purpose")
    profile = require_writer(member)
    moment = clock.now()
    new_hour = flood.upload_refusal(profile, moment, member.is_moderator)
    attachment_id = new_attachment_id()
    # Signed before the attachment is written: signing can fail (credentials that cannot be
    # found or refreshed), and a failed request must leave no pending attachment behind.
    url, fields = storage.presigned_upload(
        original_key(attachment_id), declared, size, UPLOAD_SECONDS
    )
    for _attempt in Retries(3, backoff=False):
        attachment = Attachment(
            schema.attachment_pk(attachment_id),
            schema.ATTACHMENT_SK,
            attachment_id=attachment_id,
            owner=member.user_id,
            filename=clean_filename(filename),
            content_type=declared,
            size=size,
            purpose=purpose,
            status=PENDING,
            created_at=clock.iso(moment),
            expires_at=moment + UNUSED_LIFETIME,
        )
        try:
            with transaction() as tx:
                tx.save("attachment", attachment, condition=Attachment.pk.does_not_exist())
                flood.count_upload(tx, member, moment, new_hour)
                if receipt is not None:
                    receipts.add(tx, receipt, {"attachment_id": attachment.attachment_id})
        except Cancelled as cancelled:
            receipts.settle(cancelled, receipt)
            if not cancelled.failed("uploader") and not cancelled.raced:
                raise Busy() from cancelled
            # Another upload of theirs (or a ban) came first: read the profile again.
            profile = require_writer(member)
            moment = clock.now()
            new_hour = flood.upload_refusal(profile, moment, member.is_moderator)
            continue
        return Upload(attachment=attachment, url=url, fields=fields)
    raise Busy()


def upload_again(member: Member, attachment_id: str) -> Upload:
    """The member's attachment with a fresh presigned POST for its original (as declared)."""
    attachment = find(attachment_id, consistent=True)
    if attachment is None or attachment.owner != member.user_id:
        raise NotFound(f"There is no upload of yours with the id {attachment_id!r}.")
    url, fields = storage.presigned_upload(
        original_key(attachment_id),
        str(attachment.content_type),
        int(attachment.size),
        UPLOAD_SECONDS,
    )
    return Upload(attachment=attachment, url=url, fields=fields)
