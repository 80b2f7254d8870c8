"""What the SQS event source mapping does in AWS: hand a queue's messages to a function.

Batches of up to the mapping's batch size; with ReportBatchItemFailures only the failed
messages stay on the queue; a function error leaves the whole batch. A message that stays
becomes visible again after the queue's visibility timeout and, after the redrive policy's
maxReceiveCount, SQS moves it to the dead-letter queue.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from .deployed import QueueTrigger
from .stack import REGION

log = logging.getLogger("forum.poller")
# The moto server answers one request at a time, so a long poll (WaitTimeSeconds) would hold up
# every other request for its whole wait: the pollers ask without waiting, this often.
POLL_INTERVAL_SECONDS = 0.2

Invoke = Callable[[str, dict[str, Any]], Any]


def sqs_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message.get("Attributes", {}),
                "messageAttributes": message.get("MessageAttributes", {}),
                "md5OfBody": message.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": REGION,
            }
            for message in messages
        ]
    }


def poll_once(
    sqs: Any, trigger: QueueTrigger, queue_arn: str, invoke: Invoke, wait: int = 1
) -> int:
    """Receive one batch and hand it to the function; returns how many messages it got."""
    received = sqs.receive_message(
        QueueUrl=trigger.queue_url,
        MaxNumberOfMessages=min(trigger.batch_size, 10),
        WaitTimeSeconds=wait,
        AttributeNames=["All"],
        MessageAttributeNames=["All"],
    )
    messages = received.get("Messages", [])
    if not messages:
        return 0
    try:
        result = invoke(trigger.function, sqs_event(messages, queue_arn))
    except Exception:
        log.exception("the function failed; the batch stays on the queue")
        return len(messages)
    failed: set[str] = set()
    if trigger.report_failures and isinstance(result, dict):
        failed = {item.get("itemIdentifier") for item in result.get("batchItemFailures") or []}
    done = [message for message in messages if message["MessageId"] not in failed]
    if done:
        sqs.delete_message_batch(
            QueueUrl=trigger.queue_url,
            Entries=[
                {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]}
                for index, message in enumerate(done)
            ],
        )
    if failed:
        log.warning("%d message(s) failed and will be retried", len(failed))
    return len(messages)


class Poller(threading.Thread):
    def __init__(self, sqs: Any, trigger: QueueTrigger, queue_arn: str, invoke: Invoke) -> None:
        super().__init__(name=f"poller-{trigger.function}", daemon=True)
        self.sqs = sqs
        self.trigger = trigger
        self.queue_arn = queue_arn
        self.invoke = invoke
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                if not poll_once(self.sqs, self.trigger, self.queue_arn, self.invoke, wait=0):
                    self.stopping.wait(POLL_INTERVAL_SECONDS)
            except Exception:
                if self.stopping.is_set():
                    return
                log.exception("polling %s failed", self.trigger.queue_url)
                self.stopping.wait(1)

    def stop(self) -> None:
        self.stopping.set()
