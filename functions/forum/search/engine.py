"""A parsed query and its filters as a Tantivy query; results with escaped snippets.

Queries are built from Tantivy's query objects (term, phrase, term set, range, boolean), each
word analyzed as the index analyzed the text, so nothing a member types is ever Tantivy query
syntax. A prefix is expanded over the term dictionary to its ``PREFIX_TERMS`` most frequent
words, so ``a*``-like queries stay bounded whatever the size of the index. Relevance is BM25
with the title boosted and a mild weight for recent posts (``index.freshness``); newest first
sorts by date. A snippet is cut from the stored plain text, every piece escaped, and only
the matched words wrapped in ``<mark>``: it can carry no markup a post did not have, or any.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

import tantivy
from markupsafe import Markup, escape

from . import index as ix
from .query import Clause, ParsedQuery, Term, parse

TITLE_BOOST = 3.0
PREFIX_TERMS = 64
SNIPPET_CHARS = 220
PER_PAGE = 20
MAX_PAGE = 50

Order = Literal["relevance", "newest"]


@dataclass(frozen=True)
class Filters:
    board: str | None = None
    author: str | None = None
    topic: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    titles_only: bool = False


@dataclass(frozen=True)
class SearchRequest:
    q: str
    filters: Filters = field(default_factory=Filters)
    order: Order = "relevance"
    page: int = 1
    per_page: int = PER_PAGE


@dataclass(frozen=True)
class Hit:
    topic_id: str
    number: int
    board_id: str
    topic_title: str
    author: str
    created_at: dt.datetime
    snippet: Markup


@dataclass(frozen=True)
class Results:
    hits: tuple[Hit, ...]
    total: int
    page: int
    per_page: int

    @property
    def page_count(self) -> int:
        return min(MAX_PAGE, -(-self.total // self.per_page))


def _text_query(searcher: tantivy.Searcher, term: Term, field_name: str) -> tantivy.Query | None:
    schema = ix.schema()
    if term.prefix:
        words = ix.prefix_analyzer().analyze(term.text)
        if not words:
            return None
        *leading, last = words
        known = [
            word
            for word, _count in searcher.terms_with_prefix(field_name, last, limit=PREFIX_TERMS)
        ]
        expanded = (
            tantivy.Query.term_set_query(schema, field_name, known)
            if known
            else tantivy.Query.empty_query()
        )
        if not leading:
            return expanded
        parts = [
            (tantivy.Occur.Must, query)
            for word in leading
            if (query := _text_query(searcher, Term(word), field_name)) is not None
        ]
        return tantivy.Query.boolean_query([*parts, (tantivy.Occur.Must, expanded)])
    tokens = ix.word_analyzer().analyze(term.text)
    if not tokens:
        return None
    if len(tokens) == 1:
        return tantivy.Query.term_query(schema, field_name, tokens[0])
    phrase: list[str | tuple[int, str]] = list(tokens)
    return tantivy.Query.phrase_query(schema, field_name, phrase)


def _term_query(searcher: tantivy.Searcher, term: Term, titles_only: bool) -> tantivy.Query | None:
    title = _text_query(searcher, term, ix.TITLE)
    if titles_only:
        return title
    body = _text_query(searcher, term, ix.BODY)
    if title is None or body is None:
        return body
    return tantivy.Query.boolean_query(
        [
            (tantivy.Occur.Should, body),
            (tantivy.Occur.Should, tantivy.Query.boost_query(title, TITLE_BOOST)),
        ]
    )


def _clause_query(
    searcher: tantivy.Searcher, clause: Clause, titles_only: bool
) -> tantivy.Query | None:
    queries = [
        query
        for term in clause.alternatives
        if (query := _term_query(searcher, term, titles_only)) is not None
    ]
    if not queries:
        return None
    if len(queries) == 1:
        return queries[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, query) for query in queries])


# Tantivy's dates span 1677-2262; a filter's day is held within the forum's own years, so a day
# outside them finds what it would have found (nothing before, everything after).
_FIRST_DAY, _LAST_DAY = dt.date(1970, 1, 1), dt.date(2200, 1, 1)


def _day_start(day: dt.date) -> dt.datetime:
    day = min(max(day, _FIRST_DAY), _LAST_DAY)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _filter_queries(filters: Filters) -> list[tantivy.Query]:
    schema = ix.schema()
    queries = []
    for name, value in ((ix.BOARD, filters.board), (ix.TOPIC, filters.topic)):
        if value is not None:
            queries.append(tantivy.Query.term_query(schema, name, value))
    if filters.author is not None:
        queries.append(tantivy.Query.term_query(schema, ix.AUTHOR, filters.author.lower()))
    if filters.since is not None or filters.until is not None:
        queries.append(
            tantivy.Query.range_query(
                schema,
                ix.CREATED,
                tantivy.FieldType.Date,
                _day_start(filters.since) if filters.since else None,
                _day_start(min(filters.until, _LAST_DAY) + dt.timedelta(days=1))
                if filters.until
                else None,
                include_upper=filters.until is None,
            )
        )
    return queries


def build_query(
    searcher: tantivy.Searcher, parsed: ParsedQuery, filters: Filters
) -> tantivy.Query | None:
    """The Tantivy query of a parsed query; None when nothing in it can match any post."""
    must = []
    for clause in parsed.required:
        query = _clause_query(searcher, clause, filters.titles_only)
        if query is None:
            return None
        must.append((tantivy.Occur.Must, query))
    must += [(tantivy.Occur.Must, query) for query in _filter_queries(filters)]
    must_not = [
        (tantivy.Occur.MustNot, query)
        for clause in parsed.excluded
        if (query := _clause_query(searcher, clause, False)) is not None
    ]
    return tantivy.Query.boolean_query(must + must_not)


def highlight(fragment: str, ranges: list[tuple[int, int]]) -> Markup:
    """A fragment with the matched ranges (byte offsets, as Tantivy gives them) marked."""
    data = fragment.encode()
    pieces: list[str] = []
    position = 0
    for start, end in sorted(ranges):
        if start < position:
            continue
        pieces.append(str(escape(data[position:start].decode(errors="ignore"))))
        pieces.append(f"<mark>{escape(data[start:end].decode(errors='ignore'))}</mark>")
        position = end
    pieces.append(str(escape(data[position:].decode(errors="ignore"))))
    return Markup("".join(pieces))


def _opening(text: str) -> Markup:
    if len(text) <= SNIPPET_CHARS:
        return escape(text)
    cut = text.rfind(" ", 0, SNIPPET_CHARS)
    return escape(text[: cut if cut > 0 else SNIPPET_CHARS] + "…")


def _first(document: tantivy.Document, name: str) -> object:
    values = document.get_all(name)
    return values[0] if values else None


def _text(document: tantivy.Document, name: str) -> str:
    value = _first(document, name)
    if isinstance(value, bytes):
        return value.decode()
    return "" if value is None else str(value)


def _hit(document: tantivy.Document, snippets: tantivy.SnippetGenerator) -> Hit:
    snippet = snippets.snippet_from_doc(document)
    ranges = [(part.start, part.end) for part in snippet.highlighted()]
    text = _text(document, ix.BODY)
    number, created = _first(document, ix.NUMBER), _first(document, ix.CREATED)
    if not ranges:
        marked = _opening(text)
    elif len(text) <= SNIPPET_CHARS:
        # A short post is shown whole (Tantivy's fragment stops at the last word).
        start = snippet.fragment_range().start
        marked = highlight(text, [(begin + start, end + start) for begin, end in ranges])
    else:
        marked = highlight(snippet.fragment(), ranges)
    return Hit(
        topic_id=_text(document, ix.TOPIC),
        number=number if isinstance(number, int) else 0,
        board_id=_text(document, ix.BOARD),
        topic_title=_text(document, ix.TOPIC_TITLE),
        author=_text(document, ix.AUTHOR_NAME),
        created_at=created if isinstance(created, dt.datetime) else dt.datetime.min,
        snippet=marked,
    )


def search(index: tantivy.Index, request: SearchRequest) -> Results:
    """One page of results; Invalid (422) for a query that breaks the language's rules."""
    parsed = parse(request.q)
    searcher = index.searcher()
    query = build_query(searcher, parsed, request.filters)
    if query is None or request.page > MAX_PAGE:
        return Results((), 0, request.page, request.per_page)
    offset = (request.page - 1) * request.per_page
    if request.order == "newest":
        found = searcher.search(
            query,
            request.per_page,
            offset=offset,
            order_by_field=ix.CREATED_ORDER,
            order=tantivy.Order.Desc,
        )
    else:
        found = searcher.search(
            query, request.per_page, offset=offset, weight_by_field=ix.FRESHNESS
        )
    snippets = tantivy.SnippetGenerator.create(searcher, query, ix.schema(), ix.BODY)
    snippets.set_max_num_chars(SNIPPET_CHARS)
    hits = tuple(_hit(searcher.doc(address), snippets) for _key, address in found.hits)
    # The stubs leave out count, which search(count=True) fills in.
    total = getattr(found, "count", None) or 0
    return Results(hits, total, request.page, request.per_page)
