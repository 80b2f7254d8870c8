"""The table's stream in moto, and the queues behind it, as the tests of its readers need them.

``Stream.records`` reads, with the ``dynamodbstreams`` client, what the stream holds since the
last call; ``stream_event`` is the event Lambda's event source mapping builds from such records.
``subscribe`` makes a real SQS queue and writes its subscription where the changes function
reads it (``FORUM_CHANGE_SUBSCRIPTIONS``); ``Queue.take`` receives (and deletes) what it holds,
as Lambda's SQS event source mapping would, and ``sqs_event`` is the event it hands a function.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from botocore.config import Config

from forum import fanout
from forum.changes import EVENTS, Change, decode
from forum.settings import CHANGE_SUBSCRIPTIONS_ENV, get_settings
from local.poller import sqs_event
from local.stack import REGION

from .conftest import LambdaContextStub, aws_client

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


def streams_client() -> Any:
    # botocore sends stream requests to the account's own address
    # ({account}.streams-ddb.{region}.amazonaws.com), which moto does not answer; the
    # regional one it does.
    return boto3.client(
        "dynamodbstreams", region_name=REGION, config=Config(account_id_endpoint_mode="disabled")
    )


@dataclass
class Stream:
    arn: str
    client: Any = field(repr=False)
    iterator: str | None = None

    @classmethod
    def of_table(cls, table_name: str) -> Stream:
        arn = aws_client("dynamodb").describe_table(TableName=table_name)["Table"][
            "LatestStreamArn"
        ]
        return cls(arn, streams_client())

    def records(self) -> list[dict[str, Any]]:
        """The stream's records written since the last call (the whole stream the first time)."""
        if self.iterator is None:
            (shard,) = self.client.describe_stream(StreamArn=self.arn)["StreamDescription"][
                "Shards"
            ]
            self.iterator = self.client.get_shard_iterator(
                StreamArn=self.arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]
        found = self.client.get_records(ShardIterator=self.iterator)
        self.iterator = found["NextShardIterator"]
        return list(found["Records"])

    def event(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        return stream_event(records, self.arn)


@dataclass
class Queue:
    subscription: fanout.Subscription
    arn: str

    @property
    def url(self) -> str:
        return self.subscription.queue_url

    def take(self) -> list[dict[str, Any]]:
        """Every message the queue holds, received and deleted, in the order SQS gave them."""
        sqs = aws_client("sqs")
        taken: list[dict[str, Any]] = []
        while True:
            found = sqs.receive_message(
                QueueUrl=self.url, MaxNumberOfMessages=10, AttributeNames=["All"]
            ).get("Messages", [])
            if not found:
                return taken
            taken += found
            sqs.delete_message_batch(
                QueueUrl=self.url,
                Entries=[
                    {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(found)
                ],
            )

    def changes(self) -> list[Change]:
        return [decode(message["Body"]) for message in self.take()]

    def event(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
        return sqs_event(messages, self.arn)


class Subscriptions:
    """Queues subscribed to the table's changes, as the stack subscribes them."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.queues: list[Queue] = []

    def subscribe(
        self,
        name: str,
        *,
        kinds: Iterable[str],
        events: Iterable[str] = EVENTS,
        fifo: bool = False,
    ) -> Queue:
        sqs = aws_client("sqs")
        attributes = {"FifoQueue": "true"} if fifo else {}
        url = sqs.create_queue(
            QueueName=f"forum-{name.lower()}" + (".fifo" if fifo else ""), Attributes=attributes
        )["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        subscription = fanout.Subscription(name, url, frozenset(kinds), frozenset(events), fifo)
        queue = Queue(subscription, arn)
        self.queues.append(queue)
        text = json.dumps([q.subscription.to_json() for q in self.queues])
        self.monkeypatch.setenv(CHANGE_SUBSCRIPTIONS_ENV, text)
        get_settings.cache_clear()
        return queue


def fan_out(stream: Stream, records: list[dict[str, Any]]) -> dict[str, Any]:
    """Hand these records to the real changes function, as the stream's mapping does; its
    answer."""
    from changes.handler import lambda_handler

    return dict(lambda_handler(stream.event(records), LambdaContextStub()))
