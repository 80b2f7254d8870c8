"""A write's attempts: how many, and the pauses between them."""

from __future__ import annotations

import pytest

from forum import retries
from forum.errors import Busy
from forum.retries import Retries


@pytest.fixture
def pauses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    taken: list[int] = []
    monkeypatch.setattr(retries, "pause", taken.append)
    return taken


def test_each_attempt_after_the_first_waits_a_little_longer(pauses: list[int]) -> None:
    assert list(Retries(4)) == [0, 1, 2, 3]
    assert pauses == [0, 1, 2]


def test_a_failure_mended_since_is_retried_at_once(pauses: list[int]) -> None:
    loop = Retries(3)
    for attempt in loop:
        if attempt == 0:
            loop.again_now()
    assert pauses == [1]


def test_without_backoff_there_is_no_pause(pauses: list[int]) -> None:
    assert list(Retries(3, backoff=False)) == [0, 1, 2]
    assert pauses == []


def test_the_pause_is_random_and_never_longer_than_the_cap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slept: list[float] = []
    monkeypatch.setattr(retries.time, "sleep", slept.append)
    for attempt in range(12):
        retries.pause(attempt)
    assert all(0 <= pause <= retries.LONGEST_PAUSE for pause in slept)
    assert slept[0] <= retries.FIRST_PAUSE


def test_busy_says_the_usual_words_unless_told_otherwise() -> None:
    assert Busy().detail == "The forum is busy; please try again."
    assert Busy("The topic is changing quickly.").detail == "The topic is changing quickly."
    assert Busy().status == 503 and Busy().retry_after == 1
