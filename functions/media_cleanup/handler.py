"""The media cleanup function: the images of an attachment whose item is gone are deleted.

The table's stream (keys only) reaches this function through an event source mapping whose
filter lets through only the removal of ``ATTACHMENT#`` items: in practice DynamoDB's TTL
deleting an upload nobody used (forum.attachments). Anything else that arrives anyway (a filter
changed by hand, a test) is passed over. Records are reported back one by one (partial batch
failures): Lambda retries from the first failed record, bisecting the batch, a few times, and
then sends the batch's description to the dead-letter queue (an alarm watches it).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
    DynamoDBRecordEventName,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from forum import models
from forum.media import delete_images, removed_attachment_id
from forum.settings import get_settings

logger = Logger()
metrics = Metrics()
# The cold start: the models learn their table from this function's settings.
models.configure(get_settings())
# Every record is reported on its own, even when all of them failed (no exception then).
processor = BatchProcessor(
    event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False
)


def handle_record(record: DynamoDBRecord) -> None:
    """One stream record: a removed attachment item has its images deleted."""
    if record.event_name != DynamoDBRecordEventName.REMOVE or record.dynamodb is None:
        return
    attachment_id = removed_attachment_id(record.dynamodb.keys)
    if attachment_id is None:
        return
    deleted = delete_images(attachment_id)
    logger.info(
        "images of a removed attachment deleted",
        extra={"attachment_id": attachment_id, "objects": deleted},
    )
    metrics.add_metric(name="MediaObjectsDeleted", unit=MetricUnit.Count, value=deleted)


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(
        process_partial_response(
            event=event, record_handler=handle_record, processor=processor, context=context
        )
    )
