"""The media cleanup function as the table's changes drive it, all in moto.

``Forum`` makes the table with its stream (keys only, as the stack has it), the media bucket
and the function's queue, subscribed as the stack subscribes it (only removed attachments);
attachments are made as POST /api/uploads makes them, with their images where the thumbnail
function puts them. ``records`` reads what the stream holds since the last call; ``fan_out``
hands records to the real changes function, which sends the queue what it wants, and returns
the queue's messages; ``consume`` hands messages to the real media cleanup handler in the event
Lambda's SQS event source mapping builds; ``deliver`` does both.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from forum import media, models, schema, storage, uploads
from forum.identity import Member
from forum.settings import get_settings

from ..conftest import LambdaContextStub, aws_client
from ..streams import STREAM, Queue, Stream, Subscriptions, fan_out

MEMBER = Member(user_id="user-member", name="member")


@dataclass
class Forum:
    stream: Stream
    queue: Queue
    s3: Any = field(repr=False)

    @property
    def media(self) -> str:
        return get_settings().media_bucket

    def upload(self, images: tuple[str, ...] = ("thumb.jpg", "display.jpg")) -> str:
        """An attachment as the API makes it, with its images in the media bucket."""
        upload = uploads.create_upload(MEMBER, "photo.jpg", "image/jpeg", 1000)
        attachment_id = upload.attachment.attachment_id
        for name in images:
            storage.put_media(f"{media.media_folder(attachment_id)}{name}", b"x", "image/jpeg")
        return attachment_id

    def remove(self, attachment_id: str) -> None:
        """Delete the attachment item, as DynamoDB's TTL does (moto runs no TTL)."""
        aws_client("dynamodb").delete_item(
            TableName=get_settings().table_name,
            Key={
                "pk": {"S": schema.attachment_pk(attachment_id)},
                "sk": {"S": schema.ATTACHMENT_SK},
            },
        )

    def records(self) -> list[dict[str, Any]]:
        """The stream's records written since the last call (the whole stream the first time)."""
        return self.stream.records()

    def fan_out(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """What the changes function sends the media cleanup queue of these records."""
        assert fan_out(self.stream, records) == {"batchItemFailures": []}
        return self.queue.take()

    def consume(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
        """Invoke the real handler with these messages in one SQS event; its answer."""
        from media_cleanup.handler import lambda_handler

        return dict(lambda_handler(self.queue.event(messages), LambdaContextStub()))

    def deliver(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        return self.consume(self.fan_out(records))

    def media_keys(self, attachment_id: str | None = None) -> list[str]:
        prefix = media.media_folder(attachment_id) if attachment_id else ""
        listed = self.s3.list_objects_v2(Bucket=self.media, Prefix=prefix).get("Contents", [])
        return sorted(item["Key"] for item in listed)


@pytest.fixture
def forum(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Forum]:
    dynamodb = aws_client("dynamodb")
    arguments = schema.create_table_arguments(get_settings().table_name)
    dynamodb.create_table(**arguments, StreamSpecification=STREAM)
    s3 = aws_client("s3")
    s3.create_bucket(Bucket=get_settings().uploads_bucket)
    s3.create_bucket(Bucket=get_settings().media_bucket)
    # As the stack subscribes the media cleanup (infra/media_cleanup.py).
    queue = Subscriptions(monkeypatch).subscribe(
        "MediaCleanup", kinds={"attachment"}, events={"REMOVE"}
    )
    models.configure(get_settings())
    yield Forum(Stream.of_table(arguments["TableName"]), queue, s3)
    get_settings.cache_clear()
