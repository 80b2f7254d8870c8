"""The table's changes, read once and fanned out to a queue per feature.

    table ─ stream, keys only ─► event source mapping (the stream's only one; filtered to the
        changes some queue wants, batched, bisected and retried on error)
        ─► changes function ─ SendMessageBatch ─► a queue per subscription (+ dead-letter queue)
                                                       ─► its event source mapping ─► its function
            └─ a batch that keeps failing ─► the changes dead-letter queue (an alarm watches it)

DynamoDB Streams serves at most two readers per shard at full speed, and media cleanup,
notifications and search indexing all want the table's changes: one reader fans them out, and
each feature declares what it wants here, once:

    feed = ForumChangeFeed(stack, "Changes", config=..., table=..., layer=..., monitoring=...)
    feed.subscribe("MediaCleanup", function, kinds={"attachment"}, events={"REMOVE"})
    feed.subscribe("Search", indexer, kinds={"post", "topic"}, fifo=True, batch_size=10)

``subscribe`` makes the queue (encrypted, TLS only, with a dead-letter queue after a few
receives and its alarm), the function's event source mapping on it (partial batch failures)
and the grants, and writes the subscription into the changes function's environment
(``FORUM_CHANGE_SUBSCRIPTIONS``, read by forum.fanout) and into the stream mapping's filter, so
the two never disagree. A FIFO subscription's queue is FIFO: one message group, deduplicated by
the change's sequence number (for a single writer such as the search indexer).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from aws_cdk import Duration, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from forum import fanout
from forum import settings as env
from forum.changes import EVENTS

from .config import ForumConfig
from .functions import TRACING_REASON, forum_function
from .monitoring import ForumMonitoring
from .nag import acknowledge

CHANGES_HANDLER = "changes.handler.lambda_handler"
# A stream batch: up to this many records, or what came within the window. A window of a
# second costs a notification a second and saves invocations when the forum is busy.
BATCH_SIZE = 100
BATCHING_WINDOW = Duration.seconds(1)
TIMEOUT = Duration.seconds(60)
MEMORY_MB = 256
# Each retry starts at the first record some queue did not take, and a failing batch is halved
# (bisect) on the way; then the batch's description goes to the dead-letter queue instead of
# holding up the shard until its records expire (a day).
RETRY_ATTEMPTS = 5
# A subscriber's message is received this many times before it goes to its dead-letter queue.
MAX_RECEIVE_COUNT = 5
QUEUE_RETENTION = Duration.days(4)
DEAD_LETTER_RETENTION = Duration.days(14)


@dataclass(frozen=True)
class Subscriber:
    """What ``ForumChangeFeed.subscribe`` made for one feature."""

    subscription: fanout.Subscription
    queue: sqs.Queue
    dead_letters: sqs.Queue
    function: lambda_.Function


class ForumChangeFeed(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: ForumConfig,
        table: dynamodb.ITable,
        layer: lambda_.ILayerVersion,
        monitoring: ForumMonitoring,
    ) -> None:
        super().__init__(scope, construct_id)
        self.monitoring = monitoring
        self.subscribers: list[Subscriber] = []

        # What Lambda sends here is the description of a failed batch (shard, first and last
        # sequence numbers), not the records: see the README for what to do with it.
        self.dead_letters = _queue(self, "ChangesDeadLetters", DEAD_LETTER_RETENTION)
        acknowledge(
            self.dead_letters,
            {
                "AwsSolutions-SQS3": (
                    "This queue is itself a dead-letter queue: the on-failure destination of "
                    "the table stream's event source mapping, which SQS3 cannot see (it looks "
                    "for queues named in a redrive policy)."
                ),
            },
        )

        function, role = forum_function(
            self,
            "Changes",
            description="Reads the table's stream and sends each change to the queues that want it",
            role_description=(
                "The forum's changes function: its log group, X-Ray, reading the table's "
                "stream, sending to the subscribed queues"
            ),
            handler=CHANGES_HANDLER,
            service="forum-changes",
            layer=layer,
            config=config,
            memory_size=MEMORY_MB,
            timeout=TIMEOUT,
            environment={env.CHANGE_SUBSCRIPTIONS_ENV: "[]"},
        )
        self.function = function
        self.mapping = function.add_event_source_mapping(
            "Stream",
            event_source_arn=_stream_arn(table),
            # From the oldest record the stream keeps: nothing changed between the stream's
            # creation and the mapping's is missed.
            starting_position=lambda_.StartingPosition.TRIM_HORIZON,
            batch_size=BATCH_SIZE,
            max_batching_window=BATCHING_WINDOW,
            bisect_batch_on_error=True,
            retry_attempts=RETRY_ATTEMPTS,
            report_batch_item_failures=True,
            on_failure=event_sources.SqsDlq(self.dead_letters),
        )
        table.grant_stream_read(function)
        acknowledge(
            role,
            {
                "AwsSolutions-IAM5[Resource::*]": (
                    f"{TRACING_REASON} And dynamodb:ListStreams, which the stream grant adds, "
                    "supports none either; the records are read only from this table's stream."
                ),
            },
        )
        monitoring.watch_function("Changes", function)
        monitoring.watch_dead_letter_queue(
            "Changes",
            self.dead_letters,
            advice=(
                "a stream batch failed every retry and its changes reached no queue; see the "
                "README's table changes"
            ),
        )

    def subscribe(
        self,
        name: str,
        function: lambda_.Function,
        *,
        kinds: Iterable[str],
        events: Iterable[str] = EVENTS,
        fifo: bool = False,
        batch_size: int = 10,
        max_batching_window: Duration | None = None,
        max_receive_count: int = MAX_RECEIVE_COUNT,
        advice: str = "see the README's redrive command",
    ) -> Subscriber:
        """Send the changes of these kinds (forum.fanout.KINDS) and events (INSERT, MODIFY,
        REMOVE) to a new queue ``{name}`` that ``function`` reads, with partial batch failures.

        ``fifo``: a FIFO queue, one message group, deduplicated by sequence number (at most
        ten messages a batch, no batching window). ``max_receive_count``: receives before the
        dead-letter queue (a function of reserved concurrency 1 wants more: SQS counts a
        throttled delivery as a receive). ``advice`` ends the description of the alarm on the
        queue's dead-letter queue.
        """
        if any(subscriber.subscription.name == name for subscriber in self.subscribers):
            raise ValueError(f"{name} subscribes to the table's changes already")
        scope = Construct(self, name)
        dead_letters = _queue(scope, "DeadLetters", DEAD_LETTER_RETENTION, fifo=fifo)
        # SQS's advice: at least six times the function's timeout, so that a batch that is
        # still being retried is not handed out twice.
        timeout = function.timeout.to_seconds() if function.timeout else 3
        queue = _queue(
            scope,
            "Queue",
            QUEUE_RETENTION,
            fifo=fifo,
            visibility_timeout=Duration.seconds(6 * timeout),
            dead_letter_queue=sqs.DeadLetterQueue(
                max_receive_count=max_receive_count, queue=dead_letters
            ),
        )
        subscription = fanout.Subscription(
            name=name,
            queue_url=queue.queue_url,
            kinds=frozenset(kinds),
            events=frozenset(events),
            fifo=fifo,
        )
        function.add_event_source(
            event_sources.SqsEventSource(
                queue,
                batch_size=batch_size,
                max_batching_window=None if fifo else max_batching_window,
                report_batch_item_failures=True,
            )
        )
        queue.grant_send_messages(self.function)
        subscriber = Subscriber(subscription, queue, dead_letters, function)
        self.subscribers.append(subscriber)
        self._declare()
        self.monitoring.watch_dead_letter_queue(name, dead_letters, advice=advice)
        return subscriber

    def _declare(self) -> None:
        """The subscriptions so far, where the function and the stream's filter read them."""
        subscriptions = [subscriber.subscription for subscriber in self.subscribers]
        self.function.add_environment(
            env.CHANGE_SUBSCRIPTIONS_ENV,
            Stack.of(self).to_json_string([item.to_json() for item in subscriptions]),
        )
        patterns = fanout.stream_filters(subscriptions)
        mapping = self.mapping.node.default_child
        assert isinstance(mapping, lambda_.CfnEventSourceMapping)
        mapping.filter_criteria = (
            None
            if patterns is None
            else lambda_.CfnEventSourceMapping.FilterCriteriaProperty(
                filters=[
                    lambda_.CfnEventSourceMapping.FilterProperty(pattern=json.dumps(pattern))
                    for pattern in patterns
                ]
            )
        )


def _queue(
    scope: Construct,
    construct_id: str,
    retention: Duration,
    *,
    fifo: bool = False,
    visibility_timeout: Duration | None = None,
    dead_letter_queue: sqs.DeadLetterQueue | None = None,
) -> sqs.Queue:
    return sqs.Queue(
        scope,
        construct_id,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=retention,
        fifo=fifo or None,
        visibility_timeout=visibility_timeout,
        dead_letter_queue=dead_letter_queue,
    )


def _stream_arn(table: dynamodb.ITable) -> str:
    if table.table_stream_arn is None:
        raise ValueError("the table has no stream")
    return table.table_stream_arn
