"""The thumbnail function's time: a hostile or slow upload never holds up the rest of its batch.

A batch's answer must come before the function's timeout, or every message of it comes back,
three receives later all in the dead-letter queue with their uploads pending for ever. So a file
that asks for too much work is refused at once, an upload is not started when too little time
is left, and a decode under way stops in time for the answer; what was not done comes back.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from forum.images import limits

from ..conftest import LambdaContextStub
from ..unit.test_image_limits import progressive_jpeg
from .conftest import Pipeline
from .test_handler import png


class Remaining(LambdaContextStub):
    """A Lambda context whose remaining time is given: a list of answers (the last repeats), or
    a real deadline ``seconds`` from now."""

    def __init__(self, *millis: int, seconds: float | None = None) -> None:
        self.answers = list(millis)
        self.deadline = None if seconds is None else time.monotonic() + seconds

    def get_remaining_time_in_millis(self) -> int:
        if self.deadline is not None:
            return max(0, int((self.deadline - time.monotonic()) * 1000))
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


def failures(answer: dict[str, Any]) -> list[str]:
    return [item["itemIdentifier"] for item in answer["batchItemFailures"]]


def test_a_jpeg_of_thousands_of_scans_fails_alone_and_the_rest_of_its_batch_is_made(
    pipeline: Pipeline,
) -> None:
    # Given a batch of three uploads, the middle one a progressive JPEG whose last scan is
    # repeated 20,000 times (the 7000x7000 one of issue 13 took 55 s; this one is smaller)
    uploads = [
        pipeline.upload(png((80, 60)), "image/png"),
        pipeline.upload(progressive_jpeg((1000, 1000), 20_000)),
        pipeline.upload(png((90, 60)), "image/png"),
    ]

    # When they reach the function in one invocation
    start = time.perf_counter()
    answer = pipeline.deliver(*(m for upload in uploads for m in upload.messages))

    # Then it answers quickly, nothing is to be retried, the JPEG is refused with a reason and
    # the others are ready
    assert time.perf_counter() - start < 5
    assert failures(answer) == []
    items = [pipeline.attachment(upload.attachment_id) for upload in uploads]
    assert [item["status"] for item in items] == ["ready", "failed", "ready"]
    assert items[1]["failure"] == "too-complex"
    assert "more than 500 scans" in items[1]["reason"]


def test_no_upload_is_started_with_too_little_time_left(pipeline: Pipeline) -> None:
    uploads = [pipeline.upload(png(), "image/png") for _ in range(2)]
    messages = [m for upload in uploads for m in upload.messages]

    answer = pipeline.deliver(*messages, context=Remaining(5_000))

    # Both come back, untouched: their uploads are pending and no image was written
    assert failures(answer) == [m["MessageId"] for m in messages]
    assert {pipeline.attachment(u.attachment_id)["status"] for u in uploads} == {"pending"}
    assert pipeline.media_keys() == []


def test_when_time_runs_short_what_is_done_is_reported_and_the_rest_comes_back(
    pipeline: Pipeline,
) -> None:
    # Given three uploads and an invocation whose time runs short after the first
    uploads = [pipeline.upload(png(), "image/png") for _ in range(3)]
    messages = [m for upload in uploads for m in upload.messages]

    answer = pipeline.deliver(*messages, context=Remaining(29_000, 9_000))

    # Then the first is made and done; the other two come back and a later invocation makes them
    assert failures(answer) == [messages[1]["MessageId"], messages[2]["MessageId"]]
    statuses = [pipeline.attachment(u.attachment_id)["status"] for u in uploads]
    assert statuses == ["ready", "pending", "pending"]
    assert failures(pipeline.deliver(*messages[1:])) == []
    assert {pipeline.attachment(u.attachment_id)["status"] for u in uploads} == {"ready"}


def test_a_decode_still_running_at_the_deadline_stops_in_time_to_answer(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a file the counts let through whose decode takes 15 s or more, after a good upload,
    # in an invocation with 3 s left (and nothing kept back for the writes, to keep this short)
    from thumbnail import handler

    monkeypatch.setattr(limits, "MAX_SCANS", 100_000)
    monkeypatch.setattr(limits, "MAX_SCAN_PIXELS", 10**15)
    monkeypatch.setattr(limits, "MAX_JPEG_SEGMENTS", 100_000)
    monkeypatch.setattr(handler, "FINISH_MS", 0)
    monkeypatch.setattr(handler, "START_MS", 0)
    good = pipeline.upload(png(), "image/png")
    slow = pipeline.upload(progressive_jpeg((600, 600), 20_000))

    start = time.perf_counter()
    answer = pipeline.deliver(*good.messages, *slow.messages, context=Remaining(seconds=3))

    # Then the function answers in time: the good upload is done, the slow one comes back
    # without a verdict (its next invocation will have the time to refuse it)
    assert time.perf_counter() - start < 8
    assert failures(answer) == [slow.messages[0]["MessageId"]]
    assert pipeline.attachment(good.attachment_id)["status"] == "ready"
    assert pipeline.attachment(slow.attachment_id)["status"] == "pending"
