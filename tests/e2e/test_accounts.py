"""Becoming a member in the browser, signing out, editing one's profile, removing a post."""

from __future__ import annotations

import re
import time

import pytest

from local.client import ForumClient

from ..local.conftest import PASSWORD, Runtime
from .conftest import Visitor, expected_problems
from .test_writing import new_topic


def confirmation_code(forum: Runtime, username: str) -> str:
    # No mail goes out locally: the runtime logs the code Cognito would have sent.
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        for line in reversed(forum.output):
            if f"sign-up of {username}:" in line:
                return line.split("confirmation code is ")[1].split()[0]
        time.sleep(0.2)
    raise AssertionError(f"no confirmation code for {username} in the runtime's log")


def test_a_visitor_registers_confirms_and_is_signed_in(visitor: Visitor, forum: Runtime) -> None:
    username = f"reader{int(time.time()) % 100000}"
    person = visitor()
    page = person.open("/register")
    page.fill("#register-username", username)
    page.fill("#register-email", f"{username}@forum.invalid")
    page.fill("#register-password", "Correct-Horse-9")
    page.click("#register-form button[type=submit]")
    page.wait_for_selector("#confirm-form:visible")
    page.fill("#confirm-code", confirmation_code(forum, username))
    page.click("#confirm-form button[type=submit]")
    page.wait_for_url(person.base_url + "/")
    page.wait_for_selector(f"[data-account] >> text={username}")
    # Signing out turns the header back into the guest's links
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("link", name="Sign in").wait_for()
    assert page.evaluate("() => localStorage.getItem('forum.session')") is None
    # Signing out revokes the refresh token with Cognito's RevokeToken, which moto lacks (it
    # answers without CORS headers); the browser forgets the tokens either way.
    moto = person.page.evaluate("async () => (await (await fetch('/config.json')).json())")
    endpoint = moto["cognito"]["endpoint"]
    assert [
        problem
        for problem in expected_problems(person.problems)
        if endpoint not in problem and "net::ERR_FAILED" not in problem
    ] == []


@pytest.mark.parametrize("username", ["alice", "AL1CE"])
def test_a_taken_username_or_its_look_alike_is_refused_in_words(
    visitor: Visitor, username: str
) -> None:
    page = visitor().open("/register")
    page.fill("#register-username", username)
    page.fill("#register-email", "someone@forum.invalid")
    page.fill("#register-password", "Correct-Horse-9")
    page.click("#register-form button[type=submit]")
    error = page.locator("#register-form [data-error]")
    error.wait_for()
    assert "taken" in error.inner_text()


def test_a_member_edits_their_profile(visitor: Visitor) -> None:
    member = visitor()
    member.sign_in("bob")
    page = member.open("/u/bob")
    page.get_by_role("button", name="Edit profile").click()
    page.fill("#profile-name", "Bob the Reader")
    page.fill("#profile-about", "I read *everything*.")
    page.get_by_role("button", name="Save profile").click()
    page.wait_for_selector(".profile .about em")
    assert page.locator("#profile-heading").inner_text() == "Bob the Reader"
    page.reload()
    assert page.locator("#profile-heading").inner_text() == "Bob the Reader"
    assert page.locator(".profile .about").inner_text() == "I read everything."
    assert expected_problems(member.problems) == []


def test_a_member_removes_their_reply(visitor: Visitor, client: ForumClient) -> None:
    topic_id = new_topic(client, f"Second thoughts {int(time.time())}")
    token = client.sign_in("carol", PASSWORD)["AccessToken"]
    replied = client.request(
        "POST", f"/api/topics/{topic_id}/posts", {"body": "I take it back."}, token=token
    )
    assert replied.status == 201
    member = visitor()
    member.sign_in("carol")
    page = member.open(f"/t/{topic_id}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#msg2 [data-actions]").get_by_role("button", name="Remove #2").click()
    page.wait_for_selector("#msg2[data-removed=true]")
    assert page.locator("#msg2 .removed-note").inner_text() == "This post was removed."
    assert re.search("Post #2 was removed.", page.locator("[data-status]").inner_text())
    page.reload()
    assert page.locator("#msg2 .removed-note").inner_text() == "This post was removed."
    assert expected_problems(member.problems) == []
