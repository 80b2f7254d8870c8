"""Searching from a function: this process's replica of the index, brought up to date per call.

The first search of a cold function fetches the index from S3 into ``/tmp``; every later one
reads the manifest conditionally (a 304 when nothing was published) and fetches only new
files. Without a search bucket (a test, a runtime that has none) the index is empty.
"""

from __future__ import annotations

from pathlib import Path

import tantivy

from .. import storage
from ..settings import get_settings
from . import index as ix
from .engine import Results, SearchRequest
from .engine import search as run
from .store import Replica

_replica: Replica | None = None
_empty: tantivy.Index | None = None


def replica() -> Replica | None:
    global _replica
    settings = get_settings()
    if not settings.search_bucket:
        return None
    if _replica is None or _replica.bucket != settings.search_bucket:
        root = Path(settings.search_directory) / "reader"
        _replica = Replica(storage.s3(), settings.search_bucket, root)
    return _replica


def current_index() -> tantivy.Index:
    global _empty
    found = replica()
    if found is not None:
        return found.current()
    if _empty is None:
        _empty = ix.open_index()
    return _empty


def search(request: SearchRequest) -> Results:
    return run(current_index(), request)
