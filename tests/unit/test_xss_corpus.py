"""The whole XSS corpus through the Markdown renderer and sanitizer: nothing executable comes out.

Posts, replies, previews and "about" texts all become HTML through ``forum.markup.render`` and
are then put into pages and by scripts (``innerHTML``) as they are, so this is the one place
that has to hold for every payload; tests/e2e/test_xss.py shows the pages in a browser.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3
import pytest

from forum import markup
from forum.content import clean_body
from forum.errors import Invalid
from forum.markup import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, render
from forum.uploads import clean_filename
from pages.render import plain_text

from ..xss_payloads import CORPUS, PAYLOADS, marked

# Attributes the sanitizer itself adds, beside the allow-list.
ADDED_ATTRIBUTES = {"a": {"rel"}}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "srcset"}
SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
# What browsers drop from a URL before they look for its scheme.
URL_NOISE = re.compile(r"[\x00-\x20\x7f]")


class Elements(HTMLParser):
    """Every start tag with its attributes (values unescaped, as a browser reads them)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def problems_in(html: str) -> list[str]:
    parser = Elements()
    parser.feed(html)
    parser.close()
    found = []
    for tag, attributes in parser.found:
        if tag not in ALLOWED_TAGS:
            found.append(f"<{tag}> is not allowed")
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ADDED_ATTRIBUTES.get(tag, set())
        for name, value in attributes:
            if name.startswith("on"):
                found.append(f"<{tag} {name}> is an event handler")
            if name not in allowed:
                found.append(f"<{tag} {name}> is not allowed")
            if name in URL_ATTRIBUTES and value is not None:
                scheme = SCHEME.match(URL_NOISE.sub("", value))
                if scheme and scheme.group(1).lower() not in markup.URL_SCHEMES:
                    found.append(f"<{tag} {name}={value!r}> has the scheme {scheme.group(1)}")
            if tag == "code" and name == "class" and not re.fullmatch(r"language-\S+", value or ""):
                found.append(f"<code class={value!r}> is not a language")
    lowered = html.lower()
    for raw in ("<script", "<svg", "<math", "<img", "<iframe", "<style", "<object", "<embed"):
        if raw in lowered:
            found.append(f"{raw} is in the output")
    return found


@pytest.mark.parametrize(
    "html",
    [
        "<p><img src=x onerror=alert(1)></p>",
        '<a href="java&#x09;script:alert(1)">x</a>',
        '<a href=" JAVASCRIPT:alert(1)">x</a>',
        '<a href="data:text/html,x">x</a>',
        '<p title="x">x</p>',
        '<code class="x onmouseover=alert(1)">x</code>',
        "<svg/onload=alert(1)>",
    ],
)
def test_the_check_itself_sees_what_it_looks_for(html: str) -> None:
    assert problems_in(html)


def test_the_corpus_is_large_distinct_and_covers_every_kind() -> None:
    assert len(PAYLOADS) >= 100
    assert len(set(PAYLOADS)) == len(PAYLOADS)
    assert all(len(group) >= 5 for group in CORPUS.values())


@pytest.mark.parametrize("payload", PAYLOADS, ids=[f"p{n:03d}" for n in range(len(PAYLOADS))])
def test_a_payload_renders_to_nothing_executable(payload: str) -> None:
    # Given a payload as a whole post (every payload is a body the API accepts)
    source = clean_body(payload)
    # When it is rendered as a post, a reply, a preview or an "about" text is
    html = render(source)
    # Then only allowed elements and attributes remain, with links to web or mail addresses
    assert problems_in(html) == []
    # and sanitizing again changes nothing: what the browser parses is what was checked
    assert (
        nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes=markup.URL_SCHEMES,
            link_rel=markup.LINK_REL,
            strip_comments=True,
        )
        == html
    )


def test_the_whole_corpus_in_one_body_renders_to_nothing_executable() -> None:
    # Payloads also meet each other: an unclosed fence or tag before the next one.
    html = render(clean_body(marked(list(range(len(PAYLOADS))))))
    assert problems_in(html) == []
    assert all(f"xss-marker-{n:03d}" in html for n in range(len(PAYLOADS)))


@pytest.mark.parametrize("payload", PAYLOADS, ids=[f"p{n:03d}" for n in range(len(PAYLOADS))])
def test_a_meta_description_is_plain_text_for_the_template_to_escape(payload: str) -> None:
    # plain_text unescapes entities; it must hand back a str, which Jinja escapes, never Markup.
    description = plain_text(render(clean_body(payload)))
    assert type(description) is str


@pytest.mark.parametrize("payload", PAYLOADS, ids=[f"p{n:03d}" for n in range(len(PAYLOADS))])
def test_a_payload_as_a_file_name_is_one_line_without_folders(payload: str) -> None:
    try:
        name = clean_filename(payload)
    except Invalid:
        return
    assert name and len(name) <= 200
    assert not re.search(r"[/\\\n\r\t\u200b\u202e\ufeff]", name)
