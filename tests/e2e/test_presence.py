"""Presence: a member and a guest reading one topic see each other counted."""

from __future__ import annotations

import time

from local.client import ForumClient

from .conftest import Visitor
from .test_writing import new_topic


def test_a_guest_sees_one_member_and_one_guest(visitor: Visitor, client: ForumClient) -> None:
    # Given a topic nobody has read yet
    topic_id = new_topic(client, f"Who is here {int(time.time())}")
    # When a member reads it
    member = visitor()
    member.sign_in("alice")
    page = member.open(f"/t/{topic_id}")
    presence = page.locator("[data-presence]")
    page.wait_for_function(
        "() => document.querySelector('[data-presence]').dataset.members === '1'"
    )
    assert presence.inner_text() == "1 Member and 0 Guests are viewing this topic."
    # and a guest opens it in a second browser
    guest = visitor().open(f"/t/{topic_id}")
    guest.wait_for_function(
        "() => document.querySelector('[data-presence]').dataset.guests === '1'"
    )
    # Then the guest sees both of them
    assert guest.locator("[data-presence]").inner_text() == (
        "1 Member and 1 Guest are viewing this topic."
    )


def test_a_guest_reloading_the_page_is_not_counted_again(
    visitor: Visitor, client: ForumClient
) -> None:
    # Given a guest counted on a topic
    topic_id = new_topic(client, f"Reloaded {int(time.time())}")
    page = visitor().open(f"/t/{topic_id}")
    page.wait_for_function("() => document.querySelector('[data-presence]').dataset.guests === '1'")
    # When they reload it
    with page.expect_request(lambda request: request.url.endswith("/heartbeat")) as beat:
        page.reload()
    # Then the page says where it was counted, and the count stays one guest
    sent = beat.value.post_data_json
    assert isinstance(sent["counted_in"], int), sent
    answer = beat.value.response()
    assert answer is not None and answer.json()["guests"] == 1
    # (the same window, unless the reload crossed into the next one)
    assert answer.json()["window"] - sent["counted_in"] in (0, 1)
    page.wait_for_function("() => document.querySelector('[data-presence]').dataset.guests === '1'")
