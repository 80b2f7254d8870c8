"""The words of a post as a reader sees them, from the sanitized HTML stored with it.

The index and its snippets are made from this text, never from the Markdown: what the Markdown
hides (a link's address, an image's source) is not searchable, and a snippet shows only words a
page shows. Block elements end a line, so words of two paragraphs never run together.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCKS = frozenset(
    {"p", "div", "br", "li", "ul", "ol", "blockquote", "pre", "tr", "td", "th", "table",
     "h1", "h2", "h3", "h4", "h5", "h6", "hr"}
)  # fmt: skip
_SPACES = re.compile(r"[ \t\r\f\v]+")
_LINES = re.compile(r"\s*\n\s*")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(html: str) -> str:
    """The text of sanitized HTML: tags dropped, entities decoded, whitespace collapsed."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    text = _SPACES.sub(" ", "".join(parser.parts))
    return _LINES.sub("\n", text).strip()
