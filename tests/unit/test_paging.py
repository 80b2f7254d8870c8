"""A topic's pages: which page shows a post, how many there are, and the largest page."""

from __future__ import annotations

import pytest

from forum import paging, schema
from forum.errors import NotFound


def test_posts_fall_on_pages_of_twenty() -> None:
    # Given the default of 20 posts a page
    assert paging.per_page() == 20
    assert [paging.page_of(number) for number in (1, 20, 21, 40, 41)] == [1, 1, 2, 2, 3]
    assert [paging.page_count(last) for last in (0, 1, 20, 21, 45)] == [1, 1, 1, 2, 3]
    assert paging.post_range(1) == (1, 20)
    assert paging.post_range(3) == (41, 60)


def test_the_largest_page_is_the_last_whose_posts_fit_the_ten_digit_key() -> None:
    largest = paging.largest_page()
    assert largest == 9_999_999_999 // 20
    _first, last = paging.post_range(largest)
    assert len(schema.post_sk(last)) == len(schema.post_sk(1))
    # One page more would make an eleven-digit key: it is no page at all
    for page in (0, -1, largest + 1, 10**9):
        with pytest.raises(NotFound):
            paging.post_range(page)


def test_a_page_number_is_ascii_digits_and_nothing_else() -> None:
    assert paging.parse_page("1") == 1
    assert paging.parse_page("45") == 45
    assert paging.parse_page(str(paging.largest_page())) == paging.largest_page()
    forged = (
        "",
        "0",
        "01",
        "-1",
        "+1",
        " 1",
        "1 ",
        "1\n",
        "\n1",
        "1_0",
        "1.0",
        "1e3",
        "\u0661",  # ARABIC-INDIC DIGIT ONE
        "1\u0662",
        "\uff11",  # FULLWIDTH DIGIT ONE
        str(paging.largest_page() + 1),
        "9" * 11,
    )
    for text in forged:
        assert paging.parse_page(text) is None, repr(text)
