"""/notifications and /watched: the same page for everyone, never stored, filled in by script."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Browse
from .test_pages import assert_page


@pytest.mark.parametrize(
    ("path", "title", "section", "guest"),
    [
        (
            "/notifications",
            "Notifications",
            "data-notifications",
            "Sign in to see your notifications.",
        ),
        ("/watched", "Watched", "data-watched", "Sign in to see what you watch."),
    ],
)
def test_the_pages_are_the_same_for_everyone_and_never_stored(
    browse: Browse, table: Any, path: str, title: str, section: str, guest: str
) -> None:
    page = browse(path)
    assert_page(page)
    assert page.headers["cache-control"] == "no-store"
    assert page.meta("robots") == "noindex"
    assert page.title.startswith(title)
    assert f"{section} hidden" in page.text
    assert guest in page.words()
    assert f"Disallow: {path}\n" in browse("/robots.txt").text
