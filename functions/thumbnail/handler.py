"""The thumbnail function: S3's notifications of uploaded originals, through SQS, become images.

Each SQS message holds one S3 notification. Messages are handled one by one and reported back
one by one (partial batch failures): a message whose upload is done, made into images or
refused with a reason on its attachment, is deleted; one that failed for a reason a retry may
cure (S3 or DynamoDB trouble) stays on the queue, comes back after the visibility timeout and,
after the third receive, goes to the dead-letter queue. A bad file never fails its message.

The batch's answer must be given before the function's timeout, or every message of it comes
back, those already done too. So an upload is not started when too little time is left, and
the decode of the one under way stops in time to answer (``images.OutOfTime``): those messages
are reported failed and come back later, with the time of an invocation of their own.
"""

from __future__ import annotations

import json
import time
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
from forum.images import OutOfTime
from forum.settings import get_settings
from forum.thumbnails import make_images

logger = Logger()
metrics = Metrics()
# The cold start: the models learn their table from this function's settings.
models.configure(get_settings())
# Every message is reported on its own, even when all of them failed (no exception then).
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)

TEST_EVENT = "s3:TestEvent"

# Kept back at the end of the invocation once the decode of an upload stops: resizing and
# encoding what was decoded (bounded by the pixel limit: 1-2 s for 50 MP here, 1024 MB of Lambda
# being about 60 % of a core), writing the images and the records, and answering.
FINISH_MS = 6_000
# An upload is not started with less than this left: the slowest ordinary one (a 50 MP PNG)
# takes 3 s here, and started later it would only be stopped and come back. The function's
# timeout (THUMBNAIL_TIMEOUT in infra/images.py, 30 s) leaves a batch of five room enough.
START_MS = FINISH_MS + 4_000


def handle_message(record: SQSRecord, lambda_context: LambdaContext) -> None:
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
        remaining = lambda_context.get_remaining_time_in_millis()
        if remaining < START_MS:
            logger.info("too little time left; the message comes back", extra={"key": key})
            raise OutOfTime
        deadline = time.monotonic() + (remaining - FINISH_MS) / 1000
        outcome = make_images(bucket, key, deadline=deadline)
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
