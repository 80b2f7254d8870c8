"""Uploads and image attachments: declaring an upload, its presigned POST, an attachment's state."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from forum.settings import get_settings
from forum.uploads import ACCEPTED_TYPES

from .common import Integer, Request, Schema


class AttachmentOut(Schema):
    """An image attachment. The thumbnail opens the display image; both are set once ready."""

    id: str
    status: str = Field(
        description="pending until the images are made, then ready (or failed, with a reason)."
    )
    reason: str | None = Field(description="Why the upload could not be used, when failed.")
    filename: str
    width: int | None = Field(description="Of the display image.")
    height: int | None
    thumb_url: str | None = Field(description="The thumbnail: at most 320 px on a side.")
    display_url: str | None = Field(description="The display image: at most 1600 px on a side.")
    thumb_width: int | None
    thumb_height: int | None


AttachmentId = Annotated[str, Field(max_length=64)]


ATTACHMENT_IDS_DESCRIPTION = (
    "Ids of your uploads (POST /api/uploads) to show with the post, in this order: at most 10, "
    "each pending or ready and not attached to another post."
)


def _upload_limit(schema: dict[str, Any]) -> None:
    # The limit is a setting: read when the document is made, not when the module loads.
    schema.update(minimum=1, maximum=get_settings().max_upload_bytes)


class UploadIn(Request):
    filename: str = Field(
        max_length=1000,
        description="The file's name, shown cleaned (at most 200 characters).",
    )
    content_type: str = Field(
        max_length=200,
        description="image/jpeg, image/png, image/webp, image/gif, image/heic or image/heif.",
        json_schema_extra={"enum": list(ACCEPTED_TYPES)},
    )
    size: Integer = Field(
        ge=0,
        le=2**53,
        description="In bytes: 1 up to the upload limit (10 MB).",
        json_schema_extra=lambda schema: _upload_limit(schema),
    )
    purpose: Literal["post", "avatar"] = Field(
        default="post", description="avatar: the images are square crops, for PATCH /api/me."
    )


class AttachmentRef(Schema):
    id: str
    status: str


class PresignedPost(Schema):
    """Post a multipart/form-data form to url: every field, then the file as "file"."""

    url: str
    fields: dict[str, str]


class UploadOut(Schema):
    attachment: AttachmentRef
    upload: PresignedPost
