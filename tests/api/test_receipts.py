"""A keyed create whose invocation died after its write: the retry writes nothing (receipts).

The invocation dies for real here: a hook on the table's client raises, from the moment the
idempotency record is to be completed, something no code catches (as a Lambda timeout stops
everything). Then the record is left as Powertools finds it once that invocation's time is up:
in progress, its in-progress expiry passed. The retry runs the work again, and only the
receipt written in the post's own transaction (forum.receipts) keeps it from writing twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from forum import clock
from forum.models import ForumItem

from ..conftest import MEMBER, MODERATOR, OTHER, Caller
from .test_idempotency import KEY, all_items, keyed, receipts_of, records, reply_to
from .test_post_attachments import make_ready, upload
from .test_post_counts import counts

PHOTO = {"filename": "cat.jpg", "content_type": "image/jpeg", "size": 1234}


class Died(BaseException):
    """The invocation stopped where it was (nothing catches a BaseException that is not an
    Exception, as nothing runs on in a Lambda that timed out)."""


class Death:
    """Kills the invocation when it comes to complete its idempotency record."""

    def __init__(self) -> None:
        self.armed = False
        self.events = ForumItem._get_connection().connection.client.meta.events

    def __call__(self, params: dict[str, Any], **kwargs: Any) -> None:
        if self.armed and params["Key"]["pk"]["S"].startswith("IDEMPOTENCY#"):
            self.armed = False
            raise Died()


@pytest.fixture
def death(table: Any) -> Iterator[Death]:
    dying = Death()
    dying.events.register("before-parameter-build.dynamodb.UpdateItem", dying)
    yield dying
    dying.events.unregister("before-parameter-build.dynamodb.UpdateItem", dying)


def dies(death: Death, send: Any, table: Any) -> None:
    """``send()`` makes its write and dies before its record is completed; then the invocation's
    time runs out, as Powertools will see it (its in-progress expiry is in the past)."""
    death.armed = True
    with pytest.raises(Died):
        send()
    (record,) = records(table)
    assert record["status"] == "INPROGRESS"
    table.update_item(
        Key={"pk": record["pk"], "sk": record["sk"]},
        UpdateExpression="SET in_progress_expiration = :past",
        ExpressionAttributeValues={":past": clock.epoch_seconds() * 1000 - 1000},
    )


def test_a_reply_whose_invocation_died_is_replayed_not_written_again(
    call: Caller, table: Any, topic: dict[str, Any], death: Death
) -> None:
    # Given a keyed reply that was written, and whose invocation died before its record was
    # completed (API Gateway answered 503; the page kept the key to retry)
    dies(death, lambda: reply_to(call, topic["id"], "Only once, please"), table)
    page = call("GET", f"/api/topics/{topic['id']}").json
    assert [post["number"] for post in page["posts"]] == [1, 2]
    # when the page sends it again with the same key
    again = reply_to(call, topic["id"], "Only once, please")
    # then it is answered as the reply that was made, and nothing more is written
    assert again.status == 201, again.text
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json["post"]["number"] == 2
    assert again.json["post"]["body"] == "Only once, please"
    page = call("GET", f"/api/topics/{topic['id']}").json
    assert [post["number"] for post in page["posts"]] == [1, 2]
    assert page["topic"]["reply_count"] == 1
    assert counts(table, "user-other") == (1, 0)
    # and the record is complete now: a further retry replays from it
    (record,) = records(table)
    assert record["status"] == "COMPLETED"
    third = reply_to(call, topic["id"], "Only once, please")
    assert third.status == 201 and third.headers["idempotent-replayed"] == "true"
    assert third.json == again.json
    assert len(receipts_of(table)) == 1


def test_a_topic_whose_invocation_died_is_one_topic(
    call: Caller, table: Any, board: dict[str, Any], death: Death
) -> None:
    body = {"title": "Once", "body": "Just the one topic"}
    url = f"/api/boards/{board['id']}/topics"
    dies(death, lambda: call("POST", url, body, claims=MEMBER, headers=keyed()), table)
    (made,) = call("GET", f"/api/boards/{board['id']}").json["topics"]
    again = call("POST", url, body, claims=MEMBER, headers=keyed())
    assert again.status == 201, again.text
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json["topic"]["id"] == made["id"]
    assert again.headers["location"] == f"/api/topics/{made['id']}"
    shown = call("GET", f"/api/boards/{board['id']}").json
    assert [topic["id"] for topic in shown["topics"]] == [made["id"]]
    assert shown["board"]["topic_count"] == 1
    assert shown["board"]["post_count"] == 1


def test_an_upload_whose_invocation_died_is_one_attachment(
    call: Caller, table: Any, death: Death
) -> None:
    dies(death, lambda: call("POST", "/api/uploads", PHOTO, claims=MEMBER, headers=keyed()), table)
    (made,) = [item for item in all_items(table) if item["pk"].startswith("ATTACHMENT#")]
    again = call("POST", "/api/uploads", PHOTO, claims=MEMBER, headers=keyed())
    assert again.status == 201, again.text
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json["attachment"]["id"] == made["attachment_id"]
    assert again.json["upload"]["fields"]["key"] == f"originals/{made['attachment_id']}"
    attachments = [item for item in all_items(table) if item["pk"].startswith("ATTACHMENT#")]
    assert len(attachments) == 1


def test_another_body_under_the_key_of_a_reply_that_died_is_422(
    call: Caller, table: Any, topic: dict[str, Any], death: Death
) -> None:
    # Given a keyed reply that was written and died before its record was completed
    dies(death, lambda: reply_to(call, topic["id"], "First text"), table)
    stored = [item for item in all_items(table) if not item["pk"].startswith("IDEMPOTENCY#")]
    # when another request comes under the same key
    other = reply_to(call, topic["id"], "Another text")
    # then it is refused as another request, and writes nothing
    assert other.status == 422, other.text
    assert other.headers["content-type"] == "application/problem+json"
    assert "Idempotency-Key" in other.json["detail"]
    assert [
        item for item in all_items(table) if not item["pk"].startswith("IDEMPOTENCY#")
    ] == stored
    # while the request itself, sent again, is still answered as made
    again = reply_to(call, topic["id"], "First text")
    assert again.status == 201, again.text
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json["post"]["number"] == 2


def test_a_retry_refused_before_its_write_is_answered_as_made(
    call: Caller, table: Any, topic: dict[str, Any], death: Death
) -> None:
    # Given a keyed reply that was written and died, and its topic locked since
    dies(death, lambda: reply_to(call, topic["id"], "Just in time", who=OTHER), table)
    locked = call("PATCH", f"/api/topics/{topic['id']}", {"locked": True}, claims=MODERATOR)
    assert locked.status == 200, locked.text
    # when it is sent again, it is not refused as a new reply would be (423): it was made
    again = reply_to(call, topic["id"], "Just in time", who=OTHER)
    assert again.status == 201, again.text
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json["post"]["number"] == 2
    # while a new reply (another key) is refused
    assert reply_to(call, topic["id"], "Too late", key=KEY + "-2").status == 423
    assert call("GET", f"/api/topics/{topic['id']}").json["topic"]["reply_count"] == 1


def test_a_key_used_without_a_death_leaves_one_receipt(
    call: Caller, table: Any, topic: dict[str, Any]
) -> None:
    # The ordinary retry replays from the record and never reaches the transaction again.
    assert reply_to(call, topic["id"], "Hello").status == 201
    assert reply_to(call, topic["id"], "Hello").headers["idempotent-replayed"] == "true"
    (receipt,) = receipts_of(table)
    assert receipt["pk"] == "IDEMPOTENCY#user-other"
    assert KEY not in str(receipt)


def test_a_reply_with_a_photo_whose_invocation_died_is_replayed(
    call: Caller, table: Any, topic: dict[str, Any], death: Death
) -> None:
    # Given a keyed reply with a photo, written (the photo now used by it) before it died
    photo = upload(call)
    make_ready(photo)
    body = {"body": "From the walk", "attachment_ids": [photo]}
    url = f"/api/topics/{topic['id']}/posts"
    dies(death, lambda: call("POST", url, body, claims=MEMBER, headers=keyed()), table)
    # when it is sent again, the photo being taken is no refusal: the reply was made
    again = call("POST", url, body, claims=MEMBER, headers=keyed())
    assert again.status == 201, again.text
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json["post"]["number"] == 2
    assert [item["id"] for item in again.json["post"]["attachments"]] == [photo]
    assert call("GET", f"/api/topics/{topic['id']}").json["topic"]["reply_count"] == 1


def test_a_key_lapses_after_a_day_even_before_ttl_removes_its_receipt(
    call: Caller, table: Any, topic: dict[str, Any]
) -> None:
    # Given a keyed reply more than a day old, whose items TTL has not removed yet
    assert reply_to(call, topic["id"], "Yesterday").status == 201
    for item in [*records(table), *receipts_of(table)]:
        table.update_item(
            Key={"pk": item["pk"], "sk": item["sk"]},
            UpdateExpression="SET expires_at = :past",
            ExpressionAttributeValues={":past": clock.epoch_seconds() - 60},
        )
    # then the key makes a new reply, as Powertools' record says
    again = reply_to(call, topic["id"], "Yesterday")
    assert again.status == 201, again.text
    assert "idempotent-replayed" not in again.headers
    assert again.json["post"]["number"] == 3
    assert len(receipts_of(table)) == 1
