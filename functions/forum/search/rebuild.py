"""Rebuilding the index from the table: ``make reindex`` locally, the same command in AWS.

    PYTHONPATH=functions .venv/bin/python -m forum.search.rebuild \\
        --table <TableName> --bucket <SearchIndexBucketName> --pause-indexer <IndexerFunctionName>

(the three names are the Forum stack's outputs). It scans the table's topics, then its posts,
indexes every visible post into a new index in a working directory, commits every
``COMMIT_EVERY`` posts and records how far the scan got: stopped (Ctrl-C, a lost connection),
the same command resumes from the last commit. Only once the new index is complete is it
published (under the writer's lease, as the next generation of the manifest), so the running
index serves until then, and the files of the old one are retired as the indexer's are.

``--pause-indexer`` disables the indexer's event source mappings while the rebuild runs and
enables them again after: changes made meanwhile wait in its queue and are applied to the new
index, so none is lost between the scan and the publish (the running index stays as it was for
the rebuild's few minutes). Without it, a change to a post the scan had passed already reaches
only the old index.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from .. import models, storage
from ..models import Post, Topic
from ..settings import get_settings
from . import LEASE_SECONDS, store
from . import index as ix
from .indexing import document_of, is_visible
from .lease import Held, Lease

COMMIT_EVERY = 5_000
WRITER_HEAP_BYTES = 256_000_000
CHECKPOINT = "checkpoint.json"
INDEX_DIRECTORY = "index"


class Progress:
    """A progress bar on a terminal (a line per step elsewhere): done of total, and the rate."""

    def __init__(self, total: int, out: TextIO = sys.stderr, width: int = 30) -> None:
        self.total, self.out, self.width = max(total, 1), out, width
        self.started = time.monotonic()
        self.last = 0.0

    def show(self, done: int, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last < 0.2:
            return
        self.last = now
        share = min(done / self.total, 1.0)
        filled = int(share * self.width)
        rate = done / max(now - self.started, 1e-6)
        bar = "#" * filled + "-" * (self.width - filled)
        line = f"[{bar}] {share:6.1%} {done:,} of ~{self.total:,} posts, {rate:,.0f}/s"
        if self.out.isatty():
            self.out.write(f"\r{line}")
        elif force:
            self.out.write(f"{line}\n")
        self.out.flush()

    def end(self, done: int) -> None:
        self.show(done, force=True)
        if self.out.isatty():
            self.out.write("\n")


@dataclass
class Rebuilt:
    posts: int
    generation: int
    resumed: bool


def _load_checkpoint(work: Path, table: str) -> dict[str, Any] | None:
    path = work / CHECKPOINT
    if not path.is_file():
        return None
    state = json.loads(path.read_text())
    return state if state.get("table") == table else None


def _save_checkpoint(work: Path, state: dict[str, Any]) -> None:
    partial = work / f".{CHECKPOINT}.part"
    partial.write_text(json.dumps(state))
    partial.replace(work / CHECKPOINT)


def visible_topics() -> dict[str, Topic]:
    return {
        topic.topic_id: topic
        for topic in Topic.scan()
        if not topic.removed and not topic.removing_posts
    }


def rebuild(
    work: Path,
    *,
    s3: Any,
    bucket: str,
    progress_out: TextIO | None = sys.stderr,
    commit_every: int = COMMIT_EVERY,
    lease_wait: float = LEASE_SECONDS + 5,
) -> Rebuilt:
    """Build the index from the table in ``work`` (resuming what a stopped run left there),
    then publish it, waiting up to ``lease_wait`` seconds for the writer's lease (Held after
    that; the same command then publishes without scanning again)."""
    table = get_settings().table_name
    work.mkdir(parents=True, exist_ok=True)
    state = _load_checkpoint(work, table)
    resumed = state is not None
    if state is None:
        shutil.rmtree(work / INDEX_DIRECTORY, ignore_errors=True)
        state = {"table": table, "key": None, "posts": 0}
        _save_checkpoint(work, state)
    (work / INDEX_DIRECTORY).mkdir(exist_ok=True)
    # A run that finished its scan but could not publish (the lease was held) only publishes.
    if not state.get("complete"):
        _scan(work, state, progress_out, commit_every)

    lease = Lease(LEASE_SECONDS)
    _take(lease, lease_wait)
    try:
        current = store.read_manifest(s3, bucket)
        manifest, _etag = store.publish(s3, bucket, work / INDEX_DIRECTORY, current)
    finally:
        lease.release()
    shutil.rmtree(work, ignore_errors=True)
    return Rebuilt(posts=state["posts"], generation=manifest.generation, resumed=resumed)


def _take(lease: Lease, wait: float, pause: float = 1.0) -> None:
    """Take the writer's lease, waiting while the indexer holds it: it gives it up after each
    batch, and a lease nobody gives up runs out after LEASE_SECONDS."""
    deadline = time.monotonic() + wait
    while True:
        try:
            lease.take()
            return
        except Held:
            if time.monotonic() > deadline:
                raise
            time.sleep(pause)


def _scan(work: Path, state: dict[str, Any], out: TextIO | None, commit_every: int) -> None:
    """Index every visible post from where ``state`` says the scan got, committing and
    recording the position every ``commit_every`` posts."""
    topics = visible_topics()
    progress = Progress(sum(int(t.last_number) for t in topics.values()), out) if out else None
    index = ix.open_index(str(work / INDEX_DIRECTORY))
    writer = index.writer(WRITER_HEAP_BYTES)
    posts = Post.scan(last_evaluated_key=state["key"], page_size=1000)
    pending = 0
    for post in posts:
        topic = topics.get(post.topic_id)
        if topic is not None and is_visible(post, topic):
            writer.add_document(ix.to_document(document_of(post, topic)))
            state["posts"] += 1
            pending += 1
        if pending >= commit_every:
            writer.commit()
            state["key"] = posts.last_evaluated_key
            _save_checkpoint(work, state)
            pending = 0
        if progress:
            progress.show(state["posts"])
    writer.commit()
    writer.wait_merging_threads()
    state["key"], state["complete"] = None, True
    _save_checkpoint(work, state)
    if progress:
        progress.end(state["posts"])


@contextmanager
def paused(function_name: str | None) -> Iterator[None]:
    """The indexer's queue mappings disabled meanwhile (changes wait in the queue)."""
    if not function_name:
        yield
        return
    import boto3

    client = boto3.client("lambda")
    mappings = client.list_event_source_mappings(FunctionName=function_name)["EventSourceMappings"]
    enabled = [m["UUID"] for m in mappings if m.get("State") in ("Enabled", "Enabling")]
    for uuid in enabled:
        client.update_event_source_mapping(UUID=uuid, Enabled=False)
    print(f"paused {len(enabled)} event source mapping(s) of {function_name}", file=sys.stderr)
    try:
        yield
    finally:
        for uuid in enabled:
            client.update_event_source_mapping(UUID=uuid, Enabled=True)
        print(f"resumed {len(enabled)} event source mapping(s)", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m forum.search.rebuild", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--table", required=True, help="the forum table (stack output TableName)")
    parser.add_argument("--bucket", required=True, help="the index bucket (SearchIndexBucketName)")
    parser.add_argument("--pause-indexer", help="the indexer function (IndexerFunctionName)")
    parser.add_argument("--work-dir", type=Path, default=Path(".reindex"), help="kept to resume")
    args = parser.parse_args(argv)
    import os

    from ..settings import SEARCH_BUCKET_ENV, TABLE_ENV

    os.environ[TABLE_ENV], os.environ[SEARCH_BUCKET_ENV] = args.table, args.bucket
    get_settings.cache_clear()
    models.configure(get_settings())
    with paused(args.pause_indexer):
        done = rebuild(args.work_dir, s3=storage.s3(), bucket=args.bucket)
    how = "resumed and finished" if done.resumed else "built"
    print(f"index {how}: {done.posts:,} posts, published as generation {done.generation}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
