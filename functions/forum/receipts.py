"""Receipts: a keyed create leaves a mark in its own transaction, so a retry never makes it twice.

The API keeps a record of each request sent with an Idempotency-Key (api.idempotency), but that
record is written apart from the post: an invocation that dies after the post's transaction
committed and before the record was completed (a Lambda timeout) leaves a record "in progress"
that expires, and the retry would run again. So the creating transaction itself also saves a
receipt under the key (``IDEMPOTENCY#{user_id}`` / ``RECEIPT#{operation}#{sha256 of the key}``,
the item named "receipt"), on the condition that none exists: the post and its receipt are
committed together or not at all. A retry's transaction is then cancelled by the receipt, and
``AlreadyMade`` tells the API what the first one made; a retry refused earlier (the topic locked
since, the attachments now used by the first post) looks the receipt up (``made_before``).

A receipt holds the same small reference the record does ({"number": n}, {"topic_id": id},
{"attachment_id": id}) and a hash of the request's payload, so the same key with another body is
still refused (422). It lapses after a day, as the records do; one that TTL has not removed yet
is overwritten as if it were not there. Without a key, nothing here is written or read.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

from . import clock, schema
from .errors import Invalid
from .i18n import _
from .models import Receipt
from .transactions import Cancelled, Transaction

# The item's name in a creating transaction (forum.transactions).
NAME = "receipt"
LIFETIME = timedelta(days=1)
Reference = dict[str, Any]


class AlreadyMade(Exception):
    """The request was made before under its key: nothing was written; ``reference`` names it."""

    def __init__(self, reference: Reference) -> None:
        super().__init__(reference)
        self.reference = reference


class AnotherRequest(Invalid):
    """The key was used before for a different request (another body or route parameters)."""


def digest(value: Any) -> str:
    """The sha256 of a JSON value, the same whatever the order of its keys."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def new(user_id: str, operation: str, key: str, payload: Any) -> Receipt:
    """The receipt a keyed request will leave (not written yet: see ``add``)."""
    now = clock.now()
    return Receipt(
        schema.idempotency_pk(user_id),
        schema.receipt_sk(operation, hashlib.sha256(key.encode("utf-8")).hexdigest()),
        made={},
        payload_digest=digest(payload),
        created_at=clock.iso(now),
        expires_at=now + LIFETIME,
    )


def add(tx: Transaction, receipt: Receipt, made: Reference) -> None:
    """Save the receipt, naming what the transaction makes, unless the key was used already."""
    receipt.made = made
    # A lapsed receipt that TTL has not removed yet does not count.
    absent = Receipt.pk.does_not_exist() | (Receipt.expires_at < clock.now())
    tx.save(NAME, receipt, condition=absent)


def settle(cancelled: Cancelled, receipt: Receipt | None) -> None:
    """Raise ``AlreadyMade`` when the transaction was cancelled by an existing receipt.

    Asked before the other names: a retry's other conditions may fail too (the first post's
    flood stamps, a ban since), but what it asks for was done.
    """
    if receipt is not None and cancelled.failed(NAME):
        reference = made_before(receipt)
        if reference is not None:
            raise AlreadyMade(reference)


def made_before(receipt: Receipt) -> Reference | None:
    """What an earlier request under the receipt's key made; None if there was none.

    Another payload under the same key is another request: 422, as the API's records say.
    """
    try:
        found = Receipt.get(receipt.pk, receipt.sk, consistent_read=True)
    except Receipt.DoesNotExist:
        return None
    if found.expires_at is not None and found.expires_at < clock.now():
        return None
    if found.payload_digest != receipt.payload_digest:
        raise another_request()
    return dict(found.made or {})


def another_request() -> AnotherRequest:
    """The refusal of a key used before for another request (422)."""
    return AnotherRequest(
        _(
            "This Idempotency-Key was already used for a different request; use a new key for a "
            "new request."
        )
    )
