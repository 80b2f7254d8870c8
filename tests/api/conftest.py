from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse, HTTPHeaders

from forum import retries
from forum.models import ForumItem

from ..conftest import Caller
from ..factory import new_board, new_topic


@pytest.fixture
def board(call: Caller) -> dict[str, Any]:
    return new_board(call, "General", "Talk")


@pytest.fixture
def topic(call: Caller, board: dict[str, Any]) -> dict[str, Any]:
    return new_topic(call, board["id"], "Hello", "First *post*")


class Faults:
    """Makes chosen DynamoDB operations fail the way the service fails them."""

    def __init__(self) -> None:
        self.plan: dict[str, list[dict[str, Any]]] = {}
        self.calls: dict[str, int] = {}
        self.events = ForumItem._get_connection().connection.client.meta.events

    def fail(self, operation: str, error: dict[str, Any], times: int = 10_000) -> None:
        self.plan[operation] = [error] * times

    def __call__(self, model: Any, **kwargs: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        operation = model.name
        self.calls[operation] = self.calls.get(operation, 0) + 1
        planned = self.plan.get(operation)
        if not planned:
            return None
        error = planned.pop()
        response = AWSResponse("https://dynamodb.local", 400, HTTPHeaders(), None)
        return response, {**error, "ResponseMetadata": {"HTTPStatusCode": 400}}


THROTTLED = {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}


def conflict(items: int) -> dict[str, Any]:
    return {
        "Error": {"Code": "TransactionCanceledException", "Message": "Transaction cancelled"},
        "CancellationReasons": [{"Code": "TransactionConflict"}] + [{"Code": "None"}] * (items - 1),
    }


@pytest.fixture
def faults(table: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Faults]:
    injected = Faults()
    injected.events.register_first("before-call.dynamodb", injected)  # type: ignore[arg-type]
    monkeypatch.setattr(retries, "pause", lambda attempt: None)
    yield injected
    injected.events.unregister("before-call.dynamodb", injected)  # type: ignore[arg-type]
