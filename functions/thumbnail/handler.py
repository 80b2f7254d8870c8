"""The thumbnail function: S3's notifications of uploaded originals, through SQS, become images.

Each SQS message holds one S3 notification. Messages are handled one by one and reported back
one by one (partial batch failures): a message whose upload is done, made into images or
refused with a reason on its attachment, is deleted; one that failed for a reason a retry may
cure (S3 or DynamoDB trouble) stays on the queue, comes back after the visibility timeout and,
after the third receive, goes to the dead-letter queue. A bad file never fails its message.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes import S3Event
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from forum import models
from forum.settings import get_settings
from forum.thumbnails import make_images

logger = Logger()
metrics = Metrics()
# The cold start: the models learn their table from this function's settings.
models.configure(get_settings())
# Every message is reported on its own, even when all of them failed (no exception then).
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)

TEST_EVENT = "s3:TestEvent"


def handle_message(record: SQSRecord) -> None:
    """One SQS message: the S3 notification of (normally) one uploaded object."""
    try:
        body = json.loads(record.body)
    except ValueError:
        logger.warning("not an S3 notification; dropped", extra={"message_id": record.message_id})
        return
    if not isinstance(body, dict) or body.get("Event") == TEST_EVENT or "Records" not in body:
        # S3 sends a test event when the notification is set up; nothing to do.
        return
    # The data class, not Powertools' parser model: it takes the records as S3 (and moto)
    # send them without asking for fields this function does not read.
    for upload in S3Event(body).records:
        if not upload.event_name.startswith("ObjectCreated"):
            continue
        bucket = upload.s3.bucket.name
        # Keys arrive URL-encoded, spaces as "+".
        key = unquote_plus(upload.s3.get_object.key)
        outcome = make_images(bucket, key)
        logger.info(
            "upload handled",
            extra={
                "key": key,
                "attachment_id": outcome.attachment_id,
                "status": outcome.status,
                "code": outcome.code,
            },
        )
        if outcome.status == "ready":
            metrics.add_metric(name="ImagesMade", unit=MetricUnit.Count, value=1)
        elif outcome.status == "failed":
            metrics.add_metric(name="UploadsRefused", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(
        process_partial_response(
            event=event, record_handler=handle_message, processor=processor, context=context
        )
    )
