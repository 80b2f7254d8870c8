"""Markdown in, sanitized HTML out: rendered once, when a post is written, and stored beside it.

An ``@username`` becomes a link to the member's page (``/u/{name}``) when it names a member the
writer's code looked up (forum.mentions: the names that exist, are not banned, capped); any
other ``@word`` stays text. Mentions are found in text only: not in code, nor inside a link.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import nh3

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

# What a post may contain after rendering. Anything else (raw HTML, scripts, styles, event
# handlers, iframes, images from other sites) is dropped; the text inside is kept.
ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
    "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
    "code": {"class"},
}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"
# "@name" after a space, a line's start or punctuation (not "bob@example.org"), a username's
# characters (forum.usernames), and not more of them after.
MENTION = re.compile(r"(?<![A-Za-z0-9_@/.+-])@([A-Za-z0-9_-]{3,20})(?![A-Za-z0-9_-])", re.ASCII)
MENTIONS_ENV = "mentions"


def _image_as_link(renderer: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    # Pictures belong in attachments (thumbnailed, stripped of metadata, served by us); an image
    # from elsewhere would leak every reader's address to its host, so it becomes a plain link.
    from markdown_it.common.utils import escapeHtml

    token = tokens[idx]
    src = token.attrGet("src") or ""
    alt = renderer.renderInlineAsText(token.children or [], options, env) or src
    return f'<a href="{escapeHtml(src)}">{escapeHtml(alt)}</a>'


def _link_keeps_its_host(md: MarkdownIt) -> Any:
    """markdown-it's link check, refusing also a web link whose host did not survive.

    URL normalization drops a host it cannot parse (longer than a domain may be), leaving
    "http://": such a link would show as "http://" and lose the rest of its text, so it stays
    text instead.
    """
    default = md.validateLink

    def validate(url: str) -> bool:
        if not default(url):
            return False
        scheme, _, rest = url.partition("://")
        return not (scheme.lower() in {"http", "https"} and not rest.split("/", 1)[0])

    return validate


def _align_cells(state: Any) -> None:
    """Table alignment as the ``align`` attribute, which the allow-list keeps: markdown-it
    writes ``style="text-align:…"``, which the sanitizer drops (and the CSP would refuse)."""
    for token in state.tokens:
        if token.type in ("th_open", "td_open"):
            style = str(token.attrGet("style") or "")
            token.attrs.pop("style", None)
            if style.startswith("text-align:"):
                token.attrSet("align", style.removeprefix("text-align:"))


def _text_tokens(tokens: list[Any]) -> Iterator[tuple[Any, int, Any]]:
    """Every inline text token outside links and code: (inline token, child index, child)."""
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        depth = 0
        for index, child in enumerate(token.children):
            if child.type == "link_open":
                depth += 1
            elif child.type == "link_close":
                depth -= 1
            elif child.type == "text" and depth == 0:
                yield token, index, child


def _link_mentions(state: Any) -> None:
    """Each ``@name`` the writer looked up becomes a link to their page (see the module)."""
    known: Mapping[str, str] = (state.env or {}).get(MENTIONS_ENV) or {}
    if not known:
        return
    from markdown_it.token import Token

    from .usernames import skeleton

    for inline, _index, child in reversed(list(_text_tokens(state.tokens))):
        text = child.content
        pieces: list[Token] = []
        last = 0
        for match in MENTION.finditer(text):
            name = known.get(skeleton(match.group(1)))
            if name is None:
                continue
            if match.start() > last:
                pieces.append(_text(Token, text[last : match.start()]))
            link = Token("link_open", "a", 1)
            link.attrSet("href", f"/u/{name}")
            pieces += [link, _text(Token, match.group(0)), Token("link_close", "a", -1)]
            last = match.end()
        if not pieces:
            continue
        if last < len(text):
            pieces.append(_text(Token, text[last:]))
        position = inline.children.index(child)
        inline.children[position : position + 1] = pieces


def _text(token_class: Any, content: str) -> Any:
    token = token_class("text", "", 0)
    token.content = content
    return token


def mentioned_names(source: str) -> list[str]:
    """The ``@names`` of a text, as written, in order and once each (case aside)."""
    names: dict[str, str] = {}
    for _inline, _index, child in _text_tokens(_parser().parse(source)):
        for match in MENTION.finditer(child.content):
            names.setdefault(match.group(1).lower(), match.group(1))
    return list(names.values())


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # Imported on first use: only writes render Markdown, and reads should not pay for it at
    # every cold start.
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    md.enable(["table", "strikethrough", "linkify"])
    md.add_render_rule("image", _image_as_link)
    md.core.ruler.push("align_cells", _align_cells)
    md.core.ruler.push("link_mentions", _link_mentions)
    md.validateLink = _link_keeps_its_host(md)  # type: ignore[method-assign]
    return md


def render(source: str, mentions: Mapping[str, str] | None = None) -> str:
    """Render Markdown to HTML that is safe to put in a page as it is.

    ``mentions`` maps the skeleton of each name that may be linked (forum.usernames) to the
    member's username, as forum.mentions looked them up.
    """
    html = _parser().render(source, {MENTIONS_ENV: dict(mentions or {})})
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )
