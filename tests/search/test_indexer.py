"""The indexer, fed post and topic changes as its queue delivers them, against moto's table and
S3; searched through a search function's replica of the index in S3."""

from __future__ import annotations

from pathlib import Path

import pytest

from forum import storage
from forum.search import store
from forum.search.engine import Filters, SearchRequest, search
from forum.search.lease import Held, Lease
from forum.search.store import Replica

from ..conftest import MODERATOR, OTHER, Caller
from ..factory import new_board, new_replies, new_topic
from .conftest import index_changes, post_change, topic_change


def found(replica: Replica, q: str, **filters: object) -> list[tuple[str, int]]:
    results = search(replica.current(), SearchRequest(q, filters=Filters(**filters)))  # type: ignore[arg-type]
    return sorted((hit.topic_id, hit.number) for hit in results.hits)


@pytest.fixture
def replica(search_bucket: str, tmp_path: Path) -> Replica:
    return Replica(storage.s3(), search_bucket, tmp_path / "reader")


def test_new_topics_and_replies_become_searchable(call: Caller, replica: Replica) -> None:
    board = new_board(call, "Kitchen")
    topic = new_topic(call, board["id"], "Sourdough starter", "Feed it **flour** and water.")
    new_replies(call, topic["id"], ["Mine smells of acetone.", "Add rye flour"])
    assert found(replica, "flour") == []

    index_changes(
        topic_change(topic["id"], "INSERT"),
        *(post_change(topic["id"], n, "INSERT") for n in (1, 2, 3)),
    )

    assert found(replica, "flour") == [(topic["id"], 1), (topic["id"], 3)]
    assert found(replica, "sourdough") == [(topic["id"], 1)]
    assert found(replica, "acetone", board=board["id"]) == [(topic["id"], 2)]
    assert found(replica, "acetone", author="other") == [(topic["id"], 2)]
    # Markup is not text: the bold tag is gone, the word is there.
    [hit] = search(replica.current(), SearchRequest("feed")).hits
    assert hit.snippet == "<mark>Feed</mark> it flour and water."


def test_edits_and_removals_follow_the_post(call: Caller, replica: Replica) -> None:
    board = new_board(call, "Kitchen")
    topic = new_topic(call, board["id"], "Knives", "Carbon steel rusts.")
    new_replies(call, topic["id"], ["Stainless is easier."])
    index_changes(post_change(topic["id"], 1), post_change(topic["id"], 2))

    edited = call(
        "PATCH",
        f"/api/topics/{topic['id']}/posts/1",
        {"body": "Carbon steel patinas."},
        claims=MODERATOR,
    )
    assert edited.status == 200, edited.text
    removed = call("DELETE", f"/api/topics/{topic['id']}/posts/2", claims=OTHER)
    assert removed.status == 204, removed.text
    index_changes(post_change(topic["id"], 1), post_change(topic["id"], 2))

    assert found(replica, "rusts") == []
    assert found(replica, "patinas") == [(topic["id"], 1)]
    assert found(replica, "stainless") == []


def test_a_topic_retitled_moved_then_removed(call: Caller, replica: Replica) -> None:
    kitchen, garden = new_board(call, "Kitchen"), new_board(call, "Garden")
    topic = new_topic(call, kitchen["id"], "Tomatoes", "Blight again this year.")
    new_replies(call, topic["id"], ["Try copper spray."])
    index_changes(post_change(topic["id"], 1), post_change(topic["id"], 2))

    changed = call(
        "PATCH",
        f"/api/topics/{topic['id']}",
        {"title": "Potato blight", "board_id": garden["id"]},
        claims=MODERATOR,
    )
    assert changed.status == 200, changed.text
    index_changes(topic_change(topic["id"]))
    assert found(replica, "potato", titles_only=True) == [(topic["id"], 1)]
    assert found(replica, "tomatoes") == []
    assert found(replica, "copper", board=garden["id"]) == [(topic["id"], 2)]
    assert found(replica, "copper", board=kitchen["id"]) == []
    [hit] = search(replica.current(), SearchRequest("copper")).hits
    assert hit.topic_title == "Potato blight"

    removed = call("DELETE", f"/api/topics/{topic['id']}", claims=MODERATOR)
    assert removed.status in (202, 204), removed.text
    index_changes(topic_change(topic["id"]))
    assert found(replica, "blight OR copper") == []


def test_a_topic_change_that_the_index_does_not_hold_publishes_nothing(
    call: Caller, replica: Replica, search_bucket: str
) -> None:
    board = new_board(call, "Kitchen")
    topic = new_topic(call, board["id"], "Bread", "Crumb shots.")
    index_changes(post_change(topic["id"], 1))
    _, etag = store.read_manifest(storage.s3(), search_bucket)  # type: ignore[misc]

    call("PATCH", f"/api/topics/{topic['id']}", {"pinned": True}, claims=MODERATOR)
    assert index_changes(topic_change(topic["id"])) == {"indexed": 0, "deleted": 0}
    assert store.read_manifest(storage.s3(), search_bucket)[1] == etag  # type: ignore[index]


def test_a_message_that_is_no_change_is_dropped(search_bucket: str) -> None:
    assert index_changes({"messageId": "1", "body": "{not json"}) == {"indexed": 0, "deleted": 0}


def test_a_second_writer_cannot_take_the_lease(call: Caller, search_bucket: str) -> None:
    board = new_board(call, "Kitchen")
    topic = new_topic(call, board["id"], "Salt", "Flaky.")
    Lease(180, holder="someone-else").take()
    with pytest.raises(Held):
        index_changes(post_change(topic["id"], 1))
    assert store.read_manifest(storage.s3(), search_bucket) is None


def test_a_lease_whose_time_ran_out_is_taken_over(table: object) -> None:
    Lease(180, holder="frozen").take(now=1_000)
    with pytest.raises(Held):
        Lease(180, holder="next").take(now=1_000 + 179)
    Lease(180, holder="next").take(now=1_000 + 181)
    # The old holder's release gives nothing up that is no longer its own.
    Lease(180, holder="frozen").release()
    with pytest.raises(Held):
        Lease(180, holder="third").take(now=1_000 + 200)
