"""Rebuilding the index from the table: only what readers see, resumable, published whole."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from forum import storage
from forum.search import rebuild as rebuilding
from forum.search import store
from forum.search.engine import SearchRequest, search

from ..conftest import MODERATOR, OTHER, Caller
from ..factory import new_board, new_replies, new_topic
from .conftest import index_changes, post_change


def total(replica: store.Replica, q: str) -> int:
    return search(replica.current(), SearchRequest(q)).total


@pytest.fixture
def forum(call: Caller, search_bucket: str) -> dict[str, Any]:
    board = new_board(call, "Garage")
    kept = new_topic(call, board["id"], "Bicycle chains", "Wax the chain.")
    new_replies(call, kept["id"], ["Wax lasts longer.", "Oil the chain instead.", "Chain wax!"])
    gone = new_topic(call, board["id"], "Spam topic", "Buy chain wax here.")
    assert call("DELETE", f"/api/topics/{gone['id']}", claims=MODERATOR).status in (202, 204)
    assert call("DELETE", f"/api/topics/{kept['id']}/posts/3", claims=OTHER).status == 204
    return {"kept": kept, "gone": gone}


def test_a_rebuild_indexes_what_readers_see(
    forum: dict[str, Any], search_bucket: str, tmp_path: Path
) -> None:
    done = rebuilding.rebuild(
        tmp_path / "work", s3=storage.s3(), bucket=search_bucket, progress_out=None
    )
    assert (done.posts, done.generation, done.resumed) == (3, 1, False)
    replica = store.Replica(storage.s3(), search_bucket, tmp_path / "reader")
    assert total(replica, "wax") == 3
    assert total(replica, "oil") == 0  # removed
    assert total(replica, "spam OR buy") == 0  # its topic was removed
    assert not (tmp_path / "work").exists()


def test_a_stopped_rebuild_resumes_from_its_last_commit(
    forum: dict[str, Any], search_bucket: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = []
    visible = rebuilding.is_visible

    def stops_at_the_third(post: Any, topic: Any) -> bool:
        seen.append(post)
        if len(seen) == 3:
            raise KeyboardInterrupt
        return visible(post, topic)

    monkeypatch.setattr(rebuilding, "is_visible", stops_at_the_third)
    with pytest.raises(KeyboardInterrupt):
        rebuilding.rebuild(
            tmp_path / "work", s3=storage.s3(), bucket=search_bucket, progress_out=None,
            commit_every=1,
        )  # fmt: skip
    assert store.read_manifest(storage.s3(), search_bucket) is None  # nothing published yet
    monkeypatch.setattr(rebuilding, "is_visible", visible)

    done = rebuilding.rebuild(
        tmp_path / "work", s3=storage.s3(), bucket=search_bucket, progress_out=None
    )
    assert done.resumed and done.posts == 3
    replica = store.Replica(storage.s3(), search_bucket, tmp_path / "reader")
    assert total(replica, "wax") == 3  # each once


def test_a_rebuild_replaces_the_running_index(
    forum: dict[str, Any], search_bucket: str, tmp_path: Path
) -> None:
    index_changes(post_change(forum["kept"]["id"], 1))
    before = store.read_manifest(storage.s3(), search_bucket)
    assert before is not None
    rebuilding.rebuild(tmp_path / "work", s3=storage.s3(), bucket=search_bucket, progress_out=None)
    after, _ = store.read_manifest(storage.s3(), search_bucket)  # type: ignore[misc]
    assert after.generation == before[0].generation + 1
    assert set(before[0].files) <= set(after.retired)
    # The indexer goes on from the new index.
    new_replies_call = index_changes(post_change(forum["kept"]["id"], 2))
    assert new_replies_call["indexed"] == 1
    replica = store.Replica(storage.s3(), search_bucket, tmp_path / "reader")
    assert total(replica, "wax") == 3


def test_a_rebuild_refused_the_lease_publishes_next_time_without_scanning_again(
    forum: dict[str, Any], search_bucket: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from forum.search.lease import Held, Lease

    Lease(180, holder="indexer").take()
    with pytest.raises(Held):
        rebuilding.rebuild(
            tmp_path / "work",
            s3=storage.s3(),
            bucket=search_bucket,
            progress_out=None,
            lease_wait=0,
        )
    Lease(180, holder="indexer").release()

    def no_scan(*_: Any, **__: Any) -> None:
        raise AssertionError("scanned again")

    monkeypatch.setattr(rebuilding, "_scan", no_scan)
    done = rebuilding.rebuild(
        tmp_path / "work", s3=storage.s3(), bucket=search_bucket, progress_out=None
    )
    assert done.resumed and done.posts == 3
    replica = store.Replica(storage.s3(), search_bucket, tmp_path / "reader")
    assert total(replica, "wax") == 3
