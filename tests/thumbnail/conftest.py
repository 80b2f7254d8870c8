"""The thumbnail function as S3 and SQS drive it, all in moto.

``Pipeline`` makes the uploads and media buckets and the queue, and sets up the uploads bucket
to announce new originals to the queue as the stack does. ``upload`` starts an upload as the API
does (a pending attachment), puts the bytes where the presigned POST would, and takes S3's
notification off the queue; ``deliver`` hands such messages to the real handler in an SQS event
as the event source mapping does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from forum import media, uploads
from forum.identity import Member
from forum.settings import get_settings
from local.poller import sqs_event

from ..conftest import LambdaContextStub, aws_client
from ..factory import queue_with_dead_letters

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "images"
needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(),
    reason=f"the shared test images are not at {SHARED} (the repository sits next to shared/)",
)

MEMBER = Member(user_id="user-member", name="member")


@dataclass
class Upload:
    attachment_id: str
    key: str
    messages: list[dict[str, Any]]


@dataclass
class Pipeline:
    queue_url: str
    queue_arn: str
    dead_url: str
    s3: Any = field(repr=False)
    sqs: Any = field(repr=False)

    @property
    def uploads(self) -> str:
        return get_settings().uploads_bucket

    @property
    def media(self) -> str:
        return get_settings().media_bucket

    def start(self, filename: str = "photo.jpg", purpose: str = "post", **kwargs: Any) -> str:
        """A pending attachment, as POST /api/uploads makes it."""
        upload = uploads.create_upload(
            kwargs.get("member", MEMBER),
            filename,
            kwargs.get("content_type", "image/jpeg"),
            kwargs.get("size", 1000),
            purpose,
        )
        return upload.attachment.attachment_id

    def upload(
        self,
        data: bytes,
        content_type: str | None = "image/jpeg",
        purpose: str = "post",
        filename: str = "photo.jpg",
    ) -> Upload:
        attachment_id = self.start(filename, purpose, content_type=content_type or "image/jpeg")
        key = media.original_key(attachment_id)
        extra = {"ContentType": content_type} if content_type else {}
        self.s3.put_object(Bucket=self.uploads, Key=key, Body=data, **extra)
        return Upload(attachment_id, key, self.receive())

    def receive(self) -> list[dict[str, Any]]:
        """The messages waiting on the queue (S3's notifications), S3's test event left out."""
        found: list[dict[str, Any]] = []
        while True:
            batch = self.sqs.receive_message(
                QueueUrl=self.queue_url, MaxNumberOfMessages=10, AttributeNames=["All"]
            ).get("Messages", [])
            if not batch:
                return found
            for message in batch:
                if "s3:TestEvent" in message["Body"]:
                    self.sqs.delete_message(
                        QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"]
                    )
                else:
                    found.append(message)

    def deliver(self, *messages: dict[str, Any], context: Any = None) -> dict[str, Any]:
        """Invoke the real handler with these messages in one SQS event; its answer."""
        from thumbnail.handler import lambda_handler

        event = sqs_event(list(messages), self.queue_arn)
        return dict(lambda_handler(event, context or LambdaContextStub()))

    def attachment(self, attachment_id: str) -> dict[str, Any]:
        item = aws_client("dynamodb").get_item(
            TableName=get_settings().table_name,
            Key={"pk": {"S": f"ATTACHMENT#{attachment_id}"}, "sk": {"S": "ATTACHMENT"}},
            ConsistentRead=True,
        )["Item"]
        return {name: next(iter(value.values())) for name, value in item.items()}

    def media_object(self, key: str) -> dict[str, Any]:
        found = self.s3.get_object(Bucket=self.media, Key=key)
        return {**found, "Data": found["Body"].read()}

    def media_keys(self) -> list[str]:
        listed = self.s3.list_objects_v2(Bucket=self.media).get("Contents", [])
        return sorted(item["Key"] for item in listed)


@pytest.fixture
def pipeline(table: Any) -> Iterator[Pipeline]:
    s3, sqs = aws_client("s3"), aws_client("sqs")
    settings = get_settings()
    s3.create_bucket(Bucket=settings.uploads_bucket)
    s3.create_bucket(Bucket=settings.media_bucket)
    queue = queue_with_dead_letters(
        sqs, "thumbnails", "thumbnail-dead-letters", VisibilityTimeout="30"
    )
    s3.put_bucket_notification_configuration(
        Bucket=settings.uploads_bucket,
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "QueueArn": queue.arn,
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "originals/"}]}},
                }
            ]
        },
    )
    yield Pipeline(queue.url, queue.arn, queue.dead_letter_url, s3, sqs)
