"""A forgotten password in the browser: a code by mail (the local mailbox, in the forum's words),
a new password, and signed in; the same answer for a name nobody has; a wrong code and a limit
reached told in words."""

from __future__ import annotations

import re
import time
from typing import Any

from local.client import ForumClient

from .conftest import AXE, Visitor, axe_violations, expected_problems, screenshot

PASSWORD = "Forgotten-2026"
NEW_PASSWORD = "Remembered-2027"
SENT = "If an account exists for that name, a code was sent"


def codes_to(client: ForumClient, address: str, kind: str) -> list[str]:
    """The codes mailed to ``address``, newest first, as the local mailbox keeps them."""
    messages = client.request("GET", "/_dev/mail.json").json["messages"]
    return [
        re.findall(r"\d{6}", message["text"])[0]
        for message in messages
        if message["to"] == address and message["kind"] == kind
    ]


def new_code(client: ForumClient, address: str, kind: str, seen: int) -> str:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        codes = codes_to(client, address, kind)
        if len(codes) > seen:
            return codes[0]
        time.sleep(0.2)
    raise AssertionError(f"no new {kind} mail to {address} in the local mailbox")


def a_member(client: ForumClient, username: str) -> str:
    address = f"{username}@forum.invalid"
    account = {"username": username, "email": address, "password": PASSWORD}
    assert client.request("POST", "/api/accounts", account).status == 201
    code = new_code(client, address, "cognito:sign-up", 0)
    client.cognito().confirm_sign_up(
        ClientId=client.config["cognito"]["client_id"], Username=username, ConfirmationCode=code
    )
    return address


def ask_for_a_code(page: Any, username: str) -> None:
    page.fill("#forgot-username", username)
    page.click("#forgot-form button[type=submit]")
    page.wait_for_selector("#reset-form:visible")


def test_a_member_resets_a_forgotten_password_and_is_signed_in(
    visitor: Visitor, client: ForumClient
) -> None:
    username = f"forgetful{int(time.time()) % 100000}"
    address = a_member(client, username)
    person = visitor()
    # Given the sign-in page, when the member follows its link
    page = person.open("/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.wait_for_url(person.base_url + "/forgot-password")
    # and asks for a code with the email address (either name will do)
    ask_for_a_code(page, address)
    assert SENT in page.locator("[data-sent-note]").inner_text()
    code = new_code(client, address, "cognito:reset", 0)
    # (in the forum's words, with a link back to this page)
    mail = next(
        message
        for message in client.request("GET", "/_dev/mail.json").json["messages"]
        if message["to"] == address and message["kind"] == "cognito:reset"
    )
    assert mail["subject"] == "Reset your password for Forum"
    assert f"{person.base_url}/forgot-password" in mail["text"]
    # Then the mailed code and a new password sign them in
    page.fill("#reset-code", code)
    page.fill("#reset-password", NEW_PASSWORD)
    page.click("#reset-form button[type=submit]")
    page.wait_for_url(person.base_url + "/")
    page.wait_for_selector(f"[data-account] >> text={username}")
    assert expected_problems(person.problems) == []
    # and the new password signs them in again, elsewhere, with the username
    visitor().sign_in(username, NEW_PASSWORD)


def test_a_name_nobody_has_gets_the_same_answer(visitor: Visitor, client: ForumClient) -> None:
    before = client.request("GET", "/_dev/mail.json").json["messages"]
    page = visitor().open("/forgot-password")
    page.wait_for_selector("#forgot-form:visible")
    found = {"ask": axe_violations(page)} if AXE.is_file() else {}
    screenshot(page, "forgot-password-1280")
    ask_for_a_code(page, f"nobody{int(time.time()) % 100000}")
    assert SENT in page.locator("[data-sent-note]").inner_text()
    assert client.request("GET", "/_dev/mail.json").json["messages"] == before
    # Both steps read well to everyone (axe-core)
    if AXE.is_file():
        found["reset"] = axe_violations(page)
        assert {step: problems for step, problems in found.items() if problems} == {}


def test_a_wrong_code_and_a_weak_password_are_told_in_words(
    visitor: Visitor, client: ForumClient
) -> None:
    username = f"mistaken{int(time.time()) % 100000}"
    address = a_member(client, username)
    page = visitor().open("/forgot-password")
    ask_for_a_code(page, username)
    code = new_code(client, address, "cognito:reset", 0)
    error = page.locator("#reset-form [data-error]")
    # A password the pool's policy refuses is told before Cognito is asked
    page.fill("#reset-code", code)
    page.fill("#reset-password", "weakling")
    page.click("#reset-form button[type=submit]")
    error.wait_for()
    assert "at least 10 characters" in error.inner_text()
    # A wrong code is refused in words, not by an exception's name
    page.fill("#reset-code", "000000" if code != "000000" else "111111")
    page.fill("#reset-password", NEW_PASSWORD)
    page.click("#reset-form button[type=submit]")
    page.wait_for_function(
        "() => document.querySelector('#reset-form [data-error]').textContent.includes('not right')"
    )
    assert "Exception" not in error.inner_text()
    # and the old password still signs in
    assert client.sign_in(username, PASSWORD)["AccessToken"]


def test_a_name_asked_for_too_often_today_is_told_so_in_words(
    visitor: Visitor, client: ForumClient
) -> None:
    # Given a name asked for as often today as the forum allows (cdk.json: 5), from elsewhere
    # (another viewer's address, so that this browser's network is not the one limited)
    name = f"pestered{int(time.time()) % 100000}"
    elsewhere = {"x-forwarded-for": "198.51.100.88"}
    for _ in range(5):
        asked = client.request("POST", "/api/password-resets", {"name": name}, headers=elsewhere)
        assert asked.status == 202, asked.text
    # When someone asks for it once more on the page
    page = visitor().open("/forgot-password")
    page.fill("#forgot-username", name)
    page.click("#forgot-form button[type=submit]")
    # Then they are told, in words, and stay on the first step
    error = page.locator("#forgot-form [data-error]")
    error.wait_for()
    assert "Too many password resets" in error.inner_text()
    assert page.locator("#reset-form").is_hidden()
