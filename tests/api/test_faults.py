"""Faults of ours (throttling, transaction conflicts) answer 503 with Retry-After, and leave
nothing half-written; a conflict that passes is retried inside the handler."""

from __future__ import annotations

from typing import Any

from forum.models import ForumItem

from ..conftest import OTHER, Caller
from .conftest import THROTTLED, Faults, conflict


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


def test_every_transaction_carries_its_own_request_token(
    call: Caller, topic: dict[str, Any]
) -> None:
    # botocore sends a request again when its answer is lost; with a token DynamoDB knows the
    # repeat of a transaction it already applied, instead of applying (or refusing) it again.
    tokens: list[str] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        tokens.append(params.get("ClientRequestToken", ""))

    events = ForumItem._get_connection().connection.client.meta.events
    events.register("provide-client-params.dynamodb.TransactWriteItems", record)
    try:
        for text in ("one", "two"):
            reply = call("POST", f"/api/topics/{topic['id']}/posts", {"body": text}, claims=OTHER)
            assert reply.status == 201, reply.text
    finally:
        events.unregister("provide-client-params.dynamodb.TransactWriteItems", record)
    assert len(tokens) >= 2 and all(tokens) and len(set(tokens)) == len(tokens)
