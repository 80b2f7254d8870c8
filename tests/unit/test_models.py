"""Which table the models reach: the one the settings given to models.configure() name."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from forum import models
from forum.models import Board, ForumItem, Post, Viewer
from forum.settings import get_settings


@pytest.fixture
def restored() -> Iterator[None]:
    yield
    models.configure(get_settings())


def test_every_model_reaches_the_table_region_and_endpoint_configured(restored: None) -> None:
    elsewhere = replace(
        get_settings(),
        table_name="forum-elsewhere",
        region="eu-west-1",
        dynamodb_endpoint="http://127.0.0.1:9",
    )
    models.configure(elsewhere)
    shared = ForumItem._get_connection()
    for model in (Board, Post, Viewer):
        # one connection, one botocore client, for the whole table
        assert model._get_connection() is shared
    assert shared.table_name == "forum-elsewhere"
    assert shared.connection.region == "eu-west-1"
    assert shared.connection.host == "http://127.0.0.1:9"


def test_configuring_again_with_other_settings_drops_the_old_connection(restored: None) -> None:
    settings = get_settings()
    models.configure(settings)
    before = Board._get_connection()
    models.configure(settings)
    assert Board._get_connection() is before
    models.configure(replace(settings, table_name="forum-other"))
    after = Board._get_connection()
    assert after is not before
    assert after.table_name == "forum-other"


def test_an_item_class_used_first_shares_the_base_connection(restored: None) -> None:
    # Given the models configured anew, when an item class reaches the table before the base
    models.configure(replace(get_settings(), table_name="forum-first-use"))
    first = Post._get_connection()
    # Then it uses the base's connection (one botocore client for the table), as all others do
    assert first is ForumItem._get_connection() is Board._get_connection()
