"""Addresses with forged page numbers or cursors name no page."""

from __future__ import annotations

from typing import Any

from forum import cursors, paging

from ..api.conftest import Faults
from .conftest import Browse
from .test_pages import assert_page

ARABIC_INDIC = str.maketrans("0123456789", "".join(map(chr, range(0x660, 0x66A))))
WHEN = "2026-11-28T09:05:00.123456Z"


def test_a_page_number_in_other_digits_or_with_a_line_break_is_no_page(
    browse: Browse, forum: dict[str, Any], faults: Faults
) -> None:
    beyond = str(paging.largest_page() + 1)  # its posts would need an eleven-digit key
    for bad in ("1%0A", "%0A1", "%D9%A1", "%EF%BC%91", "1_0", "%2B1", "%201", beyond):
        faults.calls.clear()
        page = browse(f"/t/{forum['topic_id']}?page={bad}")
        assert_page(page, 404)
        assert "Query" not in faults.calls, bad


def test_forged_cursors_name_no_page_of_a_board_or_member(
    browse: Browse, forum: dict[str, Any], faults: Faults
) -> None:
    order_key = f"0#{WHEN}#{forum['topic_id']}"
    post_key = f"{WHEN}#{forum['topic_id']}#0000000002"
    assert_page(browse(f"/b/{forum['board_id']}?cursor={cursors.encode(order_key)}"))
    assert_page(browse(f"/u/other?cursor={cursors.encode(post_key)}"))
    for forged in (
        cursors.encode(order_key.translate(ARABIC_INDIC)),
        cursors.encode(order_key + "\n"),
        cursors.encode(order_key) + "%0A",
    ):
        faults.calls.clear()
        assert_page(browse(f"/b/{forum['board_id']}?cursor={forged}"), 404)
        assert "Query" not in faults.calls
    for forged in (
        cursors.encode(post_key.translate(ARABIC_INDIC)),
        cursors.encode(post_key + "\n"),
        cursors.encode(post_key) + "%0A",
    ):
        faults.calls.clear()
        assert_page(browse(f"/u/other?cursor={forged}"), 404)
        assert "Query" not in faults.calls
