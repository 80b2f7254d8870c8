"""The indexer's working copy of the index: brought up to date from S3, changed, published.

The copy lives in the function's ``/tmp`` between invocations: while the manifest in S3 is the
one this copy published last (a conditional GET answers 304), a batch costs no download. When
it is not (a rebuild was published, or this is a cold start), the copy is made again from S3.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import tantivy

from ..changes import Change
from . import index as ix
from . import store
from .indexing import Applied, Indexing

# Tantivy's writer splits its heap over its threads, at least 15 MB each in Tantivy 0.22+; one
# thread: a batch is small, and Lambda's memory is what the bill counts.
WRITER_HEAP_BYTES = 32_000_000
WORKING_DIRECTORY = "writer"


class WorkingCopy:
    def __init__(self, s3: Any, bucket: str, root: Path) -> None:
        self.s3, self.bucket, self.root = s3, bucket, root
        self.published: tuple[store.Manifest, str] | None = None
        self.index: tantivy.Index | None = None

    @property
    def directory(self) -> Path:
        return self.root / WORKING_DIRECTORY

    def sync(self) -> tantivy.Index:
        """The index as published last, in ``directory``."""
        etag = self.published[1] if self.published and self.index is not None else None
        try:
            found = store.read_manifest(self.s3, self.bucket, etag)
        except store.NotModified:
            assert self.index is not None
            # Its searcher sees the last commit only once reloaded (Tantivy reloads lazily).
            self.index.reload()
            return self.index
        self.index = None
        if found is None:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory.mkdir(parents=True)
            self.published = None
        else:
            store.materialize(self.s3, self.bucket, found[0], self.root, WORKING_DIRECTORY)
            self.published = found
        self.index = ix.open_index(str(self.directory))
        return self.index

    def apply(self, changes: Iterable[Change]) -> Applied:
        """Index the changes and publish the result (nothing is published when nothing
        changed); LostRace when another writer published meanwhile."""
        index = self.sync()
        writer = index.writer(WRITER_HEAP_BYTES, 1)
        try:
            applied = Indexing(writer, index.searcher()).apply(changes)
            if not applied.indexed and not applied.deleted:
                writer.rollback()
                return applied
            writer.commit()
        finally:
            writer.wait_merging_threads()
        try:
            self.published = store.publish(self.s3, self.bucket, self.directory, self.published)
        except store.LostRace:
            self.index, self.published = None, None
            raise
        store.prune_cache(self.root, self.published[0])
        return applied
