"""Faults of ours (throttling, transaction conflicts) answer 503 with Retry-After, and leave
nothing half-written; a conflict that passes is retried inside the handler."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse, HTTPHeaders

from forum import posts as forum_posts
from forum.models import ForumItem

from ..conftest import OTHER, Caller


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
    monkeypatch.setattr(forum_posts, "pause", lambda attempt: None)
    yield injected
    injected.events.unregister("before-call.dynamodb", injected)  # type: ignore[arg-type]


def topic_state(call: Caller, topic_id: str) -> tuple[int, list[int]]:
    page = call("GET", f"/api/topics/{topic_id}").json
    return page["topic"]["reply_count"], [post["number"] for post in page["posts"]]


def test_a_throttled_write_is_503_with_retry_after_and_writes_nothing(
    call: Caller, topic: dict[str, Any], faults: Faults
) -> None:
    faults.fail("TransactWriteItems", THROTTLED)
    reply = call("POST", f"/api/topics/{topic['id']}/posts", {"body": "hello"}, claims=OTHER)
    assert reply.status == 503, reply.text
    assert reply.headers["content-type"] == "application/problem+json"
    assert int(reply.headers["retry-after"]) >= 1
    faults.plan.clear()
    assert topic_state(call, topic["id"]) == (0, [1])


def test_a_throttled_read_is_503(call: Caller, topic: dict[str, Any], faults: Faults) -> None:
    faults.fail("Query", THROTTLED)
    reply = call("GET", f"/api/topics/{topic['id']}")
    assert reply.status == 503
    assert "retry-after" in reply.headers


def test_a_passing_transaction_conflict_is_retried_inside(
    call: Caller, topic: dict[str, Any], faults: Faults
) -> None:
    # (a first reply, so that the member's profile exists and every attempt is one transaction)
    assert (
        call("POST", f"/api/topics/{topic['id']}/posts", {"body": "hi"}, claims=OTHER).status == 201
    )
    faults.calls.clear()
    faults.fail("TransactWriteItems", conflict(4), times=3)
    reply = call("POST", f"/api/topics/{topic['id']}/posts", {"body": "hello"}, claims=OTHER)
    assert reply.status == 201, reply.text
    assert reply.json["post"]["number"] == 3
    assert faults.calls["TransactWriteItems"] == 4
    assert topic_state(call, topic["id"]) == (2, [1, 2, 3])


def test_a_conflict_that_never_passes_is_503_and_writes_nothing(
    call: Caller, topic: dict[str, Any], faults: Faults
) -> None:
    faults.fail("TransactWriteItems", conflict(4))
    reply = call("POST", f"/api/topics/{topic['id']}/posts", {"body": "hello"}, claims=OTHER)
    assert reply.status == 503
    assert "retry-after" in reply.headers
    faults.plan.clear()
    assert topic_state(call, topic["id"]) == (0, [1])
