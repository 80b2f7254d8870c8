"""Markdown in, sanitized HTML out: rendered once, when a post is written, and stored beside it."""

from __future__ import annotations

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


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # Imported on first use: only writes render Markdown, and reads should not pay for it at
    # every cold start.
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    md.enable(["table", "strikethrough", "linkify"])
    md.add_render_rule("image", _image_as_link)
    md.core.ruler.push("align_cells", _align_cells)
    md.validateLink = _link_keeps_its_host(md)  # type: ignore[method-assign]
    return md


def render(source: str) -> str:
    """Render Markdown to HTML that is safe to put in a page as it is."""
    html = _parser().render(source)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )
