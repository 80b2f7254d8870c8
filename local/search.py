"""Search in the local runtime: the index in moto's S3, rebuilt from the table at every start.

The functions' own code does the work: ``forum.search.rebuild`` builds the index from the
table (the demo content on a first start, whatever the forum holds on a later one) and
publishes it as the indexer does, and the search function reads it from the same bucket
through its replica. Changes made while the forum runs reach the indexer from the table's
stream through the change feed's queue, when the stack has one; a restart catches up anyway.

``make reindex`` (``python -m local.reindex``) runs the same rebuild against a running
``make dev``, with a progress bar, resumable.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from pathlib import Path

log = logging.getLogger("forum.local")
OUTPUTS_FILE = "outputs.json"


def prepare(state_dir: Path) -> None:
    """The functions keep their copies of the index under the state directory, not /tmp."""
    from forum.settings import SEARCH_DIRECTORY_ENV

    os.environ[SEARCH_DIRECTORY_ENV] = str(state_dir / "search")


def write_outputs(state_dir: Path, outputs: dict[str, str]) -> None:
    """The stack's outputs, for the tools that talk to the running runtime (make reindex)."""
    path = state_dir / "aws" / OUTPUTS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(outputs, indent=2))


def index_at_start(state_dir: Path) -> None:
    from forum import storage
    from forum.search.lease import Held
    from forum.search.rebuild import rebuild
    from forum.settings import get_settings

    bucket = get_settings().search_bucket
    if not bucket:
        log.info("no search index in this stack")
        return
    # From scratch at every start: what a stopped run left is older than the table.
    shutil.rmtree(state_dir / "reindex", ignore_errors=True)
    try:
        done = rebuild(state_dir / "reindex", s3=storage.s3(), bucket=bucket, progress_out=None)
    except Held:
        # A run stopped while it held the writer's lease (minutes ago): the index stays as
        # it was, and `make reindex` rebuilds it once the lease has run out.
        log.warning("search index not rebuilt: its writer's lease is still held")
        return
    log.info("search index built: %d posts (generation %d)", done.posts, done.generation)
