"""forum.export's merge of a member's two partitions into pages, without AWS.

DynamoDB may stop a Query short of its limit (1 MB to a response) with more to come; whatever
each partition gives, paging from the last key given yields every item once, in order."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forum.errors import Busy
from forum.export import in_order


def read(partition: list[str], after: str | None, give: int, limit: int) -> tuple[list[str], bool]:
    """A Query of a partition from ``after`` on: up to ``limit``, cut short at ``give`` items."""
    rest = [key for key in partition if after is None or key > after]
    found = rest[: min(limit, give)]
    return found, len(found) < len(rest) or len(found) == limit


def export_all(
    partitions: list[list[str]], gives: list[int], limit: int, budget: int
) -> tuple[list[str], int]:
    exported: list[str] = []
    after: str | None = None
    pages = 0
    while True:
        pages += 1
        assert pages <= 10 * (sum(map(len, partitions)) + 1), "no end"
        reads = [
            read(partition, after, gives[(pages + n) % len(gives)], limit + 1)
            for n, partition in enumerate(partitions)
        ]
        taken, more = in_order(reads, key=str, size=len, limit=limit, budget=budget)
        assert len(taken) <= limit
        assert len(taken) == 1 or sum(map(len, taken)) <= budget
        exported += taken
        if not more:
            return exported, pages
        after = taken[-1]


@given(
    keys=st.lists(st.integers(0, 10_000), unique=True, max_size=60),
    removed=st.lists(st.booleans(), min_size=60, max_size=60),
    gives=st.lists(st.integers(1, 8), min_size=1, max_size=5),
    limit=st.integers(1, 7),
    budget=st.integers(1, 40),
)
def test_every_item_once_in_order_however_the_reads_are_cut(
    keys: list[int], removed: list[bool], gives: list[int], limit: int, budget: int
) -> None:
    names = sorted(f"{key:05d}" for key in keys)
    live = [name for n, name in enumerate(names) if not removed[n]]
    gone = [name for n, name in enumerate(names) if removed[n]]
    exported, _pages = export_all([live, gone], gives, limit, budget)
    assert exported == names


def test_pages_are_full_when_nothing_cuts_them() -> None:
    names = [f"{n:03d}" for n in range(10)]
    exported, pages = export_all([names[::2], names[1::2]], [100], limit=3, budget=1000)
    assert exported == names
    assert pages == 4


def test_a_partition_with_more_but_nothing_given_is_busy() -> None:
    with pytest.raises(Busy):
        in_order([(["a"], False), ([], True)], key=str, size=len, limit=3, budget=10)
