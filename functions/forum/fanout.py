"""The fan-out of the table's changes: which queue wants which change, and sending them there.

    table ─ stream, keys only ─► one event source mapping (filtered to what some queue wants)
        ─► changes function (functions/changes) ─ SendMessageBatch ─► one queue per feature
            (media cleanup, notifications, search...), each with its dead-letter queue,
            each read by its own function through its own event source mapping

DynamoDB Streams serves at most two readers per shard at full speed, and every feature wants
the table's changes: so the stream has one reader, and each feature subscribes a queue of its
own. A subscription names the kinds of item (``forum.changes.Change.kind``: post, topic,
board, profile, attachment, other) and the events (INSERT, MODIFY, REMOVE) its queue wants. It
is declared once, in the stack (``ForumChangeFeed.subscribe`` in infra/changes.py), which writes
every subscription into the changes function's environment (``FORUM_CHANGE_SUBSCRIPTIONS``), a
JSON list:

    [{"name": "MediaCleanup", "queue": "https://sqs.../...", "kinds": ["attachment"],
      "events": ["REMOVE"], "fifo": false}]

and builds the stream mapping's filter from the same subscriptions (``stream_filters``), so a
change nobody wants (a viewer's heartbeat, a receipt) invokes nothing.

Each message is one change, ``Change.encode()``; a consumer decodes it with
``forum.changes.decode`` and reads the item's current state itself. A change may arrive twice
(a retried batch sends again what a queue already took) or after a later change of the same
item: consumers are idempotent. A FIFO queue's messages share one message group (its consumer
is a single writer, in stream order) and are deduplicated by the change's sequence number for
SQS's five minutes.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import schema
from .changes import EVENTS, Change

KINDS = frozenset({"post", "topic", "board", "profile", "attachment", "other"})
# SendMessageBatch takes at most ten messages (and 256 KiB; a change is about 150 bytes).
MAX_BATCH = 10
# The one message group of a FIFO subscription: its consumer sees the changes in stream order.
FIFO_GROUP = "changes"

# What the stream mapping's filter matches for each kind: Lambda's filter syntax on the record
# as it delivers it. "other" is everything else and cannot be matched positively.
_KEY_PATTERNS: dict[str, dict[str, Any]] = {
    "post": {
        schema.PARTITION_KEY: {"S": [{"prefix": schema.TOPIC_PK_PREFIX}]},
        schema.SORT_KEY: {"S": [{"prefix": schema.POST_SK_PREFIX}]},
    },
    "topic": {
        schema.PARTITION_KEY: {"S": [{"prefix": schema.TOPIC_PK_PREFIX}]},
        schema.SORT_KEY: {"S": [schema.TOPIC_SK]},
    },
    "board": {
        schema.PARTITION_KEY: {"S": [schema.BOARDS_PK]},
        schema.SORT_KEY: {"S": [{"prefix": schema.BOARD_SK_PREFIX}]},
    },
    "profile": {
        schema.PARTITION_KEY: {"S": [{"prefix": schema.USER_PK_PREFIX}]},
        schema.SORT_KEY: {"S": [schema.PROFILE_SK]},
    },
    "attachment": {
        schema.PARTITION_KEY: {"S": [{"prefix": schema.ATTACHMENT_PK_PREFIX}]},
        schema.SORT_KEY: {"S": [schema.ATTACHMENT_SK]},
    },
}


@dataclass(frozen=True)
class Subscription:
    """A queue and the changes it wants."""

    name: str
    queue_url: str
    kinds: frozenset[str]
    events: frozenset[str] = EVENTS
    fifo: bool = False

    def __post_init__(self) -> None:
        if not self.name or not self.kinds or not self.events:
            raise ValueError(f"subscription {self.name!r}: name, kinds and events required")
        if not self.kinds <= KINDS:
            raise ValueError(f"subscription {self.name!r}: unknown kinds {self.kinds - KINDS}")
        if not self.events <= EVENTS:
            raise ValueError(f"subscription {self.name!r}: unknown events {self.events - EVENTS}")

    def wants(self, change: Change) -> bool:
        return change.kind in self.kinds and change.event in self.events

    def to_json(self) -> dict[str, Any]:
        """What the stack writes for this subscription (``queue`` may be a CDK token)."""
        return {
            "name": self.name,
            "queue": self.queue_url,
            "kinds": sorted(self.kinds),
            "events": sorted(self.events),
            "fifo": self.fifo,
        }


def parse(text: str) -> tuple[Subscription, ...]:
    """The subscriptions the stack wrote (``FORUM_CHANGE_SUBSCRIPTIONS``); ValueError if the
    text is not what it writes. Empty: none."""
    if not text.strip():
        return ()
    listed = json.loads(text)
    if not isinstance(listed, list):
        raise ValueError("change subscriptions: not a list")
    found = []
    for item in listed:
        if not isinstance(item, dict) or not isinstance(item.get("queue"), str):
            raise ValueError(f"change subscriptions: not a subscription: {item!r}")
        found.append(
            Subscription(
                name=str(item.get("name", "")),
                queue_url=item["queue"],
                kinds=frozenset(item.get("kinds") or ()),
                events=frozenset(item.get("events") or ()),
                fifo=item.get("fifo") is True,
            )
        )
    return tuple(found)


def stream_filters(subscriptions: Iterable[Subscription]) -> list[dict[str, Any]] | None:
    """The stream mapping's filter patterns (Lambda's, OR-ed): each subscribed kind with the
    events some subscription wants of it. None when a subscription wants "other" (nothing can
    be left out then)."""
    wanted: dict[str, set[str]] = {}
    for subscription in subscriptions:
        for kind in subscription.kinds:
            wanted.setdefault(kind, set()).update(subscription.events)
    if "other" in wanted:
        return None
    return [
        {"eventName": sorted(events), "dynamodb": {"Keys": _KEY_PATTERNS[kind]}}
        for kind, events in sorted(wanted.items())
    ]


def entry(subscription: Subscription, identifier: str, change: Change) -> dict[str, Any]:
    """One SendMessageBatch entry: the change for this subscription's queue."""
    message: dict[str, Any] = {"Id": identifier, "MessageBody": change.encode()}
    if subscription.fifo:
        message["MessageGroupId"] = FIFO_GROUP
        message["MessageDeduplicationId"] = change.sequence
    return message


def fan_out(changes: Sequence[Change], subscriptions: Iterable[Subscription], sqs: Any) -> set[int]:
    """Send each change to every queue that wants it, ten to a request; the positions (in
    ``changes``) of those some queue did not take. A FIFO queue takes nothing after a change it
    refused, so that the retry, which starts there, keeps the stream's order."""
    failed: set[int] = set()
    for subscription in subscriptions:
        wanted = [index for index, change in enumerate(changes) if subscription.wants(change)]
        for start in range(0, len(wanted), MAX_BATCH):
            chunk = wanted[start : start + MAX_BATCH]
            refused = _send(subscription, {index: changes[index] for index in chunk}, sqs)
            failed |= refused
            if refused and subscription.fifo:
                failed |= set(wanted[start:])
                break
    return failed


def _send(subscription: Subscription, chunk: Mapping[int, Change], sqs: Any) -> set[int]:
    """One SendMessageBatch; the positions it did not take (all of them if the call failed)."""
    entries = [entry(subscription, str(index), change) for index, change in chunk.items()]
    try:
        answer = sqs.send_message_batch(QueueUrl=subscription.queue_url, Entries=entries)
    except Exception:  # any failure of the call: every change of it is retried
        return set(chunk)
    refused = {int(item["Id"]) for item in answer.get("Failed") or []}
    if subscription.fifo and refused:
        # Within one request a FIFO queue keeps the order: what came after a refused entry
        # is sent again with it.
        first = min(refused)
        refused |= {index for index in chunk if index > first}
    return refused


@functools.cache
def sqs() -> Any:
    """The SQS client of this process."""
    import botocore.session
    from botocore.config import Config

    from .settings import get_settings

    config = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=5)
    session = botocore.session.get_session()
    return session.create_client("sqs", region_name=get_settings().region, config=config)
