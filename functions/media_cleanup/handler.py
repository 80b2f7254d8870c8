"""The media cleanup function: the images of an attachment whose item is gone are deleted.

The table's changes reach this function from its queue, one change a message
(``forum.changes``), put there by the changes function (the stream's one reader, forum.fanout),
whose subscription for this queue wants only the removal of ``ATTACHMENT`` items: in practice
DynamoDB's TTL deleting an upload nobody used (forum.attachments). Anything else that arrives
anyway (a subscription changed by hand, a test) is passed over, and so is a message that is not
a change. Messages are reported back one by one (partial batch failures): a failed one stays
on the queue, comes back after the visibility timeout and, after its last receive, goes to the
dead-letter queue (an alarm watches it). Deleting what is already gone deletes nothing, so a
change delivered twice is harmless.
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
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from forum import changes, schema
from forum.media import delete_images, removed_attachment_id

logger = Logger()
metrics = Metrics()
# Every message is reported on its own, even when all of them failed (no exception then).
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def handle_message(record: SQSRecord) -> None:
    """One change: a removed attachment item has its images deleted."""
    try:
        change = changes.decode(record.body)
    except ValueError:
        logger.warning(
            "a message that is not a change passed over", extra={"id": record.message_id}
        )
        return
    if change.event != changes.REMOVE:
        return
    attachment_id = removed_attachment_id(
        {schema.PARTITION_KEY: change.pk, schema.SORT_KEY: change.sk}
    )
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
            event=event, record_handler=handle_message, processor=processor, context=context
        )
    )
