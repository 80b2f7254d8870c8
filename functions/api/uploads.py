"""/api/uploads and /api/attachments: uploading images and following what becomes of them."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path

from forum import attachments, uploads
from forum.errors import Conflict
from forum.i18n import _
from forum.identity import Member
from forum.models import Receipt
from forum.profiles import require_writer

from . import idempotency
from .idempotency import IdempotencyKey
from .params import ID_PATTERN
from .responses import answers, created, ok
from .schemas.attachments import AttachmentOut, AttachmentRef, PresignedPost, UploadIn, UploadOut
from .shaping import attachment_out

router = Router()


AttachmentId = Annotated[str, Path(pattern=ID_PATTERN, description="The attachment's id.")]


@router.post(
    "/api/uploads",
    summary="Start an image upload: an attachment and where to post it",
    responses=answers(created(), problems=(401, 403, 404, 409, 429)),
)
def create_upload(body: UploadIn, idempotency_key: IdempotencyKey = None) -> Response[UploadOut]:
    """The browser then posts the file straight to S3 (url and fields), and follows
    GET /api/attachments/{id} until the attachment is ready (or failed, with a reason).
    A replay (same Idempotency-Key) answers with the same attachment and a new form for it,
    while the member may still upload and the file has not arrived yet."""

    def make(member: Member, receipt: Receipt | None) -> tuple[UploadOut, dict[str, Any]]:
        upload = uploads.create_upload(
            member, body.filename, body.content_type, body.size, body.purpose, receipt=receipt
        )
        return upload_out(upload), {"attachment_id": upload.attachment.attachment_id}

    def recall(member: Member, reference: dict[str, Any]) -> UploadOut:
        # A new form is a new capability, checked as the first request was: a member banned
        # since gets a 403, not a form; and a file that arrived already is not replaced.
        require_writer(member)
        upload = uploads.upload_again(member, str(reference["attachment_id"]))
        if upload.attachment.status != attachments.PENDING:
            raise Conflict(
                _(
                    "This upload is done: its attachment is {status}. Follow it at "
                    "GET /api/attachments/{id}; a new file is a new upload."
                ).format(status=upload.attachment.status, id=upload.attachment.attachment_id)
            )
        return upload_out(upload)

    return idempotency.create(
        router,
        "upload",
        body.model_dump(mode="json"),
        make,
        recall,
        lambda answer: f"/api/attachments/{answer.attachment.id}",
    )


def upload_out(upload: uploads.Upload) -> UploadOut:
    attachment = upload.attachment
    return UploadOut(
        attachment=AttachmentRef(id=attachment.attachment_id, status=attachment.status),
        upload=PresignedPost(url=upload.url, fields=upload.fields),
    )


@router.get(
    "/api/attachments/<attachment_id>",
    summary="An attachment: its state and images",
    responses=answers(ok(), problems=(404,)),
)
def get_attachment(attachment_id: AttachmentId) -> AttachmentOut:
    """Public, like the images themselves: an id is 128 random bits, known only to the uploader
    until a post shows it, and the answer names no owner."""
    return attachment_out(attachments.get_attachment(attachment_id))
