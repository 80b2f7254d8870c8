"""axe-core finds no moderate, serious or critical problem; every page is screenshotted at two
widths."""

from __future__ import annotations

import time

import pytest

from local.client import ForumClient

from .conftest import AXE, DESKTOP, PHONE, Visitor, axe_violations, expected_problems, screenshot
from .test_writing import board_id


def pages(client: ForumClient) -> dict[str, str]:
    general = board_id(client, "General discussion")
    topics = client.request("GET", f"/api/boards/{general}").json["topics"]
    long_topic = next(topic["id"] for topic in topics if topic["title"].startswith("The long"))
    return {
        "index": "/",
        "board": f"/b/{general}",
        "topic": f"/t/{long_topic}",
        "profile": "/u/alice",
        "login": "/login",
        "register": "/register",
        "new-topic": f"/new-topic?board={general}",
        "not-found": "/t/nothing-here",
        "search": "/search?q=markdown+OR+welcome",
    }


def test_axe_finds_no_serious_violations(visitor: Visitor, client: ForumClient) -> None:
    if not AXE.is_file():
        pytest.skip("axe-core is not installed: run `npm ci` (package.json devDependencies)")
    addresses = pages(client)
    guest = visitor()
    found = {}
    for name in ("index", "board", "topic", "profile", "login", "register", "search"):
        page = guest.open(addresses[name])
        page.wait_for_load_state("networkidle")
        found[name] = axe_violations(page)
    # and a member's topic page, with the composer and the post actions showing
    member = visitor()
    member.sign_in("member")
    page = member.open(addresses["topic"])
    page.wait_for_selector("#reply-form:visible")
    page.fill("#reply-form-body", "Some *text* for the preview")
    page.wait_for_selector("#reply-form [data-preview] em")
    found["topic (member)"] = axe_violations(page)
    # and the new-topic page with its composer
    page = member.open(addresses["new-topic"])
    page.wait_for_selector("#topic-form:visible")
    page.fill("#topic-form-body", "Some *text* for the preview")
    page.wait_for_selector("#topic-form [data-preview] em")
    found["new topic (member)"] = axe_violations(page)
    # and the dark scheme, which the system setting chooses (contrast above all)
    dark = visitor(scheme="dark")
    for name in ("index", "topic", "search"):
        page = dark.open(addresses[name])
        page.wait_for_load_state("networkidle")
        found[f"{name} (dark)"] = axe_violations(page)
    assert {name: problems for name, problems in found.items() if problems} == {}
    assert expected_problems(guest.problems + member.problems) == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "375"])
def test_screenshots_of_each_page(
    visitor: Visitor, client: ForumClient, viewport: dict[str, int]
) -> None:
    width = viewport["width"]
    guest = visitor(viewport)
    for name, address in pages(client).items():
        page = guest.open(address)
        page.wait_for_load_state("networkidle")
        # Nothing is wider than the screen
        overflow = page.evaluate("() => document.documentElement.scrollWidth")
        assert overflow <= width, f"{name} is {overflow}px wide at {width}px"
        assert screenshot(page, f"{name}-{width}").stat().st_size > 0
    member = visitor(viewport)
    member.sign_in("member")
    page = member.open(pages(client)["topic"] + "?page=3")
    page.wait_for_selector("#reply-form:visible")
    time.sleep(0.2)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    screenshot(page, f"topic-member-{width}")
