"""What tests start from, made in one place: boards, topics and replies through the real API
handler, as their authors make them, and queues with their dead-letter queues in moto.

Shared by the conftests of tests/api and tests/site (and by tests that want one more of a
kind), and by the queue tests of tests/local and tests/thumbnail. Each maker asserts that its
request was accepted, so that a broken fixture fails where it is made, not in the test that
reads it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .conftest import ADMIN, MEMBER, OTHER, Caller


def new_board(call: Caller, name: str, description: str = "") -> dict[str, Any]:
    """A board, made by an admin; the API's answer."""
    reply = call("POST", "/api/boards", {"name": name, "description": description}, claims=ADMIN)
    assert reply.status == 201, reply.text
    return dict(reply.json)


def new_topic(
    call: Caller,
    board_id: str,
    title: str,
    body: str = "text",
    claims: dict[str, str] = MEMBER,
) -> dict[str, Any]:
    """A topic started by a member; the API's topic."""
    reply = call(
        "POST", f"/api/boards/{board_id}/topics", {"title": title, "body": body}, claims=claims
    )
    assert reply.status == 201, reply.text
    return dict(reply.json["topic"])


def new_replies(
    call: Caller, topic_id: str, bodies: list[str], claims: dict[str, str] = OTHER
) -> None:
    """Replies to a topic, in order, by one member."""
    for body in bodies:
        reply = call("POST", f"/api/topics/{topic_id}/posts", {"body": body}, claims=claims)
        assert reply.status == 201, reply.text


@dataclass(frozen=True)
class RedrivenQueue:
    url: str
    arn: str
    dead_letter_url: str


def queue_arn(sqs: Any, url: str) -> str:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    return str(attributes["QueueArn"])


def queue_with_dead_letters(
    sqs: Any, name: str, dead_letter_name: str, max_receive_count: int = 3, **attributes: str
) -> RedrivenQueue:
    """A queue that moves a message to a dead-letter queue of its own after so many receives,
    as the stack's queues do."""
    dead_letter_url = sqs.create_queue(QueueName=dead_letter_name)["QueueUrl"]
    redrive = {
        "deadLetterTargetArn": queue_arn(sqs, dead_letter_url),
        "maxReceiveCount": max_receive_count,
    }
    url = sqs.create_queue(
        QueueName=name, Attributes={**attributes, "RedrivePolicy": json.dumps(redrive)}
    )["QueueUrl"]
    return RedrivenQueue(url, queue_arn(sqs, url), dead_letter_url)
