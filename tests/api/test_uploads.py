"""Uploads: POST /api/uploads hands out presigned POSTs, GET /api/attachments/{id} follows them.

Refusals happen before anything is written: the table is the same after every 4xx.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from forum.settings import MAX_UPLOAD_BYTES_ENV, get_settings

from ..conftest import MEMBER, OTHER, Caller

LIMIT = 10 * 1024 * 1024
PHOTO = {"filename": "holiday.jpg", "content_type": "image/jpeg", "size": 123_456}


def items(table: Any) -> list[dict[str, Any]]:
    return sorted(table.scan()["Items"], key=lambda item: (item["pk"], item["sk"]))


def policy_of(fields: dict[str, str]) -> dict[str, Any]:
    return dict(json.loads(base64.b64decode(fields["policy"])))


def start(call: Caller, body: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    return call("POST", "/api/uploads", body or PHOTO, claims=kwargs.pop("claims", MEMBER))


def test_a_member_starts_an_upload_and_gets_a_presigned_post(call: Caller, table: Any) -> None:
    # When a member declares a photo
    reply = start(call)

    # Then a pending attachment exists and the answer says where to post the file
    assert reply.status == 201, reply.text
    attachment, upload = reply.json["attachment"], reply.json["upload"]
    assert attachment["status"] == "pending" and len(attachment["id"]) >= 22
    assert reply.headers["location"] == f"/api/attachments/{attachment['id']}"
    fields = upload["fields"]
    assert "forum-uploads-test" in upload["url"]
    assert fields["key"] == f"originals/{attachment['id']}"
    assert fields["Content-Type"] == "image/jpeg"
    assert fields["x-amz-algorithm"] == "AWS4-HMAC-SHA256"  # SigV4

    # and the policy pins the key, the type and the size range, and runs out
    policy = policy_of(fields)
    conditions = policy["conditions"]
    assert {"key": f"originals/{attachment['id']}"} in conditions
    assert {"bucket": "forum-uploads-test"} in conditions
    assert {"Content-Type": "image/jpeg"} in conditions
    assert ["content-length-range", PHOTO["size"], PHOTO["size"]] in conditions
    expires = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    assert timedelta(0) < expires - datetime.now(UTC) <= timedelta(minutes=15)

    # and the attachment item records who uploads what, and expires unless used
    item = table.get_item(Key={"pk": f"ATTACHMENT#{attachment['id']}", "sk": "ATTACHMENT"})["Item"]
    assert item["owner"] == MEMBER["sub"] and item["filename"] == "holiday.jpg"
    assert item["content_type"] == "image/jpeg" and item["size"] == 123_456
    assert item["purpose"] == "post" and item["status"] == "pending"
    assert item["expires_at"] > datetime.now(UTC).timestamp()


def test_the_attachment_can_be_followed_by_anyone_who_knows_its_id(call: Caller) -> None:
    attachment_id = start(call).json["attachment"]["id"]

    reply = call("GET", f"/api/attachments/{attachment_id}")

    assert reply.status == 200, reply.text
    assert reply.json == {
        "id": attachment_id,
        "status": "pending",
        "reason": None,
        "filename": "holiday.jpg",
        "width": None,
        "height": None,
        "thumb_url": None,
        "display_url": None,
        "thumb_width": None,
        "thumb_height": None,
    }
    assert "owner" not in reply.text and MEMBER["sub"] not in reply.text


def test_a_ready_attachment_shows_its_images(call: Caller, table: Any) -> None:
    attachment_id = start(call).json["attachment"]["id"]
    table.update_item(
        Key={"pk": f"ATTACHMENT#{attachment_id}", "sk": "ATTACHMENT"},
        UpdateExpression=(
            "SET #s = :ready, width = :w, height = :h, thumb_width = :tw, thumb_height = :th, "
            "thumb_key = :tk, display_key = :dk"
        ),
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={
            ":ready": "ready",
            ":w": 1600,
            ":h": 1200,
            ":tw": 320,
            ":th": 240,
            ":tk": f"media/{attachment_id}/thumb.jpg",
            ":dk": f"media/{attachment_id}/display.jpg",
        },
    )

    shown = call("GET", f"/api/attachments/{attachment_id}").json

    assert shown["status"] == "ready"
    assert shown["thumb_url"] == f"/media/{attachment_id}/thumb.jpg"
    assert shown["display_url"] == f"/media/{attachment_id}/display.jpg"
    assert (shown["width"], shown["height"]) == (1600, 1200)
    assert (shown["thumb_width"], shown["thumb_height"]) == (320, 240)


@pytest.mark.parametrize("attachment_id", ["nothing-like-this-id", "x" * 30, "short"])
def test_an_unknown_attachment_is_404(call: Caller, table: Any, attachment_id: str) -> None:
    reply = call("GET", f"/api/attachments/{attachment_id}")

    assert reply.status == 404
    assert reply.headers["content-type"] == "application/problem+json"


def test_an_attachment_past_its_expiry_is_gone(call: Caller, table: Any) -> None:
    # Given an upload nobody used, past its expiry (DynamoDB deletes such items late)
    attachment_id = start(call).json["attachment"]["id"]
    past = int((datetime.now(UTC) - timedelta(minutes=1)).timestamp())
    table.update_item(
        Key={"pk": f"ATTACHMENT#{attachment_id}", "sk": "ATTACHMENT"},
        UpdateExpression="SET expires_at = :past",
        ExpressionAttributeValues={":past": past},
    )

    assert call("GET", f"/api/attachments/{attachment_id}").status == 404


@pytest.mark.parametrize(
    ("declared", "stored"),
    [
        ("image/jpeg", "image/jpeg"),
        ("image/png", "image/png"),
        ("image/webp", "image/webp"),
        ("image/gif", "image/gif"),
        ("image/heic", "image/heic"),
        ("image/heif", "image/heif"),
        ("IMAGE/JPEG", "image/jpeg"),
        ("image/jpg", "image/jpeg"),
        ("image/png; charset=binary", "image/png"),
    ],
)
def test_every_accepted_type_is_pinned_as_its_one_name(
    call: Caller, table: Any, declared: str, stored: str
) -> None:
    reply = start(call, {**PHOTO, "content_type": declared})

    assert reply.status == 201, reply.text
    assert reply.json["upload"]["fields"]["Content-Type"] == stored
    assert {"Content-Type": stored} in policy_of(reply.json["upload"]["fields"])["conditions"]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({**PHOTO, "content_type": "image/svg+xml"}, 422, "content_type"),
        ({**PHOTO, "content_type": "application/pdf"}, 422, "content_type"),
        ({**PHOTO, "content_type": "text/html"}, 422, "content_type"),
        ({**PHOTO, "content_type": "image/avif"}, 422, "content_type"),
        ({**PHOTO, "content_type": ""}, 422, "content_type"),
        ({**PHOTO, "size": 0}, 422, "size"),
        ({**PHOTO, "size": -1}, 422, "body.size"),
        ({**PHOTO, "size": 1.5}, 422, "body.size"),
        ({**PHOTO, "size": "lots"}, 422, "body.size"),
        ({**PHOTO, "size": LIMIT + 1}, 413, None),
        ({**PHOTO, "size": 2**40}, 413, None),
        ({**PHOTO, "purpose": "banner"}, 422, "body.purpose"),
        ({**PHOTO, "extra": True}, 422, "body.extra"),
        ({"content_type": "image/jpeg", "size": 10}, 422, "body.filename"),
        ({"filename": "a.jpg", "size": 10}, 422, "body.content_type"),
        ({"filename": "a.jpg", "content_type": "image/jpeg"}, 422, "body.size"),
    ],
)
def test_bad_uploads_are_refused_before_anything_is_written(
    call: Caller, table: Any, body: dict[str, Any], status: int, field: str | None
) -> None:
    start(call)  # the member has a profile and one upload already
    before = items(table)

    reply = start(call, body)

    assert reply.status == status, reply.text
    assert reply.headers["content-type"] == "application/problem+json"
    assert reply.json["status"] == status and reply.json["detail"]
    if field is not None:
        assert field in [error["field"] for error in reply.json["errors"]]
    if status == 413:
        assert "10 MB" in reply.json["detail"]
    assert items(table) == before


def test_the_largest_allowed_file_is_accepted(call: Caller, table: Any) -> None:
    assert start(call, {**PHOTO, "size": LIMIT}).status == 201


def test_the_limit_comes_from_the_settings(
    call: Caller, table: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a forum configured for uploads of at most 2 MB
    monkeypatch.setenv(MAX_UPLOAD_BYTES_ENV, str(2 * 1024 * 1024))
    get_settings.cache_clear()
    try:
        too_large = start(call, {**PHOTO, "size": 2 * 1024 * 1024 + 1})
        fits = start(call, {**PHOTO, "size": 2 * 1024 * 1024})
    finally:
        get_settings.cache_clear()

    assert too_large.status == 413 and "2 MB" in too_large.json["detail"]
    assert fits.status == 201
    conditions = policy_of(fits.json["upload"]["fields"])["conditions"]
    assert ["content-length-range", 2 * 1024 * 1024, 2 * 1024 * 1024] in conditions


def test_uploading_needs_a_member(call: Caller, table: Any) -> None:
    reply = call("POST", "/api/uploads", PHOTO)

    assert reply.status == 401
    assert items(table) == []


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("../../etc/passwd.jpg", "passwd.jpg"),
        ("C:\\Users\\me\\Pictures\\cat.png", "cat.png"),
        ("bell\x07and\x00nul.jpg", "bellandnul.jpg"),
        ("right\u202eto-left.jpg", "rightto-left.jpg"),
        ("  many   spaces\tand\nlines.jpg  ", "many spaces and lines.jpg"),
        ("", "image"),
        ("/", "image"),
        ("...", "image"),
        ("x" * 300 + ".jpeg", "x" * 195 + ".jpeg"),
        ("y" * 300, "y" * 200),
    ],
)
def test_file_names_are_cleaned_for_display(
    call: Caller, table: Any, given: str, shown: str
) -> None:
    attachment_id = start(call, {**PHOTO, "filename": given}).json["attachment"]["id"]

    assert call("GET", f"/api/attachments/{attachment_id}").json["filename"] == shown


def test_an_avatar_upload_says_so(call: Caller, table: Any) -> None:
    reply = start(call, {**PHOTO, "purpose": "avatar"})

    assert reply.status == 201
    item = table.get_item(
        Key={"pk": f"ATTACHMENT#{reply.json['attachment']['id']}", "sk": "ATTACHMENT"}
    )["Item"]
    assert item["purpose"] == "avatar"


def test_each_upload_is_its_own_attachment(call: Caller, table: Any) -> None:
    first = start(call).json["attachment"]["id"]
    second = start(call, claims=OTHER).json["attachment"]["id"]

    assert first != second
    owners = {item["owner"] for item in items(table) if item["pk"].startswith("ATTACHMENT#")}
    assert owners == {MEMBER["sub"], OTHER["sub"]}
