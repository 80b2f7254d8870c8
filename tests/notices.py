"""Driving the notifier as the fan-out will: SQS messages whose bodies are forum.changes.

Shared by the API tests of watching and notifications, the notifier's own tests and the
browser test (the fan-out from the table's stream is built elsewhere; here the changes a reply
or a new topic makes are handed to the function as its queue would hand them).
"""

from __future__ import annotations

import hashlib
import itertools
import time
from collections.abc import Sequence
from typing import Any

from forum import changes, schema

_sequence = itertools.count(4_100_000_000_000_000_000_001)


def new_post(topic_id: str, number: int) -> changes.Change:
    """The change a new post makes: INSERT of TOPIC#{topic} / POST#{number}."""
    return changes.Change(
        changes.INSERT,
        schema.topic_pk(topic_id),
        schema.post_sk(number),
        str(next(_sequence)),
        int(time.time()),
    )


def new_topic(topic_id: str) -> changes.Change:
    """The change a new topic makes: INSERT of TOPIC#{topic} / TOPIC."""
    return changes.Change(
        changes.INSERT,
        schema.topic_pk(topic_id),
        schema.TOPIC_SK,
        str(next(_sequence)),
        int(time.time()),
    )


def started(topic_id: str) -> list[changes.Change]:
    """Both changes a new topic makes (its header and its opening post)."""
    return [new_topic(topic_id), new_post(topic_id, 1)]


def sqs_event(bodies: Sequence[str]) -> dict[str, Any]:
    """The event Lambda hands a function for a batch of SQS messages."""
    return {
        "Records": [
            {
                "messageId": f"message-{index}",
                "receiptHandle": f"handle-{index}",
                "body": body,
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": str(int(time.time() * 1000)),
                    "SenderId": "AIDAEXAMPLE",
                    "ApproximateFirstReceiveTimestamp": str(int(time.time() * 1000)),
                },
                "messageAttributes": {},
                "md5OfBody": hashlib.md5(body.encode()).hexdigest(),
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:forum-notifications",
                "awsRegion": "us-east-1",
            }
            for index, body in enumerate(bodies)
        ]
    }


def deliver(items: Sequence[changes.Change | str]) -> dict[str, Any]:
    """Hand the notifier function these changes (or raw bodies) as one batch; its answer."""
    from notifier.handler import lambda_handler

    from .conftest import LambdaContextStub

    bodies = [item if isinstance(item, str) else item.encode() for item in items]
    return dict(lambda_handler(sqs_event(bodies), LambdaContextStub()))
