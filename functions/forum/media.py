"""Where an attachment's files are and the addresses they are served at; deleting its images.

An attachment's id (``new_attachment_id``, matched by ``ID_PATTERN``) names everything of it:
its original in the uploads bucket (``original_key``: ``originals/{id}``), its derived images in
the media bucket (``media_key``, all under ``media_folder``: ``media/{id}/``), and the public
address of each (``media_url``, under the settings' media_base); and how a file's size reads
(``size_text``) in what the uploader is told.

When DynamoDB deletes an attachment item (its TTL: nothing else in the forum deletes one), the
table's stream tells the media cleanup function, which deletes its images
(``removed_attachment_id``, ``delete_images``). An item that is gone has no images anyone shows
(see forum.attachments).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import Any

from . import schema, storage
from .settings import get_settings

ORIGINALS_PREFIX = schema.ORIGINALS_PREFIX
MEDIA_PREFIX = schema.MEDIA_PREFIX
ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}\Z")


def new_attachment_id() -> str:
    """128 random bits: an attachment's id is unguessable, so its address may be public."""
    return secrets.token_urlsafe(16)


def original_key(attachment_id: str) -> str:
    return f"{ORIGINALS_PREFIX}{attachment_id}"


def attachment_id_of(key: str) -> str | None:
    """The attachment an uploaded object's key belongs to, None for any other key."""
    if not key.startswith(ORIGINALS_PREFIX):
        return None
    attachment_id = key.removeprefix(ORIGINALS_PREFIX)
    return attachment_id if ID_PATTERN.match(attachment_id) else None


def media_key(attachment_id: str, which: str, extension: str) -> str:
    """Where a derived image is kept: the same key for the same attachment every time."""
    return f"{MEDIA_PREFIX}{attachment_id}/{which}.{extension}"


def media_folder(attachment_id: str) -> str:
    """Where all the derived images of an attachment are, whatever their names and types."""
    return f"{MEDIA_PREFIX}{attachment_id}/"


def media_url(key: str | None) -> str | None:
    """The address of a derived image: the media bucket's ``media/`` is served at media_base."""
    if not key:
        return None
    return f"{get_settings().media_base}/{key.removeprefix(MEDIA_PREFIX)}"


def size_text(n: int) -> str:
    """A file's size as the limits on uploads are told: "2.5 MB", "300 KB"."""
    mib = 1024 * 1024
    if n >= mib:
        return f"{n / mib:.1f}".removesuffix(".0") + " MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} bytes"


# --- when an attachment item is gone --------------------------------------------------------------


def removed_attachment_id(keys: Mapping[str, Any]) -> str | None:
    """The id of the attachment whose item these keys name (a stream record's ``Keys``, as
    Python values), None for any other item or an id that is not one of ours."""
    pk, sk = keys.get(schema.PARTITION_KEY), keys.get(schema.SORT_KEY)
    if not isinstance(pk, str) or sk != schema.ATTACHMENT_SK:
        return None
    if not pk.startswith(schema.ATTACHMENT_PK_PREFIX):
        return None
    attachment_id = pk.removeprefix(schema.ATTACHMENT_PK_PREFIX)
    # The pattern also keeps the folder below from being "media//" or a parent of others.
    return attachment_id if ID_PATTERN.match(attachment_id) else None


def delete_images(attachment_id: str) -> int:
    """Delete the derived images of an attachment whose item is gone; how many there were.
    Safe to repeat. The original is left to the uploads bucket's lifecycle rule, which deletes
    it a day after the upload: an item expires two days after it at the earliest, so the
    original is gone already (and the function needs no permission on the uploads bucket)."""
    if not ID_PATTERN.match(attachment_id):
        raise ValueError(f"not an attachment id: {attachment_id!r}")
    return storage.delete_under(get_settings().media_bucket, media_folder(attachment_id))
