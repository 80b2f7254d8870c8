"""A change to the table, as the one reader of its stream hands it to each feature's queue.

The table's stream is keys only: a record names the item that changed (``pk``, ``sk``), what
happened to it (INSERT, MODIFY, REMOVE), whether DynamoDB's TTL removed it, when, and the
stream's sequence number. This module is the one shape of that change on every queue behind the
stream (media cleanup, notifications, search indexing...): the reader of the stream encodes it,
each consumer decodes it.

A consumer reads the item's current state itself rather than trusting a copy in the message.
That keeps owners, file names and post text out of the stream and the queues, and it makes a
duplicated or reordered message harmless: handling "TOPIC#t / POST#0000000007 changed" twice,
or after a later change of the same item, does what the item now says. ``sequence`` is
increasing per item (DynamoDB Streams' order within a key), for a consumer that keeps positions.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import schema

INSERT = "INSERT"
MODIFY = "MODIFY"
REMOVE = "REMOVE"
EVENTS = frozenset({INSERT, MODIFY, REMOVE})
# What a stream record's userIdentity says when DynamoDB's TTL deleted the item.
TTL_PRINCIPAL = "dynamodb.amazonaws.com"


@dataclass(frozen=True)
class Change:
    event: str
    pk: str
    sk: str
    # DynamoDB Streams' sequence number: digits, increasing per item.
    sequence: str
    # Epoch seconds (the record's ApproximateCreationDateTime).
    at: int
    # Removed by the table's TTL, not by the forum.
    expired: bool = False

    @property
    def kind(self) -> str:
        """What sort of item changed: post, topic, board, profile, attachment, or other."""
        if self.pk.startswith(schema.TOPIC_PK_PREFIX):
            if self.sk == schema.TOPIC_SK:
                return "topic"
            if self.sk.startswith(schema.POST_SK_PREFIX):
                return "post"
        elif self.pk == schema.BOARDS_PK and self.sk.startswith(schema.BOARD_SK_PREFIX):
            return "board"
        elif self.pk.startswith(schema.USER_PK_PREFIX) and self.sk == schema.PROFILE_SK:
            return "profile"
        elif self.pk.startswith(schema.ATTACHMENT_PK_PREFIX) and self.sk == schema.ATTACHMENT_SK:
            return "attachment"
        return "other"

    def encode(self) -> str:
        """The message body a queue carries."""
        return json.dumps(
            {
                "event": self.event,
                "pk": self.pk,
                "sk": self.sk,
                "sequence": self.sequence,
                "at": self.at,
                "expired": self.expired,
            },
            separators=(",", ":"),
        )


def decode(body: str) -> Change:
    """A queue message's body back into a change; ValueError when it is not one."""
    try:
        fields = json.loads(body)
    except ValueError as error:
        raise ValueError(f"not a change: {error}") from None
    if not isinstance(fields, dict):
        raise ValueError("not a change: not an object")
    event, pk, sk = fields.get("event"), fields.get("pk"), fields.get("sk")
    sequence, at = fields.get("sequence"), fields.get("at")
    if event not in EVENTS or not isinstance(pk, str) or not isinstance(sk, str):
        raise ValueError("not a change: event, pk or sk missing")
    if not isinstance(sequence, str) or not sequence.isdigit():
        raise ValueError("not a change: sequence missing")
    if not isinstance(at, int) or isinstance(at, bool):
        raise ValueError("not a change: time missing")
    return Change(event, pk, sk, sequence, at, fields.get("expired") is True)


def from_stream_record(record: Mapping[str, Any]) -> Change | None:
    """A DynamoDB stream record (as Lambda delivers it) as a change; None if it has no keys."""
    event = record.get("eventName")
    dynamodb = record.get("dynamodb") or {}
    keys = dynamodb.get("Keys") or {}
    pk = (keys.get(schema.PARTITION_KEY) or {}).get("S")
    sk = (keys.get(schema.SORT_KEY) or {}).get("S")
    if event not in EVENTS or not isinstance(pk, str) or not isinstance(sk, str):
        return None
    identity = record.get("userIdentity") or {}
    return Change(
        event=event,
        pk=pk,
        sk=sk,
        sequence=str(dynamodb.get("SequenceNumber", "0")),
        at=int(float(dynamodb.get("ApproximateCreationDateTime", 0))),
        expired=identity.get("type") == "Service" and identity.get("principalId") == TTL_PRINCIPAL,
    )
