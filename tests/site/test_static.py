"""The static files the pages name: the build's content-hashed names, one script per page."""

from __future__ import annotations

import re
from typing import Any

import pytest

from infra import static_build
from pages import static

from .conftest import Browse, page_script, static_url

HASHED = re.compile(r"/static/[a-z/-]+\.[0-9a-f]{10}\.(js|css|svg)")


def test_every_page_names_only_hashed_files_that_the_build_made(
    browse: Browse, forum: dict[str, Any]
) -> None:
    pages = {
        # the pages one reads through share one file: the topic page's
        "/": page_script("topic"),
        f"/b/{forum['board_id']}": page_script("topic"),
        f"/t/{forum['topic_id']}": page_script("topic"),
        "/u/member": page_script("member"),
        "/login": page_script("login"),
        "/register": page_script("register"),
        f"/new-topic?board={forum['board_id']}": page_script("new-topic"),
        "/forgot-password": page_script("forgot-password"),
        "/nowhere": page_script("topic"),
    }
    for path, script in pages.items():
        page = browse(path)
        # one module: main.js bundled with this kind of page's own script
        assert [tag["src"] for tag in page.tags("script")] == [script], path
        links = [tag.get("href", "") for tag in page.tags("link") if tag.get("rel") != "canonical"]
        names = [name for name in links if name.startswith("/")]
        names += [tag["src"] for tag in page.tags("img") if tag["src"].startswith("/static/")]
        assert static_url("css/forum.css") in names and static_url("icons/forum.svg") in names
        for name in [script, *names]:
            assert HASHED.fullmatch(name), (path, name)
            assert (static_build.BUILD_DIR / name.removeprefix("/static/")).is_file(), name


def test_a_kind_of_page_without_a_script_of_its_own_shares_the_topic_pages() -> None:
    manifest = static.manifest()
    assert manifest.script(None) == manifest.script("board") == page_script("topic")
    assert manifest.script("login") == page_script("login") != page_script("topic")
    # and without a topic page (a table that lost it), main.js alone
    alone = static.parse('{"files": {"js/main.js": "js/main.0123456789.js"}, "pages": {}}')
    assert alone.script("board") == "/static/js/main.0123456789.js"


@pytest.mark.parametrize("text", ["", "{}", "[]", "not json", '{"files": {}, "pages": {}}'])
def test_a_function_without_the_build_fails_saying_how_to_make_it(text: str) -> None:
    with pytest.raises(static.StaticBuildMissing) as failure:
        static.parse(text)
    assert "make static" in str(failure.value) or "manifest" in str(failure.value)
