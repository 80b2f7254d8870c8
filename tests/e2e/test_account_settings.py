"""The account settings page (/account): password, email, every device, profile, in Chromium.

Each test makes a member of its own (straight in the local user pool, as the demo members are
made), since changing a password or signing out everywhere would spoil the demo members for
the tests that follow.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from botocore.exceptions import ClientError
from PIL import Image

from local.client import ForumClient
from local.seed import create_user

from ..local.conftest import PASSWORD, Runtime
from .conftest import (
    AXE,
    DESKTOP,
    PHONE,
    Visit,
    Visitor,
    axe_violations,
    expected_problems,
    screenshot,
)

_numbers = itertools.count()


def new_member(client: ForumClient) -> str:
    username = f"acct{int(time.time()) % 100000}x{next(_numbers)}"
    create_user(client.cognito(), client.config["cognito"]["user_pool_id"], username, PASSWORD)
    return username


def settings_of(visit: Visit, username: str, password: str = PASSWORD) -> Any:
    visit.sign_in(username, password)
    # The header links the member to their settings.
    visit.page.locator("[data-account]").get_by_role("link", name="Account").click()
    visit.page.wait_for_url(visit.base_url + "/account")
    visit.page.wait_for_selector("[data-account-settings]:visible")
    return visit.page


def test_a_member_changes_their_password_then_signs_in_with_the_new_one(
    visitor: Visitor, client: ForumClient
) -> None:
    username = new_member(client)
    member = visitor()
    page = settings_of(member, username)
    form = page.locator("#password-form")
    # A password the pool would refuse is refused on the page, before Cognito is asked
    page.fill("#password-old", PASSWORD)
    page.fill("#password-new", "short")
    form.get_by_role("button", name="Change password").click()
    assert "at least 10 characters" in form.locator("[data-error]").inner_text()
    page.fill("#password-new", "all-lower-case-9")
    form.get_by_role("button", name="Change password").click()
    assert "upper case" in form.locator("[data-error]").inner_text()
    # A good one is changed with Cognito
    page.fill("#password-new", "Brand-New-Pass-7")
    form.get_by_role("button", name="Change password").click()
    form.locator("[data-done]", has_text="Your password is changed").wait_for()
    assert form.locator("[data-error]").is_hidden()
    # The new password signs in; the old one no longer does
    assert client.sign_in(username, "Brand-New-Pass-7")["AccessToken"]
    with pytest.raises(ClientError, match="NotAuthorizedException"):
        client.sign_in(username, PASSWORD)
    fresh = visitor()
    fresh.sign_in(username, "Brand-New-Pass-7")
    assert expected_problems(member.problems + fresh.problems) == []


def test_a_wrong_current_password_is_refused_in_words(
    visitor: Visitor, client: ForumClient
) -> None:
    username = new_member(client)
    member = visitor()
    page = settings_of(member, username)
    form = page.locator("#password-form")
    page.fill("#password-old", "Not-My-Password-1")
    page.fill("#password-new", "Brand-New-Pass-7")
    form.get_by_role("button", name="Change password").click()
    error = form.locator("[data-error]")
    error.wait_for()
    assert error.inner_text() == "The current password is not right."
    # and nothing changed
    assert client.sign_in(username, PASSWORD)["AccessToken"]
    # Cognito's 400 is the browser's console error; nothing else went wrong
    assert [
        text for text in expected_problems(member.problems) if "status of 400" not in text
    ] == []


def email_code(client: ForumClient, address: str) -> str:
    # No mail goes out locally: the code Cognito would have sent is in the local mailbox.
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        for message in client.request("GET", "/_dev/mail.json").json["messages"]:
            if message["to"] == address and message["kind"] == "cognito:email-change":
                return str(re.findall(r"[0-9]{6}", message["text"])[0])
        time.sleep(0.2)
    raise AssertionError(f"no email code for {address} in the local mailbox")


def test_a_new_email_address_is_the_members_once_its_code_comes_back(
    visitor: Visitor, client: ForumClient, forum: Runtime
) -> None:
    username = new_member(client)
    old = f"{username}@forum.invalid"
    new = f"{username}.new@forum.invalid"
    pool_id = client.config["cognito"]["user_pool_id"]

    def address() -> dict[str, str]:
        user = client.cognito().admin_get_user(UserPoolId=pool_id, Username=username)
        return {item["Name"]: item["Value"] for item in user["UserAttributes"]}

    member = visitor()
    page = settings_of(member, username)
    assert page.locator("[data-current-email]").inner_text() == old
    # The same address is no change
    page.fill("#email-new", old)
    page.locator("#email-form").get_by_role("button", name="Change email address").click()
    assert page.locator("#email-form [data-error]").inner_text() == "That is already your address."
    # A new one: a code is sent there, and the page asks for it, saying the old address stays
    page.fill("#email-new", new)
    page.locator("#email-form").get_by_role("button", name="Change email address").click()
    page.wait_for_selector("#email-code-form:visible")
    pending = page.locator("[data-email-pending]").inner_text()
    assert new in pending and f"your address stays {old}" in pending
    # and it does stay, until the code comes back
    assert address()["email"] == old
    code = email_code(client, new)
    page.fill("#email-code", "000000" if code != "000000" else "111111")
    page.locator("#email-code-form").get_by_role("button", name="Confirm the new address").click()
    error = page.locator("#email-code-form [data-error]")
    error.wait_for()
    assert error.inner_text().startswith("That code is not right")
    assert address()["email"] == old
    page.fill("#email-code", code)
    page.locator("#email-code-form").get_by_role("button", name="Confirm the new address").click()
    page.locator("[data-email-done]", has_text=f"Your address is now {new}.").wait_for()
    assert page.locator("[data-current-email]").inner_text() == new
    assert page.locator("#email-code-form").is_hidden()
    assert address()["email"] == new and address()["email_verified"] == "true"
    # Cognito's 400 for the wrong code is the browser's console error; nothing else went wrong
    assert [
        text for text in expected_problems(member.problems) if "status of 400" not in text
    ] == []


def test_signing_out_everywhere_ends_every_session(visitor: Visitor, client: ForumClient) -> None:
    username = new_member(client)
    # Signed in on another device as well
    elsewhere = client.sign_in(username, PASSWORD)
    member = visitor()
    page = settings_of(member, username)
    here = page.evaluate("() => JSON.parse(localStorage.getItem('forum.session')).refresh")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Sign out everywhere").click()
    page.wait_for_url(member.base_url + "/")
    page.get_by_role("link", name="Sign in").wait_for()
    assert page.evaluate("() => localStorage.getItem('forum.session')") is None
    # Neither this browser's refresh token nor the other device's gets new tokens any more
    cognito = client.cognito()
    for refresh in (here, elsewhere["RefreshToken"]):
        with pytest.raises(ClientError, match="NotAuthorizedException"):
            cognito.initiate_auth(
                ClientId=client.config["cognito"]["client_id"],
                AuthFlow="REFRESH_TOKEN_AUTH",
                AuthParameters={"REFRESH_TOKEN": refresh},
            )
    assert expected_problems(member.problems) == []


def test_a_member_saves_their_profile_and_avatar_on_the_settings_page(
    visitor: Visitor, client: ForumClient, tmp_path: Path
) -> None:
    username = new_member(client)
    member = visitor()
    page = settings_of(member, username)
    form = page.locator("#profile-form")
    page.fill("#profile-name", "Account Tester")
    page.fill("#profile-about", "I keep my *settings* tidy.")
    form.get_by_role("button", name="Save profile").click()
    form.locator("[data-done]", has_text="Saved.").wait_for()
    picture = tmp_path / "me.png"
    Image.new("RGB", (300, 200), (200, 80, 40)).save(picture, "PNG")
    page.set_input_files("#profile-avatar", str(picture))
    form.locator("[data-avatar-status]", has_text="Your avatar is changed.").wait_for(
        timeout=60_000
    )
    assert form.locator("[data-avatar-preview] img").count() == 1
    # The profile page shows what was saved
    profile = member.open(f"/u/{username}")
    assert profile.locator("#profile-heading").inner_text() == "Account Tester"
    assert profile.locator(".profile .about").inner_text() == "I keep my settings tidy."
    assert profile.locator(".profile img.avatar").count() == 1
    # and the settings page shows it again
    page = member.open("/account")
    page.wait_for_selector("[data-account-settings]:visible")
    assert page.input_value("#profile-name") == "Account Tester"
    assert page.input_value("#profile-about") == "I keep my *settings* tidy."
    assert expected_problems(member.problems) == []


def test_a_guest_is_asked_to_sign_in(visitor: Visitor) -> None:
    guest = visitor()
    page = guest.open("/account")
    page.locator("[data-account-guest]").wait_for()
    assert page.locator("[data-account-settings]").is_hidden()
    assert expected_problems(guest.problems) == []


def test_a_member_downloads_their_data_as_one_json_file(
    visitor: Visitor, client: ForumClient
) -> None:
    username = new_member(client)
    member = visitor()
    page = settings_of(member, username)
    section = page.locator("section", has=page.get_by_role("heading", name="Your data"))
    offered = "/api/me/export" in client.request("GET", "/api/openapi.json").json["paths"]
    if not offered:
        # Until the API has the export, the button says what the API answered.
        section.get_by_role("button", name="Download my data").click()
        error = section.locator("[data-error]")
        error.wait_for()
        assert error.inner_text()
        return
    with page.expect_download() as download_info:
        section.get_by_role("button", name="Download my data").click()
    download = download_info.value
    assert download.suggested_filename == f"forum-export-{username}.json"
    exported = json.loads(Path(download.path()).read_text())
    assert exported["member"]["username"] == username
    assert isinstance(exported["posts"], list) and isinstance(exported["uploads"], list)
    assert "next_cursor" not in exported
    section.locator("[data-done]", has_text="Your data is downloaded.").wait_for()
    assert expected_problems(member.problems) == []


def test_the_download_gathers_every_page_of_the_export(
    visitor: Visitor, client: ForumClient
) -> None:
    # The export answers one page at a time; the page follows next_cursor until it is null.
    # The API's own pages are tested with it (tests/api); here they are served to the browser
    # as the API shapes them, to see the page put them together.
    username = new_member(client)
    member = visitor()
    page = settings_of(member, username)
    pages = {
        None: {
            "member": {"username": username},
            "posts": [{"id": "p1"}],
            "uploads": [],
            "next_cursor": "two",
        },
        "two": {
            "member": {"username": username},
            "posts": [{"id": "p2"}],
            "uploads": [{"id": "u1"}],
            "next_cursor": None,
        },
    }
    asked: list[tuple[str | None, bool]] = []

    def answer(route: Any) -> None:
        cursor = parse_qs(urlsplit(route.request.url).query).get("cursor", [None])[0]
        signed = route.request.headers.get("authorization", "").startswith("Bearer ")
        asked.append((cursor, signed))
        route.fulfill(status=200, content_type="application/json", body=json.dumps(pages[cursor]))

    page.route("**/api/me/export*", answer)
    section = page.locator("section", has=page.get_by_role("heading", name="Your data"))
    with page.expect_download() as download_info:
        section.get_by_role("button", name="Download my data").click()
    exported = json.loads(Path(download_info.value.path()).read_text())
    # Every page asked for as the member, the second with the first's cursor
    assert asked == [(None, True), ("two", True)]
    assert exported["member"] == {"username": username}
    assert [post["id"] for post in exported["posts"]] == ["p1", "p2"]
    assert exported["uploads"] == [{"id": "u1"}]
    assert download_info.value.suggested_filename == f"forum-export-{username}.json"
    assert expected_problems(member.problems) == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "375"])
def test_the_settings_page_is_accessible_at_both_widths(
    visitor: Visitor, client: ForumClient, viewport: dict[str, int]
) -> None:
    if not AXE.is_file():
        pytest.skip("axe-core is not installed: run `npm ci` (package.json devDependencies)")
    username = new_member(client)
    member = visitor(viewport)
    page = settings_of(member, username)
    page.wait_for_load_state("networkidle")
    assert axe_violations(page) == []
    width = viewport["width"]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    screenshot(page, f"account-{width}")
    assert expected_problems(member.problems) == []
