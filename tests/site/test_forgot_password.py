"""The page for a forgotten password: served like the sign-in page, for forgot-password.js."""

from __future__ import annotations

import re
from typing import Any

from .conftest import Browse, page_script
from .test_pages import assert_page


def test_the_reset_page_is_a_form_for_the_script_kept_out_of_search(
    browse: Browse, forum: dict[str, Any]
) -> None:
    # When a guest opens the page a forgotten password leads to
    page = browse("/forgot-password")
    # Then it is a form page like /login: the same for everyone, cached as long, not indexed
    assert_page(page)
    assert page.headers["cache-control"] == browse("/login").headers["cache-control"]
    assert page.meta("robots") == "noindex"
    assert page.link("canonical") is None
    assert page.title == "Reset your password · Forum"
    assert 'data-page="forgot-password"' in page.text
    # with both steps hidden until the script runs, and a word for those without one
    assert re.search(r"<form [^>]*data-forgot-form hidden", page.text)
    assert re.search(r"<form [^>]*data-reset-form hidden", page.text)
    assert "Resetting a password needs JavaScript" in page.words()
    assert 'autocomplete="one-time-code"' in page.text
    assert 'autocomplete="new-password"' in page.text
    # and only the forum's own scripts and styles (the CSP allows nothing inline)
    assert [tag.get("src") for tag in page.tags("script")] == [page_script("forgot-password")]
    assert not re.search(r"\s(style|on[a-z]+)=", page.text)
    assert "Disallow: /forgot-password" in browse("/robots.txt").text


def test_the_sign_in_page_links_to_it(browse: Browse, forum: dict[str, Any]) -> None:
    login = browse("/login")
    assert '<a href="/forgot-password">Forgot your password?</a>' in login.text


def test_the_local_mailbox_is_no_page_of_the_site(browse: Browse, forum: dict[str, Any]) -> None:
    # Only the local gateway serves it (local/mailbox.py); the site function has no such page.
    assert browse("/_dev/mail").status == 404
    assert browse("/_dev/mail.json").status == 404
