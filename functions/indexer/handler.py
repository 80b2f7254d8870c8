"""The search indexer: table changes from its queue into the index in S3, one writer only.

Its queue gets post and topic changes from the one reader of the table's stream
(``forum.changes``: keys only; ``forum.search.indexing`` reads each item's current state). A
batch is all or nothing: the writer's lease is taken, every change applied, one commit
published; any failure raises, so SQS delivers the whole batch again, and after a few tries
it waits in the dead-letter queue (an alarm watches it). Applying a change twice is harmless.
A message that is no change at all is logged and dropped, never retried.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from forum import changes, models, storage
from forum.search import LEASE_SECONDS
from forum.search.lease import Lease
from forum.search.writer import WorkingCopy
from forum.settings import get_settings

logger = Logger()
metrics = Metrics()
models.configure(get_settings())

_copy: WorkingCopy | None = None


def working_copy() -> WorkingCopy:
    """This process's copy of the index (kept in /tmp across warm invocations)."""
    global _copy
    settings = get_settings()
    if _copy is None or _copy.bucket != settings.search_bucket:
        _copy = WorkingCopy(storage.s3(), settings.search_bucket, Path(settings.search_directory))
    return _copy


def decoded(event: dict[str, Any]) -> list[changes.Change]:
    found = []
    for record in event.get("Records") or []:
        try:
            found.append(changes.decode(record.get("body") or ""))
        except ValueError as error:
            logger.warning("not a change; dropped", extra={"error": str(error)})
    return found


@metrics.log_metrics
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    batch = decoded(event)
    if not batch:
        return {"indexed": 0, "deleted": 0}
    lease = Lease(LEASE_SECONDS, holder=getattr(context, "aws_request_id", None))
    lease.take()
    try:
        applied = working_copy().apply(batch)
    finally:
        lease.release()
    metrics.add_metric(name="PostsIndexed", unit=MetricUnit.Count, value=applied.indexed)
    metrics.add_metric(name="PostsUnindexed", unit=MetricUnit.Count, value=applied.deleted)
    logger.info(
        "index updated",
        extra={"changes": len(batch), "indexed": applied.indexed, "deleted": applied.deleted},
    )
    return {"indexed": applied.indexed, "deleted": applied.deleted}
