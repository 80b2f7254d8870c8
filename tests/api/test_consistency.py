"""Reads that decide a write are consistent reads.

moto is always consistent, so a stale read cannot be made to happen here; what can be seen is
the request itself. Each test records the DynamoDB requests botocore sends while a write runs
and asserts that the reads it decides on ask for ``ConsistentRead``: a reply committed just
before a topic is removed must be swept with it, and the post before a removed last post must
be the one that really is.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from forum import schema

from ..conftest import MEMBER, MODERATOR, OTHER, Caller
from ..factory import new_replies
from .recording import Requests, recording


def table_queries_of(requests: Requests, pk: str) -> list[dict[str, Any]]:
    """The Query requests of the table itself (not an index) for one partition."""
    return [
        params
        for params in requests.of("Query")
        if "IndexName" not in params
        and pk in json.dumps(params.get("ExpressionAttributeValues", {}))
    ]


@pytest.fixture
def requests(table: Any) -> Iterator[Requests]:
    with recording() as recorder:
        yield recorder


def test_removing_a_topic_sweeps_its_posts_with_a_consistent_query(
    call: Caller, topic: dict[str, Any], requests: Requests
) -> None:
    # Given a topic with replies, the last one committed just now
    new_replies(call, topic["id"], ["one", "two", "three"])
    requests.clear()
    # when a moderator removes the topic
    assert call("DELETE", f"/api/topics/{topic['id']}/posts/1", claims=MODERATOR).status == 204
    # then the sweep reads the topic's posts consistently, and swept every one of them
    sweeps = table_queries_of(requests, schema.topic_pk(topic["id"]))
    assert sweeps, requests.sent
    assert all(query.get("ConsistentRead") is True for query in sweeps), sweeps
    assert call("GET", "/api/users/other").json["member"]["post_count"] == 0


def test_the_post_before_a_removed_last_post_is_read_consistently(
    call: Caller, topic: dict[str, Any], requests: Requests
) -> None:
    # Given a topic whose last reply is removed by its author
    new_replies(call, topic["id"], ["one", "two"])
    requests.clear()
    assert call("DELETE", f"/api/topics/{topic['id']}/posts/3", claims=OTHER).status == 204
    # then the topic's new last post was found by a consistent Query
    found = table_queries_of(requests, schema.topic_pk(topic["id"]))
    assert found and all(query.get("ConsistentRead") is True for query in found), found
    last = call("GET", "/api/boards").json["boards"][0]["last_post"]
    assert (last["topic_id"], last["number"]) == (topic["id"], 2)


def test_every_read_of_a_removal_is_consistent_but_the_boards_index(
    call: Caller, board: dict[str, Any], topic: dict[str, Any], requests: Requests
) -> None:
    # Given a board whose last post is in the topic a moderator removes
    new_replies(call, topic["id"], ["one"])
    requests.clear()
    assert call("DELETE", f"/api/topics/{topic['id']}/posts/1", claims=MODERATOR).status == 204
    # then every read of the table was consistent; only the board's index (which cannot be:
    # forum.lastpost.latest_in_board says what guards it) was not
    reads = [
        (name, params)
        for name, params in requests.sent
        if name in ("GetItem", "Query", "BatchGetItem") and "IndexName" not in params
    ]
    assert reads
    assert all(params.get("ConsistentRead") is True for _, params in reads), reads
    indexed = [params["IndexName"] for params in requests.of("Query") if "IndexName" in params]
    assert set(indexed) <= {schema.BOARD_TOPICS_INDEX}, indexed


def test_an_edit_reads_whether_the_topic_is_locked_consistently(
    call: Caller, topic: dict[str, Any], requests: Requests
) -> None:
    # A topic locked a moment ago refuses its members' edits: the lock is read consistently.
    edited = call("PATCH", f"/api/topics/{topic['id']}/posts/1", {"body": "changed"}, claims=MEMBER)
    assert edited.status == 200, edited.text
    gets = requests.of("GetItem")
    assert gets and all(params.get("ConsistentRead") is True for params in gets), gets
