"""The changes function: the table stream's one reader, which hands each change to the queues
that want it (forum.fanout).

Lambda reads the stream (keys only) through the table's only event source mapping, whose
filter already left out what no queue wants, and hands this function a batch of records. Each
record becomes a ``forum.changes.Change`` and goes, ten to a request, to every subscribed queue
that wants it. A record some queue did not take is reported back by its sequence number
(partial batch failures): Lambda retries the batch from the first of them, bisecting it on the
way, and after its last retry sends the batch's description to the dead-letter queue (an alarm
watches it). Records after the failed one are sent again then: a queue may get a change twice,
which its consumer shrugs off.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from forum import fanout
from forum.changes import Change, from_stream_record
from forum.settings import get_settings

logger = Logger()
metrics = Metrics()


def handle(records: list[dict[str, Any]]) -> dict[str, Any]:
    """A batch of stream records, fanned out; Lambda's partial batch response."""
    changes: list[Change] = []
    for record in records:
        change = from_stream_record(record)
        if change is None:
            # Not a change of an item (nothing else comes on a table's stream): nothing to do.
            logger.warning("a stream record without keys passed over")
            continue
        changes.append(change)
    # The subscriptions the stack wrote into this function's environment (parsed in
    # microseconds; settings are read once per process).
    subscriptions = fanout.parse(get_settings().change_subscriptions)
    failed = fanout.fan_out(changes, subscriptions, fanout.sqs())
    metrics.add_metric(name="ChangesRead", unit=MetricUnit.Count, value=len(changes))
    if failed:
        logger.warning("changes not taken by a queue; retried", extra={"failed": len(failed)})
        metrics.add_metric(name="ChangesRetried", unit=MetricUnit.Count, value=len(failed))
    return {
        "batchItemFailures": [
            {"itemIdentifier": changes[index].sequence} for index in sorted(failed)
        ]
    }


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle(list(event.get("Records") or []))
