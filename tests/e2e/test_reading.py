"""A guest reads the forum: the board index, a board, a topic page by page, previous and next."""

from __future__ import annotations

import re

from .conftest import Visitor, expected_problems

LONG_TOPIC = "The long thread: one sentence each"


def test_a_guest_reads_a_board_and_a_topic_and_pages_through(visitor: Visitor) -> None:
    guest = visitor()
    page = guest.open("/")
    # Given the board index, when the guest opens a board and its longest topic
    assert page.locator("h1").inner_text() == "Board index"
    page.get_by_role("link", name="General discussion").click()
    assert page.locator("h1").inner_text() == "General discussion"
    assert page.locator("table.topics tbody tr").count() >= 5
    page.get_by_role("link", name=LONG_TOPIC).click()
    # Then the topic reads as on SMF: title, starter, neighbours, presence, numbered posts
    assert page.locator("h1").inner_text() == LONG_TOPIC
    assert re.match(r"Started by alice, ", page.locator(".started").inner_text())
    assert page.locator(".prev-next").inner_text().split() == [
        "«", "previous", "topic", "-", "next", "topic", "»"
    ]  # fmt: skip
    page.wait_for_selector("[data-presence][data-guests]")
    assert re.fullmatch(
        r"\d+ Members? and \d+ Guests? are viewing this topic\.",
        page.locator("[data-presence]").inner_text(),
    )
    numbers = page.locator("article.post").evaluate_all("(posts) => posts.map(p => p.id)")
    assert numbers == [f"msg{n}" for n in range(1, 21)]
    # Dates are in the reader's locale, with the absolute time on hover
    first_date = page.locator("article#msg1 time").first
    assert not first_date.inner_text().endswith("UTC")
    assert first_date.get_attribute("title")
    # When the guest pages through: a page link, then the jump form
    page.locator("nav.pages").first.get_by_role("link", name="Page 2", exact=True).click()
    assert page.url.endswith("?page=2")
    assert page.locator("article.post").first.get_attribute("id") == "msg21"
    page.locator("form.jump input[name=page]").first.fill("3")
    page.locator("form.jump button").first.click()
    assert page.url.endswith("?page=3")
    assert page.locator("article.post").first.get_attribute("id") == "msg41"
    assert page.locator("article.post").last.get_attribute("id") == "msg51"
    # and follows "next topic" and then "previous topic" back
    page.get_by_role("link", name="next topic »").click()
    assert page.locator("h1").inner_text() != LONG_TOPIC
    page.get_by_role("link", name="« previous topic").click()
    assert page.locator("h1").inner_text() == LONG_TOPIC
    # At the top of the board there is no previous topic: a 404 page with a way back
    page.get_by_role("link", name="« previous topic").click()
    assert page.locator("h1").inner_text() == "Not found"
    assert "no previous topic" in page.locator("main").inner_text()
    page.get_by_role("link", name="Back to the board index").click()
    assert page.locator("h1").inner_text() == "Board index"
    assert expected_problems(guest.problems) == []


def test_a_guest_sees_no_composer_but_a_way_to_sign_in(visitor: Visitor) -> None:
    guest = visitor()
    page = guest.open("/")
    page.get_by_role("link", name="General discussion").click()
    page.get_by_role("link", name=LONG_TOPIC).click()
    assert page.locator("#reply-form").is_hidden()
    assert page.locator("article.post [data-actions] button").count() == 0
    page.locator("[data-signin-note] a").click()
    assert page.locator("h1").inner_text() == "Sign in"
    assert "next=" in page.url
    assert expected_problems(guest.problems) == []
