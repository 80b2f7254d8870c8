"""/api/uploads and /api/attachments: uploading images and following what becomes of them."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path

from forum import attachments

from .auth import require_member
from .params import ID_PATTERN
from .schemas import AttachmentOut, AttachmentRef, PresignedPost, UploadIn, UploadOut
from .shaping import attachment_out

router = Router()

AttachmentId = Annotated[str, Path(pattern=ID_PATTERN, description="The attachment's id.")]


@router.post("/api/uploads", summary="Start an image upload: an attachment and where to post it")
def create_upload(body: UploadIn) -> Response[UploadOut]:
    """The browser then posts the file straight to S3 (url and fields), and follows
    GET /api/attachments/{id} until the attachment is ready (or failed, with a reason)."""
    member = require_member(router.current_event)
    upload = attachments.create_upload(
        member, body.filename, body.content_type, body.size, body.purpose
    )
    attachment = upload.attachment
    return Response(
        status_code=201,
        content_type="application/json",
        body=UploadOut(
            attachment=AttachmentRef(id=attachment.attachment_id, status=attachment.status),
            upload=PresignedPost(url=upload.url, fields=upload.fields),
        ),
        headers={"Location": f"/api/attachments/{attachment.attachment_id}"},
    )


@router.get("/api/attachments/<attachment_id>", summary="An attachment: its state and images")
def get_attachment(attachment_id: AttachmentId) -> AttachmentOut:
    """Public, like the images themselves: an id is 128 random bits, known only to the uploader
    until a post shows it, and the answer names no owner."""
    return attachment_out(attachments.get_attachment(attachment_id))
