"""The search engine on an index in memory: the language, stemming and folding, filters, order,
relevance, paging and snippets."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
import tantivy

from forum.errors import Invalid
from forum.search import index as ix
from forum.search.engine import Filters, SearchRequest, search
from forum.search.query import parse

ROWS = [
    ("t1", 1, "general", "Alice", "My résumé tips", "How I wrote a CV that works.", "2024-01-10"),
    ("t1", 2, "general", "Bob", "My résumé tips", "Keep the resume short, one page.", "2025-03-01"),
    ("t2", 1, "tech", "Carol", "Configuring nginx",
     "The configuration of a reverse proxy in nginx.", "2025-06-01"),
    ("t2", 2, "tech", "alice", "Configuring nginx",
     "Running nginx behind a load balancer is easy.", "2025-06-02"),
    ("t3", 1, "tech", "Bob", "Python packaging",
     "Wheels for aarch64 and x86_64 <script>alert(1)</script> load balancer", "2026-01-01"),
    ("t4", 1, "general", "Dan", "Cats and dogs",
     "The cat sat on the mat with the dog.", "2023-02-02"),
]  # fmt: skip
POSTS = [ix.PostDocument(*row[:6], f"{row[6]}T10:00:00Z") for row in ROWS]


@pytest.fixture(scope="module")
def index() -> tantivy.Index:
    built = ix.open_index()
    writer = built.writer(15_000_000, 1)
    for post in POSTS:
        writer.add_document(ix.to_document(post))
    writer.commit()
    writer.wait_merging_threads()
    built.reload()
    return built


def keys(index: tantivy.Index, q: str, **options: Any) -> list[str]:
    results = search(index, SearchRequest(q, **options))
    return [f"{hit.topic_id}/{hit.number}" for hit in results.hits]


def test_every_word_must_match(index: tantivy.Index) -> None:
    assert keys(index, "nginx balancer") == ["t2/2"]


def test_accents_are_folded_and_words_stemmed(index: tantivy.Index) -> None:
    assert set(keys(index, "resume")) == {"t1/1", "t1/2"}
    assert set(keys(index, "configured")) == {"t2/1"}
    assert set(keys(index, "configurations")) == {"t2/1"}
    assert keys(index, "run") == ["t2/2"]


def test_short_words_are_found(index: tantivy.Index) -> None:
    assert keys(index, "cat") == ["t4/1"]
    assert keys(index, "CV") == ["t1/1"]


def test_phrases_keep_their_order(index: tantivy.Index) -> None:
    assert keys(index, '"load balancer"', order="newest") == ["t3/1", "t2/2"]
    assert keys(index, '"balancer load"') == []


def test_excluded_words_and_phrases(index: tantivy.Index) -> None:
    assert keys(index, "balancer -nginx") == ["t3/1"]
    assert keys(index, 'balancer -"load balancer"') == []


def test_prefix_and_or(index: tantivy.Index) -> None:
    assert set(keys(index, "config*")) == {"t2/1"}
    assert set(keys(index, "wheel OR cat")) == {"t3/1", "t4/1"}
    assert set(keys(index, "aarch* OR mat nginx")) == set()
    assert set(keys(index, "cat OR dog mat")) == {"t4/1"}


def test_title_counts_more_and_only_on_the_opening_post(index: tantivy.Index) -> None:
    # "nginx" is in both posts of t2 and the title of t2/1.
    assert keys(index, "nginx")[0] == "t2/1"
    assert keys(index, "packaging", filters=Filters(titles_only=True)) == ["t3/1"]
    assert keys(index, "tips", filters=Filters(titles_only=True)) == ["t1/1"]


def test_filters(index: tantivy.Index) -> None:
    assert set(keys(index, "balancer", filters=Filters(board="tech"))) == {"t2/2", "t3/1"}
    assert keys(index, "balancer", filters=Filters(board="general")) == []
    assert keys(index, "balancer", filters=Filters(author="ALICE")) == ["t2/2"]
    assert keys(index, "balancer", filters=Filters(author="nobody")) == []
    assert keys(index, "resume", filters=Filters(topic="t1"), order="newest") == ["t1/2", "t1/1"]
    june = Filters(since=dt.date(2025, 6, 2), until=dt.date(2025, 6, 2))
    assert keys(index, "nginx", filters=june) == ["t2/2"]
    assert keys(index, "balancer", filters=Filters(since=dt.date(2025, 7, 1))) == ["t3/1"]


def test_newest_first(index: tantivy.Index) -> None:
    assert keys(index, "resume OR nginx", order="newest") == ["t2/2", "t2/1", "t1/2", "t1/1"]


def test_paging_and_a_page_past_the_end(index: tantivy.Index) -> None:
    first = search(index, SearchRequest("resume OR nginx", order="newest", per_page=3))
    assert first.total == 4 and first.page_count == 2 and len(first.hits) == 3
    second = search(index, SearchRequest("resume OR nginx", order="newest", per_page=3, page=2))
    assert [hit.number for hit in second.hits] == [1]
    assert search(index, SearchRequest("nginx", page=7)).hits == ()
    assert search(index, SearchRequest("nginx", page=10_000)).hits == ()


def test_snippets_mark_the_words_and_escape_the_text(index: tantivy.Index) -> None:
    [hit] = search(index, SearchRequest("wheels")).hits
    assert "<mark>Wheels</mark>" in hit.snippet
    assert "<script>" not in hit.snippet and "&lt;script&gt;" in hit.snippet
    assert hit.topic_title == "Python packaging" and hit.author == "Bob"
    assert hit.created_at == dt.datetime(2026, 1, 1, 10, tzinfo=dt.UTC)


def test_a_title_match_shows_the_opening_words(index: tantivy.Index) -> None:
    [hit] = search(index, SearchRequest("packaging", filters=Filters(titles_only=True))).hits
    assert hit.snippet.startswith("Wheels for aarch64")


@pytest.mark.parametrize(
    "q",
    [
        "title:nginx",
        "nginx^10",
        "nginx~2",
        "[a TO z]",
        "{* TO *}",
        "body:*",
        "nosuchfield:value",
        "nginx AND",
        "OR nginx OR",
        "(nginx",
        "+nginx",
    ],
)
def test_query_syntax_is_plain_text(index: tantivy.Index, q: str) -> None:
    started = time.perf_counter()
    search(index, SearchRequest(q))
    assert time.perf_counter() - started < 1


@pytest.mark.parametrize(
    ("q", "reason"),
    [
        ("x" * 1000, "characters"),
        ('"load balancer', "quote"),
        ("*", "look for"),
        ("n*", "two letters"),
        ("...  ?! ---", "look for"),
        ("\\", "look for"),
        ("", "look for"),
        ("-nginx", "look for"),
        (" ".join(["word"] * 13), "words"),
    ],
)
def test_bad_queries_say_what_is_wrong(index: tantivy.Index, q: str, reason: str) -> None:
    with pytest.raises(Invalid) as raised:
        search(index, SearchRequest(q))
    assert reason in raised.value.detail and raised.value.field == "q"


def test_field_syntax_is_a_phrase_of_its_words() -> None:
    [clause] = parse("title:nginx").clauses
    assert clause.alternatives[0].text == "title:nginx"


def test_stop_words_alone_search_as_words(index: tantivy.Index) -> None:
    assert keys(index, "the") != []
    assert keys(index, "the on with") == ["t4/1"]


def test_days_beyond_any_date_find_what_they_would(index: tantivy.Index) -> None:
    assert keys(index, "nginx", filters=Filters(since=dt.date(9999, 1, 1))) == []
    assert keys(index, "cat", filters=Filters(until=dt.date(9999, 12, 31))) == ["t4/1"]
    assert keys(index, "cat", filters=Filters(until=dt.date(1, 1, 1))) == []
    assert keys(index, "cat", filters=Filters(since=dt.date(1, 1, 1))) == ["t4/1"]
