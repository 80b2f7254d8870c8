"""Search tests: a private bucket for the index in moto, and the indexer fed as its queue
feeds it (messages of forum.changes' shape)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from forum import changes, schema
from forum.settings import SEARCH_BUCKET_ENV, SEARCH_DIRECTORY_ENV, get_settings

from ..conftest import LambdaContextStub, aws_client

BUCKET = "forum-search-test"
_sequence = itertools.count(1)


@pytest.fixture
def search_bucket(table: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    aws_client("s3").create_bucket(Bucket=BUCKET)
    monkeypatch.setenv(SEARCH_BUCKET_ENV, BUCKET)
    monkeypatch.setenv(SEARCH_DIRECTORY_ENV, str(tmp_path / "indexer"))
    get_settings.cache_clear()
    yield BUCKET
    get_settings.cache_clear()


def change_message(pk: str, sk: str, event: str = changes.MODIFY) -> dict[str, Any]:
    change = changes.Change(event, pk, sk, str(next(_sequence)), 1_700_000_000)
    return {"messageId": change.sequence, "body": change.encode(), "attributes": {}}


def post_change(topic_id: str, number: int, event: str = changes.MODIFY) -> dict[str, Any]:
    return change_message(schema.topic_pk(topic_id), schema.post_sk(number), event)


def topic_change(topic_id: str, event: str = changes.MODIFY) -> dict[str, Any]:
    return change_message(schema.topic_pk(topic_id), schema.TOPIC_SK, event)


def index_changes(*messages: dict[str, Any]) -> dict[str, Any]:
    """Hand the indexer one SQS batch of these messages, as Lambda does."""
    from indexer.handler import lambda_handler

    return dict(lambda_handler({"Records": list(messages)}, LambdaContextStub()))
