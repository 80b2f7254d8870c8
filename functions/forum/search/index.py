"""The index's schema, its analyzer, and the document of a post.

One document per visible post. The topic's title is searchable on its opening post only (so a
title matches the topic once, not once per reply) and stored on every post for the result.
Text is analyzed by ``forum_en``: Tantivy's simple tokenizer, words over 40 characters
dropped, lower case, accents folded (so "resume" finds "résumé"), English (Snowball) stemming.
Prefixes are looked up in the same term dictionary, folded but not stemmed (``PREFIX_ANALYZER``).

``board``, ``topic``, ``author`` (the username in lower case) and ``key`` (topic/number, the
identity of a document, for updates and deletes) are raw terms; ``created`` is a date for
ranges, ``created_order`` its microseconds for newest first; ``freshness`` weighs a score
mildly by age (see ``freshness``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import tantivy

ANALYZER = "forum_en"
MAX_WORD_CHARS = 40

KEY = "key"
TOPIC = "topic"
NUMBER = "number"
BOARD = "board"
AUTHOR = "author"
AUTHOR_NAME = "author_name"
TITLE = "title"
TOPIC_TITLE = "topic_title"
BODY = "body"
CREATED = "created"
# Microseconds since 1970, for newest first: Tantivy's dates keep seconds, and a reply often
# follows within the second.
CREATED_ORDER = "created_order"
FRESHNESS = "freshness"
# Searched by words: the title (boosted, opening posts only) and the text.
TEXT_FIELDS = (TITLE, BODY)

# A score is multiplied by log2(2 + freshness): 1.0 for a post of 2020, about 1.03 more per
# year since, so relevance decides and age only breaks near ties.
_FRESHNESS_EPOCH = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
_FRESHNESS_PER_YEAR = 0.04


def analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(MAX_WORD_CHARS))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


@lru_cache(maxsize=1)
def word_analyzer() -> tantivy.TextAnalyzer:
    """The words of a query, as the index holds them."""
    return analyzer()


@lru_cache(maxsize=1)
def prefix_analyzer() -> tantivy.TextAnalyzer:
    """The words of a prefix: folded like the index's, not stemmed (a stem is no prefix)."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(MAX_WORD_CHARS))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


@lru_cache(maxsize=1)
def schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field(KEY, tokenizer_name="raw", index_option="basic")
    builder.add_text_field(TOPIC, stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_unsigned_field(NUMBER, stored=True)
    builder.add_text_field(BOARD, stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field(AUTHOR, tokenizer_name="raw", index_option="basic")
    builder.add_bytes_field(AUTHOR_NAME, stored=True)
    builder.add_text_field(TITLE, tokenizer_name=ANALYZER)
    builder.add_bytes_field(TOPIC_TITLE, stored=True)
    builder.add_text_field(BODY, stored=True, tokenizer_name=ANALYZER)
    builder.add_date_field(CREATED, stored=True, indexed=True, fast=True)
    builder.add_integer_field(CREATED_ORDER, fast=True)
    builder.add_float_field(FRESHNESS, fast=True)
    return builder.build()


def open_index(path: str | None = None) -> tantivy.Index:
    """The index in ``path`` (made there if there is none; in memory without a path)."""
    index = tantivy.Index(schema(), path=path, reuse=True)
    index.register_tokenizer(ANALYZER, analyzer())
    return index


@dataclass(frozen=True)
class PostDocument:
    """What the index holds of one visible post."""

    topic_id: str
    number: int
    board_id: str
    author: str
    topic_title: str
    text: str
    created_at: str

    @property
    def key(self) -> str:
        return document_key(self.topic_id, self.number)


def document_key(topic_id: str, number: int) -> str:
    return f"{topic_id}/{number}"


def parse_time(value: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def freshness(moment: dt.datetime) -> float:
    years = (moment - _FRESHNESS_EPOCH).total_seconds() / (365.25 * 86400)
    return max(0.0, years * _FRESHNESS_PER_YEAR)


def to_document(post: PostDocument) -> tantivy.Document:
    created = parse_time(post.created_at)
    document = tantivy.Document()
    document.add_text(KEY, post.key)
    document.add_text(TOPIC, post.topic_id)
    document.add_unsigned(NUMBER, post.number)
    document.add_text(BOARD, post.board_id)
    document.add_text(AUTHOR, post.author.lower())
    document.add_bytes(AUTHOR_NAME, post.author.encode())
    if post.number == 1:
        document.add_text(TITLE, post.topic_title)
    document.add_bytes(TOPIC_TITLE, post.topic_title.encode())
    document.add_text(BODY, post.text)
    document.add_date(CREATED, created)
    document.add_integer(CREATED_ORDER, int(created.timestamp() * 1_000_000))
    document.add_float(FRESHNESS, freshness(created))
    return document
