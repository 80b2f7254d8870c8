"""What a DynamoDB stream's event source mapping does in AWS: hand the table's changes to a
function, in order, a batch at a time.

The poller reads the stream from the local AWS with the DynamoDB Streams API, as Lambda does:
``DescribeStream`` for the shards, ``GetShardIterator`` (from the stream's oldest record, or
after the last one handed over, kept in ``checkpoints`` across restarts), then ``GetRecords``,
a few times a second. Records the mapping's filter does not
match are passed over (Lambda's filter syntax, ``matches``); the others go to the function in
Lambda's event (``Records``, each with its time in epoch seconds and the stream's ARN), up to
the mapping's batch size. With ReportBatchItemFailures the batch is retried from the lowest
sequence number the function reported; when the function fails, the whole batch, halved first
if the mapping bisects; after the mapping's retries the batch's description goes to its
on-failure queue, as Lambda sends it, and the shard moves on. The batching window is not waited
for: locally a change moves at once.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .deployed import StreamTrigger
from .stack import REGION

log = logging.getLogger("forum.streams")
# Lambda polls each shard four times a second.
POLL_INTERVAL_SECONDS = 0.25

Invoke = Callable[[str, dict[str, Any]], Any]


def matches(pattern: Mapping[str, Any], value: Any) -> bool:
    """Whether a record (or part of one) matches a filter pattern: Lambda's (EventBridge's)
    syntax for what the forum uses: nested objects, lists of literals, ``prefix``,
    ``anything-but`` and ``exists``."""
    if not isinstance(value, Mapping):
        return False
    for key, wanted in pattern.items():
        present = key in value
        if isinstance(wanted, Mapping):
            if not present or not matches(wanted, value[key]):
                return False
            continue
        if not any(_matches_one(rule, present, value.get(key)) for rule in wanted):
            return False
    return True


def _matches_one(rule: Any, present: bool, value: Any) -> bool:
    if isinstance(rule, Mapping):
        if "exists" in rule:
            return present is bool(rule["exists"])
        if not present:
            return False
        if "prefix" in rule:
            return isinstance(value, str) and value.startswith(rule["prefix"])
        if "anything-but" in rule:
            excluded = rule["anything-but"]
            return value not in (excluded if isinstance(excluded, list) else [excluded])
        return False
    return present and value == rule


def lambda_record(record: Mapping[str, Any], stream_arn: str) -> dict[str, Any]:
    """A GetRecords record as Lambda hands it to a function."""
    dynamodb = dict(record.get("dynamodb") or {})
    created = dynamodb.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):  # boto3 parses it; Lambda sends epoch seconds
        dynamodb["ApproximateCreationDateTime"] = int(created.timestamp())
    return {**record, "dynamodb": dynamodb, "eventSourceARN": stream_arn, "awsRegion": REGION}


@dataclass
class _Shard:
    # Read to its end and closed (a shard of a real stream closes after about four hours).
    closed: bool = False
    # Records read but not yet handed over (a batch being retried comes first).
    pending: list[dict[str, Any]] = field(default_factory=list)
    attempts: int = 0
    # How much of ``pending`` the next attempt hands over (halved by bisection).
    size: int = 0
    # The sequence number of the last record read, passed over by the filter or not.
    last: str | None = None


class Checkpoints:
    """The last sequence number handed over, per stream and shard, kept across restarts (the
    local stream keeps its records; without this a restart would hand over all of them again)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.positions: dict[str, dict[str, str]] = {}
        if path is not None and path.is_file():
            try:
                self.positions = json.loads(path.read_text())
            except ValueError:
                log.warning("stream checkpoints in %s unreadable; reading from the start", path)

    def get(self, stream_arn: str, shard_id: str) -> str | None:
        return self.positions.get(stream_arn, {}).get(shard_id)

    def set(self, stream_arn: str, shard_id: str, sequence: str) -> None:
        self.positions.setdefault(stream_arn, {})[shard_id] = sequence
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_suffix(".tmp")
            temporary.write_text(json.dumps(self.positions))
            temporary.replace(self.path)


class StreamReader:
    """One stream mapping: reads the shards and hands batches to the function."""

    def __init__(
        self,
        streams: Any,
        sqs: Any,
        trigger: StreamTrigger,
        invoke: Invoke,
        checkpoints: Checkpoints | None = None,
        forget: Callable[[str], None] | None = None,
    ) -> None:
        self.streams = streams
        self.sqs = sqs
        self.trigger = trigger
        self.invoke = invoke
        self.checkpoints = checkpoints or Checkpoints(None)
        # Called with each iterator once used (the local AWS keeps every one it hands out).
        self.forget = forget or (lambda iterator: None)
        self.shards: dict[str, _Shard] = {}

    def poll_once(self) -> int:
        """Read every shard once and hand over what came; how many records were read."""
        described = self.streams.describe_stream(StreamArn=self.trigger.stream_arn)
        read = 0
        for shard in described["StreamDescription"].get("Shards", []):
            shard_id = shard["ShardId"]
            if shard_id not in self.shards:
                self.shards[shard_id] = _Shard()
            read += self._poll_shard(shard_id, self.shards[shard_id])
        return read

    def _iterator(self, shard_id: str) -> str:
        after = self.checkpoints.get(self.trigger.stream_arn, shard_id)
        arguments: dict[str, Any] = {"ShardIteratorType": "TRIM_HORIZON"}
        if after is not None:
            arguments = {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": after}
        answer = self.streams.get_shard_iterator(
            StreamArn=self.trigger.stream_arn, ShardId=shard_id, **arguments
        )
        return str(answer["ShardIterator"])

    def _poll_shard(self, shard_id: str, shard: _Shard) -> int:
        read = 0
        if not shard.pending and not shard.closed:
            # A new iterator each time, from the last record handed over: the local AWS's
            # iterators hold on to the shard as it was when they were made, and a transaction
            # that moto rolls back puts a copy of the table (and of its stream) in its place.
            iterator = self._iterator(shard_id)
            answer = self.streams.get_records(ShardIterator=iterator, Limit=self.trigger.batch_size)
            following = answer.get("NextShardIterator")
            for used in (iterator, following):
                if used:
                    self.forget(used)
            shard.closed = following is None  # a closed shard has no next iterator
            records = list(answer.get("Records") or [])
            read = len(records)
            if records:
                last = records[-1]["dynamodb"]["SequenceNumber"]
                shard.pending = [r for r in records if self._wanted(r)]
                shard.size = len(shard.pending)
                shard.last = last
                if not shard.pending:
                    self.checkpoints.set(self.trigger.stream_arn, shard_id, last)
        if shard.pending:
            self._hand_over(shard_id, shard)
        return read

    def _wanted(self, record: Mapping[str, Any]) -> bool:
        if not self.trigger.filters:
            return True
        delivered = lambda_record(record, self.trigger.stream_arn)
        return any(matches(pattern, delivered) for pattern in self.trigger.filters)

    def _hand_over(self, shard_id: str, shard: _Shard) -> None:
        batch = shard.pending[: shard.size or len(shard.pending)]
        event = {"Records": [lambda_record(r, self.trigger.stream_arn) for r in batch]}
        failed_from: int | None = None
        errored = False
        try:
            result = self.invoke(self.trigger.function, event)
        except Exception:
            log.exception("%s failed on a stream batch", self.trigger.function)
            failed_from, errored = 0, True
        else:
            failed_from = self._first_failure(batch, result)
        if failed_from is None:
            self._done(shard_id, shard, len(batch))
            return
        # Everything before the first failure is done; the rest is tried again.
        self._done(shard_id, shard, failed_from)
        shard.attempts += 1
        retries = self.trigger.retry_attempts
        if retries >= 0 and shard.attempts > retries:
            self._give_up(shard_id, shard, batch[failed_from:])
            return
        remaining = len(batch) - failed_from
        if errored and self.trigger.bisect and remaining > 1:
            shard.size = remaining // 2
        log.warning(
            "%s: %d stream record(s) to retry (attempt %d)",
            self.trigger.function,
            remaining,
            shard.attempts,
        )

    def _first_failure(self, batch: list[dict[str, Any]], result: Any) -> int | None:
        if not self.trigger.report_failures or not isinstance(result, dict):
            return None
        reported = {
            str(item.get("itemIdentifier")) for item in result.get("batchItemFailures") or []
        }
        for index, record in enumerate(batch):
            if record["dynamodb"]["SequenceNumber"] in reported:
                return index
        return None

    def _done(self, shard_id: str, shard: _Shard, count: int) -> None:
        if count <= 0:
            return
        done, shard.pending = shard.pending[:count], shard.pending[count:]
        shard.attempts = 0
        shard.size = len(shard.pending)
        if shard.pending:
            self.checkpoints.set(
                self.trigger.stream_arn, shard_id, done[-1]["dynamodb"]["SequenceNumber"]
            )
        else:
            # The whole read is done, records the filter passed over after it too.
            last = shard.last or done[-1]["dynamodb"]["SequenceNumber"]
            self.checkpoints.set(self.trigger.stream_arn, shard_id, last)

    def _give_up(self, shard_id: str, shard: _Shard, batch: list[dict[str, Any]]) -> None:
        """As Lambda does after the last retry: the batch's description to the on-failure
        destination, and the shard moves on."""
        first, last = batch[0]["dynamodb"], batch[-1]["dynamodb"]
        description = {
            "requestContext": {"condition": "RetryAttemptsExhausted"},
            "DDBStreamBatchInfo": {
                "shardId": shard_id,
                "startSequenceNumber": first["SequenceNumber"],
                "endSequenceNumber": last["SequenceNumber"],
                "batchSize": len(batch),
                "streamArn": self.trigger.stream_arn,
            },
        }
        log.error("%s: a stream batch failed every retry", self.trigger.function)
        if self.trigger.on_failure_queue_url:
            self.sqs.send_message(
                QueueUrl=self.trigger.on_failure_queue_url, MessageBody=json.dumps(description)
            )
        shard.attempts = 0
        self._done(shard_id, shard, len(batch))


class StreamPoller(threading.Thread):
    def __init__(self, reader: StreamReader) -> None:
        super().__init__(name=f"stream-{reader.trigger.function}", daemon=True)
        self.reader = reader
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            started = time.monotonic()
            try:
                self.reader.poll_once()
            except Exception:
                if self.stopping.is_set():
                    return
                log.exception("reading %s failed", self.reader.trigger.stream_arn)
                self.stopping.wait(1)
            self.stopping.wait(max(0.0, POLL_INTERVAL_SECONDS - (time.monotonic() - started)))

    def stop(self) -> None:
        self.stopping.set()


def forget_iterator(iterator: str) -> None:
    """Drop a used iterator from the in-process moto server, which keeps every one it made
    (several a second, for as long as the runtime runs)."""
    from moto.dynamodbstreams.models import dynamodbstreams_backends

    from .stack import ACCOUNT

    dynamodbstreams_backends[ACCOUNT][REGION].shard_iterators.pop(iterator, None)
