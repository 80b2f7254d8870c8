"""Trying a write again after it lost a race: so many attempts, a jittered pause between them.

Writers that collided on one item would collide again if they retried in step, so the pause
before each attempt after the first is a random time up to a limit that doubles with every
attempt (5 ms, 10 ms, 20 ms, ... at most 0.2 s: "full jitter"). A failure that was not a race
but something just mended (a profile made, an attachment read again) is retried at once
(``again_now``). What a write answers when its attempts run out is its own (a Busy saying what
kept changing), after the loop.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator

FIRST_PAUSE = 0.005
LONGEST_PAUSE = 0.2


def pause(attempt: int) -> None:
    """Wait before the attempt after ``attempt`` (counted from 0)."""
    time.sleep(random.uniform(0, min(LONGEST_PAUSE, FIRST_PAUSE * 2**attempt)))


class Retries:
    """``for attempt in Retries(5): ...``: the numbers of the attempts, from 0, with a pause
    before each one after the first (none at all with ``backoff=False``)."""

    def __init__(self, attempts: int, *, backoff: bool = True) -> None:
        self.attempts = attempts
        self.backoff = backoff
        self._pause_next = backoff

    def __iter__(self) -> Iterator[int]:
        for attempt in range(self.attempts):
            if attempt and self._pause_next:
                pause(attempt - 1)
            self._pause_next = self.backoff
            yield attempt

    def again_now(self) -> None:
        """The next attempt goes without a pause: the last one failed on something mended since,
        not on a race."""
        self._pause_next = False
