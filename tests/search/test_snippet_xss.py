"""Every payload of the forum's XSS corpus, rendered as a post, indexed and found: its snippet
carries no markup but the <mark> around the matched words (titles are plain text, escaped by
the page's template and by JSON)."""

from __future__ import annotations

import re

import pytest
import tantivy

from forum.markup import render
from forum.search import index as ix
from forum.search.engine import SearchRequest, search
from forum.search.text import plain_text

from ..xss_payloads import PAYLOADS, marker

# Outside <mark> and </mark>, a snippet has no "<" at all: every other one is escaped.
STRAY_TAG = re.compile(r"<(?!/?mark>)")


@pytest.fixture(scope="module")
def index() -> tantivy.Index:
    built = ix.open_index()
    writer = built.writer(15_000_000, 1)
    for number, payload in enumerate(PAYLOADS, start=1):
        text = plain_text(render(f"{marker(number)} {payload} {marker(number)}"))
        post = ix.PostDocument(
            "t", number, "b", "alice", payload[:200], text, "2025-01-01T00:00:00Z"
        )
        writer.add_document(ix.to_document(post))
    writer.commit()
    writer.wait_merging_threads()
    built.reload()
    return built


@pytest.mark.parametrize("number", range(1, len(PAYLOADS) + 1))
def test_no_snippet_carries_markup(index: tantivy.Index, number: int) -> None:
    word = marker(number).replace("-", " ")
    results = search(index, SearchRequest(f'"{word}"'))
    hit = next(hit for hit in results.hits if hit.number == number)
    assert "<mark>" in hit.snippet
    assert not STRAY_TAG.search(str(hit.snippet)), hit.snippet
