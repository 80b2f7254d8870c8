"""Watching and notifications in a browser: alice watches a topic, bob replies, alice sees the
count in the header and the entry on /notifications, which leads to the reply.

The local runtime runs the whole path (the table's stream, the changes function, the
notifier's queue and function): the test only waits for it.
"""

from __future__ import annotations

import time

from local.client import ForumClient

from ..local.conftest import PASSWORD
from .conftest import Visitor
from .test_writing import new_topic


def unread_of(client: ForumClient, token: str) -> int:
    return int(client.request("GET", "/api/me/notifications/unread", token=token).json["unread"])


def test_alice_watches_bob_replies_alice_is_told(visitor: Visitor, client: ForumClient) -> None:
    # Given alice on a topic carol started, which she watches from its page
    title = f"Lighthouses {int(time.time())}"
    topic_id = new_topic(client, title, author="carol")
    alice = visitor()
    alice.sign_in("alice")
    page = alice.open(f"/t/{topic_id}")
    # Pages may be kept 5 s (public, max-age=5): the topic is opened again only after that.
    fresh_after = time.monotonic() + 6
    page.get_by_role("button", name="Watch", exact=True).click()
    page.wait_for_selector("[data-watch-status] >> text=You watch this topic")
    assert page.get_by_role("button", name="Stop watching").is_visible()
    alices = client.sign_in("alice", PASSWORD)["AccessToken"]
    before = unread_of(client, alices)
    # When bob replies
    token = client.sign_in("bob", PASSWORD)["AccessToken"]
    answer = client.request(
        "POST", f"/api/topics/{topic_id}/posts", {"body": "The one at Cape Wrath."}, token=token
    )
    assert answer.status == 201, answer.text
    number = int(answer.json["post"]["number"])
    # Then the forum's fan-out tells alice (off the reply's own path, within seconds)
    deadline = time.monotonic() + 30
    while unread_of(client, alices) == before and time.monotonic() < deadline:
        time.sleep(0.5)
    assert unread_of(client, alices) == before + 1
    # and her header counts it on the next page she opens (the count is asked once a minute
    # per tab, with the page's overlay: a new tab asks at once)
    page = alice.context.new_page()
    page.goto(f"{alice.base_url}/")
    link = page.locator("[data-notifications-link]")
    page.wait_for_selector("[data-unread-count]:not([hidden])")
    assert link.inner_text().replace("\n", "") == f"Notifications ({before + 1})"
    # and /notifications has bob's reply, which leads to it and is read once opened
    time.sleep(max(0.0, fresh_after - time.monotonic()))
    link.click()
    page.wait_for_url(alice.base_url + "/notifications")
    entry = page.locator("[data-notification]").first
    entry.get_by_role("link", name=f"bob replied in {title}").wait_for()
    entry.get_by_role("link", name=f"bob replied in {title}").click()
    page.wait_for_url(f"**/t/{topic_id}**#msg{number}")
    page.wait_for_selector(f"#msg{number}")
    # and once read, the count is what it was before bob's reply
    if before == 0:
        page.wait_for_selector("[data-unread-count][hidden]", state="attached")
    else:
        page.wait_for_selector(f"[data-notifications-link] >> text=Notifications ({before})")
    assert unread_of(client, alices) == before
    assert alice.problems == []
