"""The index's one writer: a lease item in the table, taken and kept by conditional writes.

Tantivy's index directory holds one writer at a time, and the index in S3 is one directory.
Three things make a second writer impossible rather than unlikely:

1. the indexer function has a reserved concurrency of 1 (Lambda runs at most one copy);
2. before touching the index it takes this lease (``SEARCH#INDEX`` / ``WRITER``) with a
   conditional write: only if nobody holds it, its holder's time ran out, or it is its own.
   The lease lasts longer than the function may run, so a live holder never loses it;
3. the manifest is published with ``If-Match`` on the one the writer started from
   (``forum.search.store``): even a writer whose lease ran out (a frozen process, a clock gone
   wrong) cannot replace a newer index; it fails and its batch is retried.

``make reindex`` takes the same lease for the moment it publishes the rebuilt index.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DeleteError, PutError

from .. import schema
from ..models import ForumItem

LEASE_PK = schema.SEARCH_LEASE_PK
LEASE_SK = schema.SEARCH_LEASE_SK


class Held(Exception):
    """Another writer holds the lease."""


class WriterLease(ForumItem, discriminator="search_lease"):
    holder = UnicodeAttribute()
    # Epoch seconds after which another writer may take the lease.
    held_until = NumberAttribute()


def _conditional_failure(error: Exception) -> bool:
    cause = getattr(error, "cause_response_code", None)
    return cause == "ConditionalCheckFailedException"


class Lease:
    def __init__(self, seconds: int, holder: str | None = None) -> None:
        self.seconds = seconds
        self.holder = holder or uuid.uuid4().hex

    def take(self, now: float | None = None) -> None:
        """Hold the lease for ``seconds`` from now; Held when another writer has it."""
        moment = time.time() if now is None else now
        item = WriterLease(
            LEASE_PK, LEASE_SK, holder=self.holder, held_until=int(moment) + self.seconds
        )
        condition: Any = (
            WriterLease.pk.does_not_exist()
            | (WriterLease.held_until < int(moment))
            | (WriterLease.holder == self.holder)
        )
        try:
            item.save(condition=condition)
        except PutError as error:
            if _conditional_failure(error):
                raise Held("the search index has another writer") from None
            raise

    def release(self) -> None:
        """Give the lease up (if it is still ours), so that the next writer need not wait."""
        try:
            WriterLease(LEASE_PK, LEASE_SK).delete(condition=WriterLease.holder == self.holder)
        except DeleteError as error:
            if not _conditional_failure(error):
                raise
