"""Small rules of the pages: page links, slugs, page numbers, where "next" may lead."""

from __future__ import annotations

import pytest

from forum.errors import NotFound
from pages.common import page_number
from pages.forms import safe_next
from pages.render import date_text, plain_text, slugify
from pages.topic_page import page_links


def test_page_links_show_first_last_and_the_pages_around_the_current() -> None:
    assert page_links(1, 1) == [1]
    assert page_links(1, 3) == [1, 2, 3]
    assert page_links(1, 10) == [1, 2, 3, None, 10]
    assert page_links(6, 20) == [1, None, 4, 5, 6, 7, 8, None, 20]
    assert page_links(20, 20) == [1, None, 18, 19, 20]
    # A gap of a single page shows that page instead of an ellipsis
    assert page_links(5, 9) == [1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert page_links(4, 5000)[-2:] == [None, 5000]


def test_slugs_are_readable_ascii_and_never_a_route_word() -> None:
    assert slugify("Hello <world> & friends") == "hello-world-friends"
    assert slugify("Crème brûlée, à la carte!") == "creme-brulee-a-la-carte"
    assert slugify("日本語") == ""
    assert slugify("Next") == "next-topic"
    assert slugify("previous") == "previous-topic"
    long = slugify("word " * 40)
    assert len(long) <= 60 and not long.endswith("-")


def test_page_numbers_are_whole_numbers_from_one() -> None:
    assert page_number(None) == 1 and page_number("") == 1 and page_number("7") == 7
    for bad in ("0", "-2", "x", "1.0", " 1", "1e3", "01", "9" * 10):
        with pytest.raises(NotFound):
            page_number(bad)


def test_after_signing_in_only_paths_of_this_site_are_followed() -> None:
    assert safe_next("/t/abc?page=2#reply") == "/t/abc?page=2#reply"
    for bad in (None, "", "https://evil.example/", "//evil.example", "/\\evil.example", "t/x"):
        assert safe_next(bad) == "/"
    # Browsers drop tabs and line breaks from addresses: these are "//evil.example" to them.
    for bad in ("/\t/evil.example", "/\n/evil.example", "/\r/evil.example", "/\x00/x", "/\x7f"):
        assert safe_next(bad) == "/"


def test_dates_and_descriptions() -> None:
    assert date_text("2026-11-28T09:05:00.000000Z") == "28 Nov 2026, 09:05 UTC"
    assert date_text("not a date") == "not a date"
    assert plain_text("<p>Some <em>text</em> &amp; more</p>") == "Some text & more"
    cut = plain_text("<p>" + "word " * 100 + "</p>", 40)
    assert len(cut) <= 40 and cut.endswith("…")
