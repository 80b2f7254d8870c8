"""Flood control as `make dev` applies it (the stack's limits): the member is told to wait."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from local.client import ForumClient
from local.seed import create_user

from ..local.conftest import PASSWORD, Runtime, free_port
from .conftest import DESKTOP, Visit, expected_problems
from .test_writing import new_topic


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory, chromium: str) -> Iterator[Runtime]:
    runtime = Runtime(free_port(), tmp_path_factory.mktemp("flood-state"), flood_control=True)
    runtime.start()
    yield runtime
    runtime.stop()


def newcomer(client: ForumClient, username: str) -> str:
    """A member who has not posted yet (the demo members posted while the forum was seeded)."""
    create_user(client.cognito(), client.config["cognito"]["user_pool_id"], username, PASSWORD)
    return username


def test_a_second_reply_within_seconds_is_429_with_retry_after(guarded: Runtime) -> None:
    client = ForumClient(guarded.url)
    # Admins are exempt, so the topic can be started at once.
    topic = new_topic(client, "Quick replies", author="admin")
    token = client.sign_in(newcomer(client, "quick"), PASSWORD)["AccessToken"]
    path = f"/api/topics/{topic}/posts"
    assert client.request("POST", path, {"body": "First."}, token=token).status == 201
    again = client.request("POST", path, {"body": "Second, at once."}, token=token)
    assert again.status == 429, again.text
    assert 1 <= int(again.headers["Retry-After"]) <= 5
    assert "once every 5 seconds" in again.json["detail"]
    page = client.request("GET", f"/api/topics/{topic}").json
    assert page["topic"]["reply_count"] == 1


def test_the_composer_says_how_long_to_wait_and_keeps_the_reply(
    guarded: Runtime, browser: Any
) -> None:
    client = ForumClient(guarded.url)
    topic = new_topic(client, "Patience, please", author="admin")
    writer = newcomer(client, "eager")
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        visit = Visit(context, page, guarded.url)
        visit.sign_in(writer)
        visit.open(f"/t/{topic}")
        body = page.locator("#reply-form-body")
        body.fill("My first thought.")
        page.click("#reply-form [data-submit]")
        page.wait_for_selector("#msg2")
        # When she replies again straight away
        body.fill("And a second one, straight away.")
        page.click("#reply-form [data-submit]")
        # then the composer says why and for how long, and her text is still there
        error = page.locator("#reply-form [data-error]")
        error.wait_for(state="visible")
        assert "once every 5 seconds" in error.inner_text()
        assert body.input_value() == "And a second one, straight away."
        assert page.locator("#msg3").count() == 0
        # 429 is the answer the page expected to show, not a fault of the page
        assert [p for p in expected_problems(visit.problems) if "429" not in p] == []
    finally:
        context.close()
