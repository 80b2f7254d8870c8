"""The SQS event source mapping of the local runtime, with a stand-in function."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote_plus

import boto3
import pytest

from local.deployed import QueueTrigger
from local.poller import poll_once

from ..factory import queue_with_dead_letters

pytestmark = pytest.mark.usefixtures("aws")


def queues(max_receive_count: int = 3) -> tuple[Any, str, str, str]:
    sqs = boto3.client("sqs")
    work = queue_with_dead_letters(sqs, "work", "dead", max_receive_count, VisibilityTimeout="0")
    return sqs, work.url, work.arn, work.dead_letter_url


def count(sqs: Any, url: str) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(
        attributes["ApproximateNumberOfMessagesNotVisible"]
    )


def test_batches_go_to_the_function_and_done_messages_are_deleted() -> None:
    sqs, work, work_arn, dead = queues()
    for index in range(7):
        sqs.send_message(QueueUrl=work, MessageBody=json.dumps({"n": index}))
    seen: list[dict[str, Any]] = []

    def function(name: str, event: dict[str, Any]) -> dict[str, Any]:
        seen.append(event)
        return {"batchItemFailures": []}

    trigger = QueueTrigger(work, "stand-in", batch_size=5, report_failures=True)
    received = 0
    while (got := poll_once(sqs, trigger, work_arn, function, wait=0)) > 0:
        received += got
    assert received == 7
    assert [len(event["Records"]) for event in seen] == [5, 2]
    record = seen[0]["Records"][0]
    assert record["eventSource"] == "aws:sqs" and record["eventSourceARN"] == work_arn
    assert json.loads(record["body"]) == {"n": 0}
    assert count(sqs, work) == 0 and count(sqs, dead) == 0


def test_failed_messages_are_retried_then_dead_lettered() -> None:
    sqs, work, work_arn, dead = queues(max_receive_count=3)
    sqs.send_message(QueueUrl=work, MessageBody="good")
    sqs.send_message(QueueUrl=work, MessageBody="bad")
    attempts: dict[str, int] = {}

    def function(name: str, event: dict[str, Any]) -> dict[str, Any]:
        failures = []
        for record in event["Records"]:
            attempts[record["body"]] = attempts.get(record["body"], 0) + 1
            if record["body"] == "bad":
                failures.append({"itemIdentifier": record["messageId"]})
        return {"batchItemFailures": failures}

    trigger = QueueTrigger(work, "stand-in", batch_size=10, report_failures=True)
    for _ in range(6):
        poll_once(sqs, trigger, work_arn, function, wait=0)
    # the good message ran once; the bad one three times (maxReceiveCount), then moved aside
    assert attempts == {"good": 1, "bad": 3}
    assert count(sqs, work) == 0
    moved = sqs.receive_message(QueueUrl=dead)["Messages"]
    assert [message["Body"] for message in moved] == ["bad"]


def test_a_function_error_leaves_the_whole_batch() -> None:
    sqs, work, work_arn, _ = queues(max_receive_count=5)
    sqs.send_message(QueueUrl=work, MessageBody="one")

    def broken(name: str, event: dict[str, Any]) -> None:
        raise RuntimeError("boom")

    trigger = QueueTrigger(work, "stand-in", batch_size=10, report_failures=True)
    assert poll_once(sqs, trigger, work_arn, broken, wait=0) == 1
    assert count(sqs, work) == 1


def test_s3_notifications_reach_the_queue() -> None:
    sqs, work, work_arn, _ = queues()
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="uploads-bucket")
    s3.put_bucket_notification_configuration(
        Bucket="uploads-bucket",
        NotificationConfiguration={
            "QueueConfigurations": [{"QueueArn": work_arn, "Events": ["s3:ObjectCreated:*"]}]
        },
    )
    s3.put_object(Bucket="uploads-bucket", Key="originals/a b.jpg", Body=b"x")
    bodies: list[dict[str, Any]] = []

    def function(name: str, event: dict[str, Any]) -> dict[str, Any]:
        bodies.extend(json.loads(record["body"]) for record in event["Records"])
        return {"batchItemFailures": []}

    trigger = QueueTrigger(work, "stand-in", batch_size=10, report_failures=True)
    while poll_once(sqs, trigger, work_arn, function, wait=0):
        pass
    keys = [
        record["s3"]["object"]["key"]
        for body in bodies
        for record in body.get("Records", [])
        if record.get("eventName", "").startswith("ObjectCreated")
    ]
    # keys arrive URL-encoded, as S3 sends them
    assert [unquote_plus(key) for key in keys] == ["originals/a b.jpg"]
