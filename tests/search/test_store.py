"""The index in S3: immutable files, a manifest read conditionally, only missing files fetched,
old files deleted only once no reader can need them, and no writer over a newer index."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from forum import storage
from forum.search import index as ix
from forum.search import store
from forum.search.engine import SearchRequest, search

from ..conftest import aws_client

BUCKET = "forum-search-store-test"


@pytest.fixture
def bucket(aws: None) -> str:
    aws_client("s3").create_bucket(Bucket=BUCKET)
    return BUCKET


def commit(directory: Path, *words: str, delete: str | None = None) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    index = ix.open_index(str(directory))
    writer = index.writer(15_000_000, 1)
    if delete:
        writer.delete_documents_by_term(ix.KEY, delete)
    for number, word in enumerate(words, start=1):
        post = ix.PostDocument(word, number, "b", "alice", word, word, "2025-01-01T00:00:00Z")
        writer.add_document(ix.to_document(post))
    writer.commit()
    writer.wait_merging_threads()


def requests_to(s3: Any) -> list[str]:
    made: list[str] = []
    s3.meta.events.register("before-call.s3", lambda model, **_: made.append(model.name))
    return made


def test_a_reader_fetches_only_what_it_lacks(bucket: str, tmp_path: Path) -> None:
    s3 = storage.s3()
    writer_dir = tmp_path / "writer"
    commit(writer_dir, "apple")
    first = store.publish(s3, bucket, writer_dir, None)
    replica = store.Replica(s3, bucket, tmp_path / "reader")
    assert [h.topic_id for h in search(replica.current(), SearchRequest("apple")).hits] == ["apple"]
    fetched_once = replica.fetched_bytes
    assert fetched_once == sum(first[0].files.values())

    # Warm and unchanged: one conditional GET (304), nothing fetched.
    made = requests_to(s3)
    replica.current()
    assert made == ["GetObject"] and replica.fetched_bytes == fetched_once

    commit(writer_dir, "banana")
    second = store.publish(s3, bucket, writer_dir, first)
    index = replica.current()
    new_files = set(second[0].files) - set(first[0].files)
    assert replica.fetched_bytes - fetched_once == sum(second[0].files[n] for n in new_files)
    assert {h.topic_id for h in search(index, SearchRequest("apple OR banana")).hits} == {
        "apple",
        "banana",
    }


def test_no_manifest_is_an_empty_index(bucket: str, tmp_path: Path) -> None:
    replica = store.Replica(storage.s3(), bucket, tmp_path)
    assert search(replica.current(), SearchRequest("apple")).hits == ()


def test_a_writer_behind_the_manifest_publishes_nothing(bucket: str, tmp_path: Path) -> None:
    s3 = storage.s3()
    commit(tmp_path / "one", "apple")
    first = store.publish(s3, bucket, tmp_path / "one", None)
    commit(tmp_path / "one", "banana")
    store.publish(s3, bucket, tmp_path / "one", first)
    commit(tmp_path / "two", "cherry")
    with pytest.raises(store.LostRace):
        store.publish(s3, bucket, tmp_path / "two", first)
    with pytest.raises(store.LostRace):
        store.publish(s3, bucket, tmp_path / "two", None)


def test_files_no_manifest_names_are_deleted_an_hour_later(bucket: str, tmp_path: Path) -> None:
    s3 = storage.s3()
    directory = tmp_path / "writer"
    commit(directory, "apple")
    first = store.publish(s3, bucket, directory, None, now=1_000)
    commit(directory, delete="apple/1")
    second = store.publish(s3, bucket, directory, first, now=2_000)
    gone = set(first[0].files) - set(second[0].files)
    assert gone and set(second[0].retired) == gone

    def stored() -> set[str]:
        listing = s3.list_objects_v2(Bucket=bucket, Prefix=store.FILES_PREFIX)
        return {
            item["Key"].removeprefix(store.FILES_PREFIX) for item in listing.get("Contents", [])
        }

    assert gone <= stored()
    commit(directory, "banana")
    third = store.publish(s3, bucket, directory, second, now=2_000 + store.RETIRE_SECONDS - 1)
    assert gone <= stored()
    commit(directory, "cherry")
    store.publish(s3, bucket, directory, third, now=2_000 + store.RETIRE_SECONDS)
    assert not gone & stored()
