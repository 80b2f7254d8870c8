"""What's new: bob replies, and alice, reading the topic, is told of it at once; then the board
page marks the topic, and her Unread page lists it."""

from __future__ import annotations

import time

from local.client import ForumClient

from .conftest import PASSWORD, Visitor
from .test_writing import board_id, new_topic


def reply(client: ForumClient, topic_id: str, body: str, author: str = "bob") -> None:
    token = client.sign_in(author, PASSWORD)["AccessToken"]
    answer = client.request("POST", f"/api/topics/{topic_id}/posts", {"body": body}, token=token)
    assert answer.status == 201, answer.text


def test_bob_replies_and_alice_sees_what_is_new(visitor: Visitor, client: ForumClient) -> None:
    # Given alice reading her own topic, on its last page
    title = f"What is new {int(time.time())}"
    topic_id = new_topic(client, title, author="alice")
    alice = visitor()
    alice.sign_in("alice")
    page = alice.page
    page.clock.install()
    alice.open(f"/t/{topic_id}")
    page.wait_for_function(
        "() => document.querySelector('[data-presence]').dataset.members === '1'"
    )
    # When bob replies
    reply(client, topic_id, "An answer from bob.")
    # then her page learns of it with its next heartbeat, and says so, in the tab's title too
    page.clock.fast_forward("02:40")
    notice = page.locator("[data-live-replies]")
    notice.wait_for()
    assert notice.inner_text().startswith("1 new reply: show them")
    assert page.title().startswith("(1) ")
    # and showing them puts the reply in place
    page.click("[data-show-replies]")
    page.locator("#msg2").wait_for()
    assert "An answer from bob." in page.locator("#msg2").inner_text()
    assert not page.title().startswith("(")

    # When bob replies again
    reply(client, topic_id, "And one more thing.")
    # then the board index marks the board, whose newest post is his
    help_id = board_id(client, "Help and support")
    alice.open("/")
    page.locator(f"tr[data-board-id='{help_id}'] [data-unread-badge]").wait_for()
    # then her board page marks the topic, linking the reply she has not read
    alice.open(f"/b/{board_id(client, 'Help and support')}")
    badge = page.locator(f"tr[data-topic-id='{topic_id}'] [data-unread-badge]")
    badge.wait_for()
    assert (badge.get_attribute("href") or "").endswith("#msg3")
    # and her Unread page lists it, with the count in the header
    alice.open("/unread")
    entry = page.locator(f"[data-unread-rows] tr[data-topic-id='{topic_id}']")
    entry.wait_for()
    assert title in entry.inner_text()
    assert page.locator("[data-unread-link]").inner_text().startswith("Unread (")
    # Following the marker lands on the reply, after the "new" divider
    entry.locator("a.badge").click()
    page.wait_for_url(f"**/t/{topic_id}#msg3")
    # (past the browser's copy of the page from her first visit, a few seconds old)
    page.reload()
    page.locator("[data-new-divider]").wait_for()
    assert page.locator("[data-new-divider] + li article").get_attribute("data-number") == "3"

    # And when bob replies once more, marking the board read clears its markers
    reply(client, topic_id, "Last word.")
    alice.open(f"/b/{help_id}")
    badge.wait_for()
    page.get_by_role("button", name="Mark this board read").click()
    page.get_by_role("status").filter(has_text="Marked read.").wait_for()
    assert page.locator("[data-unread-badge]").count() == 0
    alice.open(f"/b/{help_id}")
    page.get_by_role("button", name="Mark this board read").wait_for()
    assert page.locator(f"tr[data-topic-id='{topic_id}'] [data-unread-badge]").count() == 0
    assert alice.problems == []
