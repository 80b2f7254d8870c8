"""Full-text search of posts: Tantivy used as a library, its index kept in S3.

- ``text``: the words of a post, from its sanitized HTML (what a reader sees, nothing else);
- ``query``: the forum's query language (words, "phrases", -excluded, prefix*, OR), parsed by
  our own small parser; user text never reaches Tantivy's query parser;
- ``index``: the index's schema and analyzer (English stemming, accents folded) and the document
  of a post;
- ``engine``: a parsed query and its filters as a Tantivy query, results with escaped snippets;
- ``store``: the index in S3, one manifest naming each commit's immutable files, and a
  function's replica of it in ``/tmp``; ``service``: the search function's one replica;
- ``indexing``: table changes to document updates; ``writer``: the indexer's working copy,
  published after each batch; ``lease``: what makes that writer the only one;
- ``rebuild``: the whole index again from the table (``make reindex``).

Only ``text`` and ``query`` are free of Tantivy, so that the api function never imports it.
"""

from __future__ import annotations

# The indexer's limits, shared by its handler and its construct: the function may run for
# INDEXER_TIMEOUT_SECONDS, and its lease outlasts that, so a live writer never loses it.
INDEXER_TIMEOUT_SECONDS = 60
LEASE_SECONDS = 3 * INDEXER_TIMEOUT_SECONDS

# Where the index lies in its bucket (forum.search.store).
MANIFEST_KEY = "index/manifest.json"
FILES_PREFIX = "index/files/"
