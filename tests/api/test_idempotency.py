"""Idempotency-Key on creating a topic, a reply and an upload (Powertools idempotency)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from forum import clock, posts, schema

from ..cognito import MemberPool
from ..conftest import MEMBER, MODERATOR, OTHER, Caller
from .conftest import THROTTLED

KEY = "6f1c1a9e-1d2b-4c53-9a77-0d7e0c1f2b3a"


def keyed(key: str = KEY) -> dict[str, str]:
    return {"Idempotency-Key": key}


def reply_to(call: Caller, topic_id: str, body: str, key: str = KEY, who: Any = OTHER) -> Any:
    return call(
        "POST", f"/api/topics/{topic_id}/posts", {"body": body}, claims=who, headers=keyed(key)
    )


def all_items(table: Any) -> list[dict[str, Any]]:
    return sorted(table.scan()["Items"], key=lambda item: (item["pk"], item["sk"]))


def records(table: Any) -> list[dict[str, Any]]:
    """Powertools' records of keyed requests (not the receipts beside them)."""
    return [
        item
        for item in all_items(table)
        if item["pk"].startswith(schema.IDEMPOTENCY_PK_PREFIX)
        and not item["sk"].startswith(schema.RECEIPT_SK_PREFIX)
    ]


def receipts_of(table: Any) -> list[dict[str, Any]]:
    """The receipts keyed creates left in their own transactions (forum.receipts)."""
    return [item for item in all_items(table) if item.get("kind") == "receipt"]


def forum_items(table: Any) -> list[dict[str, Any]]:
    """Everything but the idempotency records themselves."""
    return [
        item for item in all_items(table) if not item["pk"].startswith(schema.IDEMPOTENCY_PK_PREFIX)
    ]


def test_a_retried_reply_answers_as_the_first_and_writes_nothing(call, table, topic) -> None:
    # Given a reply sent with a key
    first = reply_to(call, topic["id"], "Only once, please")
    assert first.status == 201, first.text
    assert "idempotent-replayed" not in first.headers
    stored = forum_items(table)
    # when the client, not having heard back, sends it again with the same key
    again = reply_to(call, topic["id"], "Only once, please")
    # then it gets the first answer, marked as a replay, and nothing more was written
    assert again.status == 201, again.text
    assert again.json == first.json
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    assert forum_items(table) == stored
    page = call("GET", f"/api/topics/{topic['id']}").json
    assert [post["number"] for post in page["posts"]] == [1, 2]
    assert page["topic"]["reply_count"] == 1


def test_the_same_key_with_another_body_is_422_and_writes_nothing(call, table, topic) -> None:
    assert reply_to(call, topic["id"], "First text").status == 201
    stored = all_items(table)
    other = reply_to(call, topic["id"], "Another text")
    assert other.status == 422, other.text
    assert other.headers["content-type"] == "application/problem+json"
    assert "Idempotency-Key" in other.json["detail"]
    assert all_items(table) == stored


def test_keys_belong_to_a_member(call, table, topic) -> None:
    # Two members who happen to pick the same key make two replies.
    assert reply_to(call, topic["id"], "Same words", who=OTHER).status == 201
    assert reply_to(call, topic["id"], "Same words", who=MEMBER).status == 201
    assert call("GET", f"/api/topics/{topic['id']}").json["topic"]["reply_count"] == 2


def test_without_a_key_every_request_writes(call, table, topic) -> None:
    for _ in range(2):
        reply = call("POST", f"/api/topics/{topic['id']}/posts", {"body": "x"}, claims=OTHER)
        assert reply.status == 201
    assert call("GET", f"/api/topics/{topic['id']}").json["topic"]["reply_count"] == 2
    assert not [item for item in all_items(table) if item["pk"].startswith("IDEMPOTENCY#")]


def test_a_retried_topic_is_one_topic(call, table, board) -> None:
    body = {"title": "Once", "body": "Just the one topic"}
    url = f"/api/boards/{board['id']}/topics"
    first = call("POST", url, body, claims=MEMBER, headers=keyed())
    again = call("POST", url, body, claims=MEMBER, headers=keyed())
    assert (first.status, again.status) == (201, 201), again.text
    assert again.json == first.json
    assert again.headers["idempotent-replayed"] == "true"
    assert [topic["id"] for topic in call("GET", f"/api/boards/{board['id']}").json["topics"]] == [
        first.json["topic"]["id"]
    ]
    # The same key and body for another board is another request.
    moved = call("POST", "/api/boards/nope/topics", body, claims=MEMBER, headers=keyed())
    assert moved.status == 422, moved.text


def test_a_retried_upload_is_one_attachment(call, table) -> None:
    photo = {"filename": "cat.jpg", "content_type": "image/jpeg", "size": 1234}
    first = call("POST", "/api/uploads", photo, claims=MEMBER, headers=keyed())
    again = call("POST", "/api/uploads", photo, claims=MEMBER, headers=keyed())
    assert (first.status, again.status) == (201, 201), again.text
    assert again.json == first.json
    attachments = [item for item in all_items(table) if item["pk"].startswith("ATTACHMENT#")]
    assert len(attachments) == 1


def test_keyed_records_are_kept_a_day_in_the_members_partition(call, table, topic) -> None:
    before = clock.epoch_seconds()
    assert reply_to(call, topic["id"], "Kept").status == 201
    kept = records(table)
    assert len(kept) == 1
    record = kept[0]
    assert record["pk"] == schema.idempotency_pk("user-other")
    assert record["sk"].startswith("reply#")
    assert record["status"] == "COMPLETED"
    assert before + 24 * 3600 <= int(record[schema.TTL_ATTRIBUTE]) <= before + 24 * 3600 + 60
    # The key itself is not stored, only a hash of it with the member.
    assert KEY not in str(record)
    # Beside it, the receipt the reply's transaction left: as long, as discreet.
    (receipt,) = receipts_of(table)
    assert receipt["pk"] == schema.idempotency_pk("user-other")
    assert receipt["sk"].startswith(schema.RECEIPT_SK_PREFIX + "reply#")
    assert before + 24 * 3600 <= int(receipt[schema.TTL_ATTRIBUTE]) <= before + 24 * 3600 + 60
    assert KEY not in str(receipt)


def test_a_failed_request_is_not_remembered(call, table, topic) -> None:
    # A refusal (here: a locked topic) is not stored: the same key works once it is unlocked.
    lock = {"locked": True}
    assert call("PATCH", f"/api/topics/{topic['id']}", lock, claims=MODERATOR).status == 200
    assert reply_to(call, topic["id"], "Let me in").status == 423
    unlock = {"locked": False}
    assert call("PATCH", f"/api/topics/{topic['id']}", unlock, claims=MODERATOR).status == 200
    reply = reply_to(call, topic["id"], "Let me in")
    assert reply.status == 201, reply.text
    assert "idempotent-replayed" not in reply.headers


@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "ключ"])
def test_a_malformed_key_is_400(call, table, topic, key: str) -> None:
    reply = reply_to(call, topic["id"], "Hello", key=key)
    assert reply.status == 400, reply.text
    assert "Idempotency-Key" in reply.json["detail"]
    assert call("GET", f"/api/topics/{topic['id']}").json["topic"]["reply_count"] == 0


def test_the_same_key_while_the_first_is_running_is_409(call, table, topic, monkeypatch) -> None:
    # Given a first request that is still being processed
    entered, release = threading.Event(), threading.Event()
    real_reply = posts.reply

    def slow_reply(*args: Any, **kwargs: Any) -> Any:
        entered.set()
        release.wait(10)
        return real_reply(*args, **kwargs)

    monkeypatch.setattr(posts, "reply", slow_reply)
    answers: list[Any] = []
    first = threading.Thread(target=lambda: answers.append(reply_to(call, topic["id"], "Patience")))
    first.start()
    assert entered.wait(10)
    # when the same request arrives meanwhile, it is told to come back
    second = reply_to(call, topic["id"], "Patience")
    release.set()
    first.join(10)
    assert second.status == 409, second.text
    assert second.headers["retry-after"] == "1"
    # and then it gets the first one's answer
    time.sleep(0.01)
    assert answers[0].status == 201
    third = reply_to(call, topic["id"], "Patience")
    assert third.status == 201 and third.json == answers[0].json


def test_the_openapi_document_declares_the_header(call, table) -> None:
    document = call("GET", "/api/openapi.json").json
    for path in ("/api/topics/{topic_id}/posts", "/api/boards/{board_id}/topics", "/api/uploads"):
        parameters = document["paths"][path]["post"]["parameters"]
        names = {(parameter["name"], parameter["in"]) for parameter in parameters}
        assert ("idempotency-key", "header") in names


def test_a_made_post_is_answered_even_when_its_record_cannot_be_completed(
    call, table, topic, faults
) -> None:
    # Given a keyed reply whose post is written but whose record cannot be marked completed
    faults.fail("UpdateItem", THROTTLED)
    reply = reply_to(call, topic["id"], "Written once")
    # then the member hears it was made (a "busy" would invite a second post), and it was once
    assert reply.status == 201, reply.text
    assert call("GET", f"/api/topics/{topic['id']}").json["topic"]["reply_count"] == 1
    # and the same key, meanwhile, is told to wait rather than writing it again
    faults.plan.clear()
    again = reply_to(call, topic["id"], "Written once")
    assert again.status == 409, again.text
    assert call("GET", f"/api/topics/{topic['id']}").json["topic"]["reply_count"] == 1


def test_a_long_post_in_any_script_is_kept_by_reference(call, table, topic) -> None:
    # The record keeps the ids of what was made, not the post: 40,000 accented letters (which
    # JSON would store as 240 KB of escapes, twice) fit, and the replay reads the post again.
    text = "é" * 40_000
    first = reply_to(call, topic["id"], text)
    assert first.status == 201, first.text
    again = reply_to(call, topic["id"], text)
    assert again.status == 201 and again.headers["idempotent-replayed"] == "true"
    assert again.json == first.json
    (record,) = records(table)
    assert len(record["data"]) < 200
    (receipt,) = receipts_of(table)
    assert len(str(receipt)) < 500


def test_a_replayed_upload_gets_a_fresh_form_for_the_same_attachment(call, table) -> None:
    photo = {"filename": "cat.jpg", "content_type": "image/jpeg", "size": 1234}
    first = call("POST", "/api/uploads", photo, claims=MEMBER, headers=keyed())
    again = call("POST", "/api/uploads", photo, claims=MEMBER, headers=keyed())
    assert again.json["attachment"] == first.json["attachment"]
    assert again.json["upload"]["fields"]["key"] == first.json["upload"]["fields"]["key"]


def ban_member(call: Caller, cognito: MemberPool) -> None:
    """MEMBER banned by MODERATOR (a ban signs the member out of Cognito everywhere)."""
    for who in (MODERATOR, MEMBER):
        cognito.add_claims(who)
    banned = call("POST", "/api/users/member/ban", {"reason": "Spam"}, claims=MODERATOR)
    assert banned.status == 200, banned.text


def test_a_member_banned_since_gets_no_new_upload_form_from_a_replay(call, table, cognito) -> None:
    # Given an upload started with a key, and its member banned afterwards
    photo = {"filename": "cat.jpg", "content_type": "image/jpeg", "size": 1234}
    assert call("POST", "/api/uploads", photo, claims=MEMBER, headers=keyed()).status == 201
    ban_member(call, cognito)
    # when the same request is sent again with the same key
    again = call("POST", "/api/uploads", photo, claims=MEMBER, headers=keyed())
    # then it is refused as a new one would be: a form is a new capability, not a record
    assert again.status == 403, again.text
    assert again.headers["content-type"] == "application/problem+json"
    assert "upload" not in (again.json or {})
    assert call("POST", "/api/uploads", photo, claims=MEMBER).status == 403


def test_a_replayed_reply_of_a_member_banned_since_answers_what_was_made(
    call, table, topic, cognito
) -> None:
    # A replay that only reads again what was made hands out nothing new: it still answers.
    first = call(
        "POST", f"/api/topics/{topic['id']}/posts", {"body": "Hi"}, claims=MEMBER, headers=keyed()
    )
    assert first.status == 201, first.text
    ban_member(call, cognito)
    again = call(
        "POST", f"/api/topics/{topic['id']}/posts", {"body": "Hi"}, claims=MEMBER, headers=keyed()
    )
    assert again.status == 201, again.text
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json == first.json


def test_a_replay_gets_no_new_form_once_the_file_has_arrived(call, table) -> None:
    # Given an upload whose file arrived and was made into images
    photo = {"filename": "cat.jpg", "content_type": "image/jpeg", "size": 1234}
    first = call("POST", "/api/uploads", photo, claims=MEMBER, headers=keyed())
    attachment_id = first.json["attachment"]["id"]
    table.update_item(
        Key={"pk": f"ATTACHMENT#{attachment_id}", "sk": "ATTACHMENT"},
        UpdateExpression="SET #s = :ready",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":ready": "ready"},
    )
    # when the request is replayed, it gets no form that would replace the original
    again = call("POST", "/api/uploads", photo, claims=MEMBER, headers=keyed())
    assert again.status == 409, again.text
    assert f"/api/attachments/{attachment_id}" in again.json["detail"]
