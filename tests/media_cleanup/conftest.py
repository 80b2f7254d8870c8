"""The media cleanup function as the table's stream drives it, all in moto.

``Forum`` makes the table with its stream (keys only, as the stack has it) and the media
bucket; attachments are made as POST /api/uploads makes them, with their images where the
thumbnail function puts them. ``records`` reads what the stream holds since the last call, with
the ``dynamodbstreams`` client; ``deliver`` hands records to the real handler in the event
Lambda's event source mapping builds from them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from botocore.config import Config

from forum import media, models, schema, storage, uploads
from forum.identity import Member
from forum.settings import get_settings
from local.stack import REGION

from ..conftest import LambdaContextStub, aws_client

MEMBER = Member(user_id="user-member", name="member")
STREAM = {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}


def stream_event(records: list[dict[str, Any]], stream_arn: str) -> dict[str, Any]:
    """The event Lambda hands a function for stream records: each record as GetRecords gave it,
    with the stream's ARN, and the time of the change in seconds since the epoch."""
    return {
        "Records": [
            {
                **record,
                "dynamodb": {
                    **record["dynamodb"],
                    "ApproximateCreationDateTime": int(
                        record["dynamodb"]["ApproximateCreationDateTime"].timestamp()
                    ),
                },
                "eventSourceARN": stream_arn,
            }
            for record in records
        ]
    }


@dataclass
class Forum:
    stream_arn: str
    s3: Any = field(repr=False)
    streams: Any = field(repr=False)
    iterator: str | None = None

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
        if self.iterator is None:
            (shard,) = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"][
                "Shards"
            ]
            self.iterator = self.streams.get_shard_iterator(
                StreamArn=self.stream_arn,
                ShardId=shard["ShardId"],
                ShardIteratorType="TRIM_HORIZON",
            )["ShardIterator"]
        found = self.streams.get_records(ShardIterator=self.iterator)
        self.iterator = found["NextShardIterator"]
        return list(found["Records"])

    def removals(self) -> list[dict[str, Any]]:
        """The new records the mapping's filter lets through: removed attachment items."""
        return [
            record
            for record in self.records()
            if record["eventName"] == "REMOVE"
            and record["dynamodb"]["Keys"]["pk"]["S"].startswith(schema.ATTACHMENT_PK_PREFIX)
        ]

    def deliver(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        """Invoke the real handler with these records in one stream event; its answer."""
        from media_cleanup.handler import lambda_handler

        event = stream_event(records, self.stream_arn)
        return dict(lambda_handler(event, LambdaContextStub()))

    def media_keys(self, attachment_id: str | None = None) -> list[str]:
        prefix = media.media_folder(attachment_id) if attachment_id else ""
        listed = self.s3.list_objects_v2(Bucket=self.media, Prefix=prefix).get("Contents", [])
        return sorted(item["Key"] for item in listed)


@pytest.fixture
def forum(aws: None) -> Iterator[Forum]:
    dynamodb = aws_client("dynamodb")
    arguments = schema.create_table_arguments(get_settings().table_name)
    dynamodb.create_table(**arguments, StreamSpecification=STREAM)
    models.configure(get_settings())
    stream_arn = dynamodb.describe_table(TableName=arguments["TableName"])["Table"][
        "LatestStreamArn"
    ]
    s3 = aws_client("s3")
    s3.create_bucket(Bucket=get_settings().uploads_bucket)
    s3.create_bucket(Bucket=get_settings().media_bucket)
    # botocore sends stream requests to the account's own address
    # ({account}.streams-ddb.{region}.amazonaws.com), which moto does not answer; the
    # regional one it does.
    streams = boto3.client(
        "dynamodbstreams", region_name=REGION, config=Config(account_id_endpoint_mode="disabled")
    )
    yield Forum(stream_arn, s3, streams)
