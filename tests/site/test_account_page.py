"""/account: the member's settings page, the same for everyone and never stored."""

from __future__ import annotations

import re
from typing import Any

from .conftest import Browse
from .test_pages import assert_page


def test_the_account_page_is_the_same_for_everyone_and_never_stored(
    browse: Browse, table: Any
) -> None:
    # Given anyone, signed in or not (the page never knows), when they open /account
    page = browse("/account")
    # then it is a page of forms for its script, kept by neither CloudFront nor the browser
    assert_page(page)
    assert page.headers["cache-control"] == "no-store"
    assert page.meta("robots") == "noindex"
    assert page.link("canonical") is None
    assert 'data-page="account"' in page.text
    assert page.title.startswith("Account settings")
    # with every setting the issue asks for, hidden until the script fills them in
    assert re.search(r"<div class=\"account-settings\" data-account-settings hidden>", page.text)
    for form in ("profile-form", "email-form", "email-code-form", "password-form"):
        assert f'id="{form}"' in page.text
    assert 'autocomplete="current-password"' in page.text
    assert 'autocomplete="new-password"' in page.text
    words = page.words()
    assert "Sign out everywhere" in words
    assert "Download my data" in words
    assert "Sign in to see your account settings." in words
    # and it names nobody: no address, no username
    assert "@" not in words


def test_the_account_page_is_kept_out_of_search(browse: Browse, table: Any) -> None:
    assert "Disallow: /account\n" in browse("/robots.txt").text
    head = browse("/account", method="HEAD")
    assert head.status == 200
    assert head.headers["cache-control"] == "no-store"
    assert head.text == ""
