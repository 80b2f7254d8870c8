"""Watching and notifications in a browser: alice watches a topic, bob replies, alice sees the
count in the header and the entry on /notifications, which leads to the reply.

The fan-out from the table's stream to the notifier's queue is not part of the local runtime
here, so the test hands the notifier the change bob's reply made, as its queue would, against
the runtime's own table.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence

import boto3
import pytest

from forum import changes, models, notifier
from forum.settings import DYNAMODB_ENDPOINT_ENV, TABLE_ENV, get_settings
from local.client import ForumClient

from .. import notices
from ..local.conftest import PASSWORD, Runtime
from .conftest import Visitor
from .test_writing import new_topic

Notify = Callable[[Sequence[changes.Change]], None]


@pytest.fixture
def notify(forum: Runtime, monkeypatch: pytest.MonkeyPatch) -> Iterator[Notify]:
    """Hand changes to the notifier, on the running forum's table."""
    endpoint = (forum.state_dir / "aws" / "endpoint").read_text().strip()
    dynamodb = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1")
    (table,) = dynamodb.list_tables()["TableNames"]
    monkeypatch.setenv(DYNAMODB_ENDPOINT_ENV, endpoint)
    monkeypatch.setenv(TABLE_ENV, table)
    get_settings.cache_clear()
    models.configure(get_settings())

    def handle(items: Sequence[changes.Change]) -> None:
        for change in items:
            notifier.handle(change)

    yield handle
    monkeypatch.undo()
    get_settings.cache_clear()
    models.configure(get_settings())


def test_alice_watches_bob_replies_alice_is_told(
    visitor: Visitor, client: ForumClient, notify: Notify
) -> None:
    # Given alice on a topic carol started, which she watches from its page
    title = f"Lighthouses {int(time.time())}"
    topic_id = new_topic(client, title, author="carol")
    alice = visitor()
    alice.sign_in("alice")
    page = alice.open(f"/t/{topic_id}")
    page.get_by_role("button", name="Watch", exact=True).click()
    page.wait_for_selector("[data-watch-status] >> text=You watch this topic")
    assert page.get_by_role("button", name="Stop watching").is_visible()
    # When bob replies, and the notifier is handed his reply
    token = client.sign_in("bob", PASSWORD)["AccessToken"]
    answer = client.request(
        "POST", f"/api/topics/{topic_id}/posts", {"body": "The one at Cape Wrath."}, token=token
    )
    assert answer.status == 201, answer.text
    number = int(answer.json["post"]["number"])
    notify([notices.new_post(topic_id, number)])
    # Then alice's header counts one unread notification
    page.reload()
    link = page.locator("[data-notifications-link]")
    page.wait_for_selector("[data-unread-count]:not([hidden])")
    assert link.inner_text().replace("\n", "") == "Notifications (1)"
    # and /notifications has bob's reply, which leads to it and is read once opened
    link.click()
    page.wait_for_url(alice.base_url + "/notifications")
    entry = page.locator("[data-notification]").first
    entry.get_by_role("link", name=f"bob replied in {title}").wait_for()
    entry.get_by_role("link", name=f"bob replied in {title}").click()
    page.wait_for_url(f"**/t/{topic_id}**#msg{number}")
    page.wait_for_selector(f"#msg{number}")
    page.wait_for_selector("[data-unread-count][hidden]", state="attached")
    assert alice.problems == []
