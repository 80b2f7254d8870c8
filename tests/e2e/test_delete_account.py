"""Deleting one's account from the settings page (/account), in Chromium: the password again,
then the account is gone and its posts read "deleted member", linked nowhere."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from local.client import ForumClient

from ..local.conftest import PASSWORD
from .conftest import Visitor, expected_problems
from .test_account_settings import new_member, settings_of


def test_a_member_deletes_their_account_and_their_posts_stay_by_deleted_member(
    visitor: Visitor, client: ForumClient
) -> None:
    # Given a member who started a topic
    username = new_member(client)
    token = client.sign_in(username, PASSWORD)["AccessToken"]
    board_id = client.request("GET", "/api/boards").json["boards"][0]["id"]
    started = client.request(
        "POST",
        f"/api/boards/{board_id}/topics",
        {"title": f"A topic by {username}", "body": "Words that stay."},
        token=token,
    )
    assert started.status == 201, started.text
    topic_id = started.json["topic"]["id"]
    member = visitor()
    page = settings_of(member, username)
    form = page.locator("[data-delete-form]")
    # When they give a wrong password, they are told so in words and nothing happens
    page.fill("#delete-password", "Not-the-password-1")
    page.once("dialog", lambda dialog: dialog.accept())
    form.get_by_role("button", name="Delete my account").click()
    form.get_by_text("The password is not right.").wait_for()
    # When they give the right one, keeping their posts, and confirm
    page.fill("#delete-password", PASSWORD)
    assert form.get_by_label("Keep them, by “deleted member”").is_checked()
    page.once("dialog", lambda dialog: dialog.accept())
    form.get_by_role("button", name="Delete my account").click()
    # Then they are at the board index, signed out
    page.wait_for_url(member.base_url + "/")
    page.get_by_role("link", name="Sign in").wait_for()
    assert page.evaluate("() => localStorage.getItem('forum.session')") is None
    # And their sign-in is gone
    with pytest.raises(ClientError, match=r"NotAuthorizedException|UserNotFoundException"):
        client.sign_in(username, PASSWORD)
    # And their topic reads "deleted member", with no link to a member page
    page.goto(f"{member.base_url}/t/{topic_id}")
    card = page.locator("#msg1 .author .name")
    assert card.inner_text() == "deleted member"
    assert card.locator("a").count() == 0
    assert "Started by deleted member" in page.locator(".started").inner_text()
    assert page.locator(f"a[href='/u/{username}']").count() == 0
    assert client.request("GET", f"/u/{username}").status == 404
    # Cognito's 400 for the wrong password is the browser's console error; nothing else
    assert [
        text for text in expected_problems(member.problems) if "status of 400" not in text
    ] == []
