"""Write transactions whose items have names, and what a cancelled one says about each.

DynamoDB cancels a whole TransactWriteItems when one item's condition fails, and answers with
one reason per item, in the order of the request. The order is PynamoDB's, not the order the
items were added in (it sends condition checks, then deletes, then puts, then updates), and
it shifts whenever a write adds an item or leaves one out. So every item here is added under a
name (several may share one: all of a post's attachments are "attachments"), and a cancelled
transaction is asked by name: ``cancelled.failed("author")``.

Each transaction carries a ClientRequestToken of its own: when botocore sends it again because
the first answer was lost (a timeout after DynamoDB committed it), DynamoDB recognises the
repeat and answers it as done instead of applying it twice (or refusing it, which the code
would read as a race).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from types import TracebackType

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from .models import ForumItem

CONDITION_FAILED = "ConditionalCheckFailed"
# The reasons that mean another write got there first: reading again and retrying may succeed.
RACES = frozenset({CONDITION_FAILED, "TransactionConflict"})


class Cancelled(TransactWriteError):
    """A transaction that wrote nothing, with the reason DynamoDB gave for each named item.

    A transaction that failed as a whole (throttled, timed out) has no reasons: no item
    ``failed``, and it did not lose a race. Still a TransactWriteError, so that one nobody
    catches is answered as any other trouble with DynamoDB (503).
    """

    def __init__(self, error: TransactWriteError, names: Sequence[str]) -> None:
        super().__init__(error.msg, error.cause)
        codes = [reason.code if reason else None for reason in error.cancellation_reasons or []]
        # One reason per item when DynamoDB cancelled it; none at all otherwise.
        self.reasons: tuple[tuple[str, str | None], ...] = (
            tuple(zip(names, codes, strict=True)) if len(codes) == len(names) else ()
        )

    def failed(self, name: str) -> bool:
        """Whether the condition of an item added under ``name`` failed."""
        return any(item == name and code == CONDITION_FAILED for item, code in self.reasons)

    @property
    def names_failed(self) -> frozenset[str]:
        """The names of the items whose condition failed."""
        return frozenset(item for item, code in self.reasons if code == CONDITION_FAILED)

    @property
    def raced(self) -> bool:
        """Whether another write got there first (a condition failed, or DynamoDB found another
        transaction on one of the items): reading again and retrying may succeed."""
        return any(code in RACES for _, code in self.reasons)

    def __str__(self) -> str:
        failed = ", ".join(
            f"{item}: {code}" for item, code in self.reasons if code not in (None, "None")
        )
        return f"{self.msg} ({failed or self.cause_response_code})"


class Transaction:
    """One TransactWriteItems, its items added by name; committed when the ``with`` ends.

    A failure raises ``Cancelled`` with the reasons by name.
    """

    def __init__(self) -> None:
        self._write = TransactWrite(
            connection=ForumItem._get_connection().connection,
            client_request_token=uuid.uuid4().hex,
        )
        # The names in PynamoDB's order of the request: deletes, then puts, then updates.
        self._deletes: list[str] = []
        self._puts: list[str] = []
        self._updates: list[str] = []

    @property
    def names(self) -> list[str]:
        """The items' names, in the order DynamoDB gives their reasons."""
        return [*self._deletes, *self._puts, *self._updates]

    def delete(self, name: str, model: Model, condition: Condition | None = None) -> None:
        self._write.delete(model, condition=condition)
        self._deletes.append(name)

    def save(self, name: str, model: Model, condition: Condition | None = None) -> None:
        self._write.save(model, condition=condition)
        self._puts.append(name)

    def update(
        self,
        name: str,
        model: Model,
        actions: Iterable[Action],
        condition: Condition | None = None,
    ) -> None:
        """An update; the model's version attribute, if it has one, is checked and raised."""
        self._write.update(model, actions=list(actions), condition=condition)
        self._updates.append(name)

    def __enter__(self) -> Transaction:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            return  # the block failed: nothing is sent
        try:
            self._write.__exit__(None, None, None)
        except TransactWriteError as error:
            raise Cancelled(error, self.names) from error


def transaction() -> Transaction:
    """A write transaction on the table, its items added under names (see the module)."""
    return Transaction()
