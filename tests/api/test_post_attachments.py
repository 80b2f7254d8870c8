"""Posts show image attachments: named by id when a topic is started, a reply written or a post
edited; checked in one read, and marked as used in the post's own transaction.

The thumbnail function's part (making the images) is played here by its two writes:
``processing.mark_ready`` and ``processing.publish``, as forum.thumbnails calls them.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from forum import attachments, posts, processing
from forum.errors import Conflict
from forum.identity import member_from_claims
from forum.models import Attachment, ForumItem

from ..conftest import MEMBER, MODERATOR, OTHER, Caller

PHOTO = {"filename": "walk.jpg", "content_type": "image/jpeg", "size": 5000}


def upload(call: Caller, claims: dict[str, str] = MEMBER, **changes: Any) -> str:
    reply = call("POST", "/api/uploads", {**PHOTO, **changes}, claims=claims)
    assert reply.status == 201, reply.text
    return str(reply.json["attachment"]["id"])


def make_ready(attachment_id: str, width: int = 1600, height: int = 1200) -> None:
    """What the thumbnail function writes when the images are made."""
    settled = processing.mark_ready(
        attachment_id,
        width=width,
        height=height,
        thumb_width=320,
        thumb_height=240,
        thumb_key=f"media/{attachment_id}/thumb.jpg",
        display_key=f"media/{attachment_id}/display.jpg",
        media_type="image/jpeg",
    )
    assert settled is not None
    processing.publish(settled)


def make_failed(attachment_id: str) -> None:
    settled = processing.mark_failed(attachment_id, "The file is not an image.", "not-image")
    assert settled is not None
    processing.publish(settled)


def item(table: Any, attachment_id: str) -> dict[str, Any]:
    return dict(
        table.get_item(
            Key={"pk": f"ATTACHMENT#{attachment_id}", "sk": "ATTACHMENT"}, ConsistentRead=True
        )["Item"]
    )


def items(table: Any) -> list[dict[str, Any]]:
    return sorted(table.scan()["Items"], key=lambda found: (found["pk"], found["sk"]))


def shown(attachment_id: str, filename: str = "walk.jpg") -> dict[str, Any]:
    return {
        "id": attachment_id,
        "status": "ready",
        "reason": None,
        "filename": filename,
        "width": 1600,
        "height": 1200,
        "thumb_url": f"/media/{attachment_id}/thumb.jpg",
        "display_url": f"/media/{attachment_id}/display.jpg",
        "thumb_width": 320,
        "thumb_height": 240,
    }


def start_topic(call: Caller, board: dict[str, Any], ids: list[str], **kwargs: Any) -> Any:
    return call(
        "POST",
        f"/api/boards/{board['id']}/topics",
        {"title": "Photos", "body": "From the walk", "attachment_ids": ids},
        claims=kwargs.get("claims", MEMBER),
    )


def reply_with(call: Caller, topic: dict[str, Any], ids: list[str], **kwargs: Any) -> Any:
    return call(
        "POST",
        f"/api/topics/{topic['id']}/posts",
        {"body": "More", "attachment_ids": ids},
        claims=kwargs.get("claims", MEMBER),
    )


def page_posts(call: Caller, topic_id: str) -> list[dict[str, Any]]:
    reply = call("GET", f"/api/topics/{topic_id}")
    assert reply.status == 200, reply.text
    return list(reply.json["posts"])


# --- showing images ----------------------------------------------------------------------------


def test_a_topic_starts_with_its_photos_in_the_order_given(
    call: Caller, table: Any, board: dict[str, Any]
) -> None:
    first, second = upload(call, filename="b.jpg"), upload(call, filename="a.jpg")
    make_ready(first)
    make_ready(second)

    reply = start_topic(call, board, [first, second])

    assert reply.status == 201, reply.text
    expected = [shown(first, "b.jpg"), shown(second, "a.jpg")]
    assert reply.json["posts"][0]["attachments"] == expected
    topic_id = reply.json["topic"]["id"]
    assert page_posts(call, topic_id)[0]["attachments"] == expected
    # and both are now used by that post, and no longer expire
    for attachment_id in (first, second):
        stored = item(table, attachment_id)
        assert stored["attached_to"] == f"{topic_id}/1" and "expires_at" not in stored


def test_a_reply_shows_a_pending_photo_until_its_images_are_made(
    call: Caller, table: Any, topic: dict[str, Any]
) -> None:
    # Given a reply with a photo whose images are not made yet
    attachment_id = upload(call)
    reply = reply_with(call, topic, [attachment_id])
    assert reply.status == 201, reply.text
    (pending,) = reply.json["post"]["attachments"]
    assert pending["status"] == "pending" and pending["thumb_url"] is None
    version = reply.json["post"]["version"]

    # When the thumbnail function has made them
    make_ready(attachment_id)

    # Then the topic page shows them, with no extra request and the post's version unchanged
    post = page_posts(call, topic["id"])[1]
    assert post["attachments"] == [shown(attachment_id)]
    assert post["version"] == version


def test_a_photo_that_fails_after_posting_shows_as_failed(
    call: Caller, table: Any, topic: dict[str, Any]
) -> None:
    attachment_id = upload(call)
    assert reply_with(call, topic, [attachment_id]).status == 201

    make_failed(attachment_id)

    (failed,) = page_posts(call, topic["id"])[1]["attachments"]
    assert failed["status"] == "failed" and failed["reason"] == "The file is not an image."
    assert failed["thumb_url"] is None and failed["display_url"] is None


def test_images_made_while_the_post_is_written_are_never_lost(
    call: Caller, table: Any, topic: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a photo read as pending, whose images are made just before the post is written
    attachment_id = upload(call)
    read = attachments._batch
    calls: list[int] = []

    def read_then_finish(ids: Any) -> Any:
        found = read(ids)
        if not calls:
            make_ready(attachment_id)  # the post does not exist yet: nothing to publish to
        calls.append(1)
        return found

    monkeypatch.setattr(attachments, "_batch", read_then_finish)

    # When the reply is written
    reply = reply_with(call, topic, [attachment_id])

    # Then its transaction saw the change, read again, and the post shows the images
    assert reply.status == 201, reply.text
    assert len(calls) == 2
    assert reply.json["post"]["attachments"] == [shown(attachment_id)]
    assert page_posts(call, topic["id"])[1]["attachments"] == [shown(attachment_id)]


def test_the_same_id_twice_is_shown_once(call: Caller, table: Any, topic: dict[str, Any]) -> None:
    attachment_id = upload(call)
    make_ready(attachment_id)

    reply = reply_with(call, topic, [attachment_id, attachment_id])

    assert reply.status == 201
    assert [found["id"] for found in reply.json["post"]["attachments"]] == [attachment_id]


def test_a_removed_post_shows_no_images(call: Caller, table: Any, topic: dict[str, Any]) -> None:
    attachment_id = upload(call)
    make_ready(attachment_id)
    number = reply_with(call, topic, [attachment_id]).json["post"]["number"]

    assert call("DELETE", f"/api/topics/{topic['id']}/posts/{number}", claims=MEMBER).status == 204

    assert page_posts(call, topic["id"])[1]["attachments"] == []
    # and its images go with it: the attachment is no longer found, and it expires at once,
    # so its images are deleted with the item (media cleanup)
    assert call("GET", f"/api/attachments/{attachment_id}").status == 404
    released = Attachment.get(f"ATTACHMENT#{attachment_id}", "ATTACHMENT")
    assert released.attached_to is None
    assert released.expires_at is not None and released.expires_at <= datetime.now(UTC)


def test_a_removed_topic_takes_its_images_with_it(call: Caller, board: dict[str, Any]) -> None:
    # Given a topic whose opening post and 30 replies carry 3 images each (more than one
    # transaction's 100 items, with the authors' counts)
    def three() -> list[str]:
        ids = [upload(call) for _ in range(3)]
        for attachment_id in ids:
            make_ready(attachment_id)
        return ids

    shown = three()
    topic_id = start_topic(call, board, shown).json["topic"]["id"]
    for _ in range(30):
        ids = three()
        assert reply_with(call, {"id": topic_id}, ids).status == 201
        shown += ids
    # When a moderator removes the topic (repeating the request while it answers 202: "its
    # posts are still being removed")
    statuses = [call("DELETE", f"/api/topics/{topic_id}", claims=MODERATOR).status]
    while statuses[-1] == 202 and len(statuses) < 10:
        statuses.append(call("DELETE", f"/api/topics/{topic_id}", claims=MODERATOR).status)
    assert statuses[-1] == 204, statuses
    # Then none of its 93 images is found any more
    assert [i for i in shown if call("GET", f"/api/attachments/{i}").status != 404] == []


def test_a_topic_page_full_of_photos_costs_two_requests(
    call: Caller, table: Any, board: dict[str, Any]
) -> None:
    # Given a topic whose first page has 20 posts with 10 ready photos each
    def ten() -> list[str]:
        ids = [upload(call) for _ in range(10)]
        for attachment_id in ids:
            make_ready(attachment_id)
        return ids

    topic_id = start_topic(call, board, ten()).json["topic"]["id"]
    for _ in range(19):
        assert reply_with(call, {"id": topic_id}, ten()).status == 201
    requests: list[str] = []

    def count(event_name: str, **kwargs: Any) -> None:
        requests.append(event_name.rsplit(".", 1)[-1])

    events = ForumItem._get_connection().connection.client.meta.events
    events.register("before-call.dynamodb", count)
    try:
        posts = page_posts(call, topic_id)
    finally:
        events.unregister("before-call.dynamodb", count)

    # Then the page shows 200 images and read the table twice: the posts, then the header
    # and the authors' profiles
    assert sum(len(post["attachments"]) for post in posts) == 200
    assert requests == ["Query", "BatchGetItem"]


# --- editing -----------------------------------------------------------------------------------


def test_an_edit_adds_keeps_and_drops_photos(
    call: Caller, table: Any, topic: dict[str, Any]
) -> None:
    # Given a reply with photos a and b
    a, b, c = upload(call), upload(call), upload(call)
    for attachment_id in (a, b, c):
        make_ready(attachment_id)
    number = reply_with(call, topic, [a, b]).json["post"]["number"]
    url = f"/api/topics/{topic['id']}/posts/{number}"

    # When its author edits it to show c and b
    edited = call("PATCH", url, {"body": "Better", "attachment_ids": [c, b]}, claims=MEMBER)

    # Then it shows c and b, a is free again (and expires unless used), c is used by the post
    assert edited.status == 200, edited.text
    assert [found["id"] for found in edited.json["attachments"]] == [c, b]
    assert edited.json["version"] == 2
    assert [found["id"] for found in page_posts(call, topic["id"])[1]["attachments"]] == [c, b]
    freed = item(table, a)
    assert "attached_to" not in freed
    assert freed["expires_at"] > datetime.now(UTC).timestamp()
    assert item(table, c)["attached_to"] == f"{topic['id']}/{number}"
    # and a is free to show elsewhere
    assert reply_with(call, topic, [a]).status == 201

    # An edit without attachment_ids keeps them; an empty list drops them all
    kept = call("PATCH", url, {"body": "Again"}, claims=MEMBER).json
    assert [found["id"] for found in kept["attachments"]] == [c, b]
    dropped = call("PATCH", url, {"body": "Words only", "attachment_ids": []}, claims=MEMBER)
    assert dropped.json["attachments"] == []
    assert "attached_to" not in item(table, b) and "attached_to" not in item(table, c)


def test_a_moderators_edit_keeps_the_authors_photos(
    call: Caller, table: Any, topic: dict[str, Any]
) -> None:
    mine = upload(call)
    make_ready(mine)
    number = reply_with(call, topic, [mine]).json["post"]["number"]
    theirs = upload(call, claims=MODERATOR)

    edited = call(
        "PATCH",
        f"/api/topics/{topic['id']}/posts/{number}",
        {"body": "Tidied", "attachment_ids": [mine, theirs]},
        claims=MODERATOR,
    )

    assert edited.status == 200, edited.text
    assert [found["id"] for found in edited.json["attachments"]] == [mine, theirs]


def test_a_post_can_keep_a_photo_that_failed(
    call: Caller, table: Any, topic: dict[str, Any]
) -> None:
    attachment_id = upload(call)
    number = reply_with(call, topic, [attachment_id]).json["post"]["number"]
    make_failed(attachment_id)

    edited = call(
        "PATCH",
        f"/api/topics/{topic['id']}/posts/{number}",
        {"body": "Edited", "attachment_ids": [attachment_id]},
        claims=MEMBER,
    )

    assert edited.status == 200, edited.text
    assert edited.json["attachments"][0]["status"] == "failed"


# --- refusals: nothing is written --------------------------------------------------------------


def expired_upload(call: Caller, table: Any) -> str:
    attachment_id = upload(call)
    past = int((datetime.now(UTC) - timedelta(minutes=1)).timestamp())
    table.update_item(
        Key={"pk": f"ATTACHMENT#{attachment_id}", "sk": "ATTACHMENT"},
        UpdateExpression="SET expires_at = :past",
        ExpressionAttributeValues={":past": past},
    )
    return attachment_id


def failed_upload(call: Caller, table: Any) -> str:
    attachment_id = upload(call)
    make_failed(attachment_id)
    return attachment_id


def used_elsewhere(call: Caller, table: Any) -> str:
    attachment_id = upload(call)
    topic = call("GET", "/api/boards").json["boards"][0]
    created = start_topic(call, topic, [attachment_id])
    assert created.status == 201, created.text
    return attachment_id


CASES: dict[str, tuple[Any, int, str]] = {
    "unknown": (lambda call, table: ["nothing-like-this-at-all"], 422, "no upload of yours"),
    "not an id": (lambda call, table: ["../../x"], 422, "no upload of yours"),
    "too long": (lambda call, table: ["x" * 65], 422, "body.attachment_ids"),
    "someone else's": (lambda call, table: [upload(call, OTHER)], 422, "no upload of yours"),
    "expired": (lambda call, table: [expired_upload(call, table)], 422, "no upload of yours"),
    "failed": (lambda call, table: [failed_upload(call, table)], 422, "not an image"),
    "an avatar": (lambda call, table: [upload(call, purpose="avatar")], 422, "as an avatar"),
    "eleven": (lambda call, table: [upload(call) for _ in range(11)], 422, "at most 10"),
    "used elsewhere": (lambda call, table: [used_elsewhere(call, table)], 409, "another post"),
    "one bad of two": (
        lambda call, table: [upload(call), "nothing-like-this-at-all"],
        422,
        "no upload of yours",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("where", ["topic", "reply", "edit"])
def test_bad_attachment_ids_are_refused_and_nothing_is_written(
    call: Caller, table: Any, topic: dict[str, Any], board: dict[str, Any], case: str, where: str
) -> None:
    make_ids, status, words = CASES[case]
    ids = make_ids(call, table)
    own = upload(call)  # an attachment of the post, for the edit
    number = reply_with(call, topic, [own]).json["post"]["number"]
    before = items(table)

    if where == "topic":
        reply = start_topic(call, board, ids)
    elif where == "reply":
        reply = reply_with(call, topic, ids)
    else:
        reply = call(
            "PATCH",
            f"/api/topics/{topic['id']}/posts/{number}",
            {"body": "Changed", "attachment_ids": ids},
            claims=MEMBER,
        )

    assert reply.status == status, reply.text
    assert reply.headers["content-type"] == "application/problem+json"
    problem = reply.json
    assert words in problem["detail"] + str(problem.get("errors")), problem
    assert items(table) == before


def test_two_posts_racing_for_one_photo_cannot_both_show_it(
    call: Caller, table: Any, topic: dict[str, Any]
) -> None:
    attachment_id = upload(call)
    make_ready(attachment_id)
    answers: list[str] = []
    start = threading.Barrier(2)
    member = member_from_claims(MEMBER)
    assert member is not None

    def post() -> None:
        # The domain's reply, not the handler: a Lambda instance serves one event at a time.
        start.wait()
        try:
            posts.reply(member, topic["id"], "Mine", [attachment_id])
            answers.append("posted")
        except Conflict:
            answers.append("conflict")

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(answers) == ["conflict", "posted"]
    written = page_posts(call, topic["id"])
    assert sum(len(post["attachments"]) for post in written) == 1
