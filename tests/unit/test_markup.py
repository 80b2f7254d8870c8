"""Markdown rendering and sanitizing: what a post may and may not become."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from forum.markup import ALLOWED_TAGS, render


def _elements(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    found: list[tuple[str, list[tuple[str, str | None]]]] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append((tag, attrs))

    Collector().feed(html)
    return found


def test_commonmark_with_tables_strikethrough_and_links() -> None:
    html = render("# T\n\n~~gone~~ see https://example.com\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<h1>T</h1>" in html
    assert "<s>gone</s>" in html
    link = '<a href="https://example.com" rel="nofollow ugc noopener">https://example.com</a>'
    assert link in html
    assert "<table>" in html and "<td>1</td>" in html


def test_table_columns_keep_their_alignment_without_inline_styles() -> None:
    html = render("| L | C | R | N |\n|:--|:-:|--:|---|\n| a | b | 1 | x |")
    assert '<th align="left">L</th>' in html and '<td align="center">b</td>' in html
    assert '<td align="right">1</td>' in html and "<td>x</td>" in html
    assert "style" not in html


def test_quotes_lists_and_code_survive() -> None:
    html = render("> quoted\n\n1. one\n2. two\n\n```python\nx = '<b>'\n```")
    assert "<blockquote>\n<p>quoted</p>\n</blockquote>" in html
    assert "<ol>\n<li>one</li>" in html
    assert "<code class=\"language-python\">x = '&lt;b&gt;'\n</code>" in html


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[click](vbscript:msgbox(1))",
        '<a href="javascript:alert(1)">x</a>',
        "<svg onload=alert(1)>",
        "<iframe src=https://evil.example></iframe>",
        '<div style="background:url(javascript:alert(1))">x</div>',
        "![x](javascript:alert(1))",
        '[x](https://ok.example "title" onmouseover=alert(1))',
        "<details open ontoggle=alert(1)>",
        "[x](&#106;avascript:alert(1))",
    ],
)
def test_nothing_executable_survives(source: str) -> None:
    # Whatever the text says, the HTML may hold only allowed elements, no event handlers or
    # styles, and links only to http(s) or mail addresses.
    elements = _elements(render(source))
    for tag, attributes in elements:
        assert tag in ALLOWED_TAGS, (source, tag)
        for name, value in attributes:
            assert not name.startswith("on") and name != "style", (source, name)
            if name == "href":
                assert (value or "").split(":")[0] in ("http", "https", "mailto"), (source, value)


def test_images_from_elsewhere_become_links() -> None:
    html = render('![a cat](https://cats.example/c.png "Cat")')
    assert "<img" not in html
    assert '<a href="https://cats.example/c.png" rel="nofollow ugc noopener">a cat</a>' in html


def test_a_link_whose_host_cannot_be_kept_stays_text() -> None:
    # A host longer than any domain would be dropped by URL normalization, leaving "http://".
    host = "a." * 3000 + "com"
    html = render(f"see http://{host} and the rest\n\n[label](https://{host}/x) too")
    assert host in html
    assert "and the rest" in html
    assert "<a" not in html
