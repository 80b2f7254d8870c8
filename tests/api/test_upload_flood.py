"""Uploads per hour: a member uploads at most ``forum:uploadsPerHour`` images in a clock hour.

An upload nobody attaches is served for two days, so without a limit the forum would be free
image hosting and its thumbnail function anyone's to keep busy. The count rides on the
profile, in the attachment's own transaction: one more upload is 429 with Retry-After, and
nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from forum import schema, uploads
from forum.identity import member_from_claims
from forum.settings import UPLOADS_PER_HOUR_ENV, get_settings

from ..conftest import MEMBER, MODERATOR, OTHER, Caller
from .recording import hooked, recording
from .test_flood import Clock, assert_too_many, profile_item
from .test_post_attachments import PHOTO

HOURLY = 3


@pytest.fixture
def limit(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    from forum import clock

    fake = Clock()
    monkeypatch.setattr(clock, "now", lambda: fake.moment)
    monkeypatch.setenv(UPLOADS_PER_HOUR_ENV, str(HOURLY))
    get_settings.cache_clear()
    yield fake
    get_settings.cache_clear()


def start_upload(call: Caller, claims: dict[str, str] = MEMBER) -> Any:
    return call("POST", "/api/uploads", PHOTO, claims=claims)


def attachments_of(table: Any, user_id: str) -> list[dict[str, Any]]:
    found = table.scan()["Items"]
    return [
        item
        for item in found
        if str(item["pk"]).startswith("ATTACHMENT#") and item.get("owner") == user_id
    ]


def test_an_upload_beyond_the_hours_limit_is_429_and_writes_nothing(
    call: Caller, table: Any, limit: Clock
) -> None:
    # Given a member who has uploaded the hour's images (at 10:20)
    for _ in range(HOURLY):
        assert start_upload(call).status == 201
    before = profile_item(table, MEMBER["sub"])
    # when they start one more
    refused = start_upload(call)
    # then it is refused until the next hour (40 minutes), and nothing was written
    assert_too_many(refused, 40 * 60)
    assert f"{HOURLY} images an hour" in refused.json["detail"]
    assert len(attachments_of(table, MEMBER["sub"])) == HOURLY
    assert profile_item(table, MEMBER["sub"]) == before
    # and in the next hour they upload again, counted from one
    limit.advance(minutes=40)
    assert start_upload(call).status == 201
    assert profile_item(table, MEMBER["sub"])["uploads_this_hour"] == 1


def test_the_limit_is_per_member_and_moderators_are_exempt(
    call: Caller, table: Any, limit: Clock
) -> None:
    for _ in range(HOURLY):
        assert start_upload(call).status == 201
    assert start_upload(call, OTHER).status == 201
    for _ in range(HOURLY + 2):
        assert start_upload(call, MODERATOR).status == 201


def test_two_uploads_at_once_cannot_both_take_the_last_one_of_the_hour(
    call: Caller, table: Any, limit: Clock
) -> None:
    # Given a member with one upload of the hour left, who starts two at once: the other lands
    # between this one's read of the profile and its transaction
    for _ in range(HOURLY - 1):
        assert start_upload(call).status == 201
    member = member_from_claims(MEMBER)
    assert member is not None
    done: list[bool] = []

    def other_first(**_: Any) -> None:
        if not done:
            done.append(True)
            uploads.create_upload(member, "other.jpg", "image/jpeg", 5000)

    with hooked("before-call.dynamodb.TransactWriteItems", other_first):
        refused = start_upload(call)
    # then this one is refused, and the hour holds exactly its limit
    assert done and refused.status == 429, refused.text
    assert len(attachments_of(table, MEMBER["sub"])) == HOURLY
    assert profile_item(table, MEMBER["sub"])["uploads_this_hour"] == HOURLY


def test_counting_costs_no_extra_request(call: Caller, table: Any, limit: Clock) -> None:
    # The profile is read anyway (is the member banned?); the count is written with the
    # attachment, in its transaction: two requests, as an upload was before it was counted.
    assert start_upload(call).status == 201
    with recording() as requests:
        assert start_upload(call).status == 201
    assert requests.operations == ["GetItem", "TransactWriteItems"]
    (written,) = requests.of("TransactWriteItems")
    keys = sorted(
        str(item["Put"]["Item"]["pk"]["S"])
        if "Put" in item
        else str(item["Update"]["Key"]["pk"]["S"])
        for item in written["TransactItems"]
    )
    assert len(keys) == 2 and keys[0].startswith("ATTACHMENT#")
    assert keys[1] == schema.user_pk(MEMBER["sub"])


def test_a_refused_upload_keeps_no_retry_record_either(
    call: Caller, table: Any, limit: Clock
) -> None:
    # Given a member who has used up the hour's uploads, retrying one with an Idempotency-Key
    for _ in range(HOURLY):
        assert start_upload(call).status == 201
    everything = sorted(table.scan()["Items"], key=lambda item: (item["pk"], item["sk"]))
    keyed = {"Idempotency-Key": "0b7e7a52-3f0e-4d8c-9a51-5c4f3e2d1a60"}
    refused = call("POST", "/api/uploads", PHOTO, claims=MEMBER, headers=keyed)
    assert_too_many(refused, 40 * 60)
    # then the table is as it was, and the same request in the next hour is a new upload
    assert sorted(table.scan()["Items"], key=lambda item: (item["pk"], item["sk"])) == everything
    limit.advance(hours=1)
    accepted = call("POST", "/api/uploads", PHOTO, claims=MEMBER, headers=keyed)
    assert accepted.status == 201, accepted.text
    assert "idempotent-replayed" not in accepted.headers
