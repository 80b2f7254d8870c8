"""`make redrive`: dead-lettered messages go back to the queue they came from (moto has no
StartMessageMoveTask, so local.redrive moves them itself)."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from local.redrive import dead_letter_routes, main, move, redrive_all

from ..factory import queue_with_dead_letters

pytestmark = pytest.mark.usefixtures("aws")


def queues() -> tuple[Any, str, str]:
    sqs = boto3.client("sqs")
    work = queue_with_dead_letters(sqs, "thumbnails", "thumbnail-dead-letters")
    sqs.create_queue(QueueName="unrelated")
    return sqs, work.url, work.dead_letter_url


def bodies(sqs: Any, url: str) -> list[str]:
    found: list[str] = []
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return sorted(found)
        for message in messages:
            found.append(message["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def test_each_dead_letter_queue_is_found_with_its_source() -> None:
    sqs, work, dead = queues()

    assert dead_letter_routes(sqs) == [(dead, work)]


def test_every_message_goes_back_once() -> None:
    sqs, work, dead = queues()
    sent = [json.dumps({"n": n}) for n in range(23)]
    for body in sent:
        sqs.send_message(
            QueueUrl=dead,
            MessageBody=body,
            MessageAttributes={"kind": {"DataType": "String", "StringValue": "upload"}},
        )

    assert redrive_all(sqs) == {work: 23}

    assert bodies(sqs, dead) == []
    assert bodies(sqs, work) == sorted(sent)


def test_an_empty_dead_letter_queue_moves_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    sqs, work, dead = queues()

    assert move(sqs, dead, work) == 0
    endpoint = sqs.meta.endpoint_url
    assert main(["--endpoint", endpoint]) == 0
    assert "0 message(s) moved back to thumbnails" in capsys.readouterr().out


def test_without_a_running_forum_it_says_so(tmp_path: Any) -> None:
    with pytest.raises(SystemExit, match="make dev"):
        main(["--state-dir", str(tmp_path)])
