"""The notifier function: table changes, from its queue, become members' notifications.

Each SQS message's body is one change in the shape of forum.changes (the fan-out behind the
table's one stream reader sends this function the INSERTs of posts and topics). Messages are
handled one by one and reported back one by one (partial batch failures): one that failed for
a reason a retry may cure (DynamoDB throttling) comes back after the visibility timeout, then
goes to the dead-letter queue. A body that is not a change is logged and dropped: sent again it
would fail again. Handling a change twice, or after a later one, tells nobody twice
(forum.notifier).
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

from forum import changes, models, notifier
from forum.settings import get_settings

logger = Logger()
metrics = Metrics()
# The cold start: the models learn their table from this function's settings.
models.configure(get_settings())
# Every message is reported on its own, even when all of them failed (no exception then).
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def handle_message(record: SQSRecord) -> None:
    try:
        change = changes.decode(record.body)
    except ValueError as error:
        logger.warning("not a table change; dropped", extra={"error": str(error)})
        return
    outcome = notifier.handle(change)
    if outcome.entries:
        metrics.add_metric(name="NotificationsMade", unit=MetricUnit.Count, value=outcome.entries)


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(
        process_partial_response(
            event=event, record_handler=handle_message, processor=processor, context=context
        )
    )
