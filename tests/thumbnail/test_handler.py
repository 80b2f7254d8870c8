"""The thumbnail function: uploads become images, or fail with a reason, and nothing loops.

Each test uploads bytes to a moto bucket whose notifications go to a moto queue, takes S3's
message off the queue and hands it to the real handler, as the event source mapping does.
"""

from __future__ import annotations

import io
import json
import struct
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError
from PIL import Image

from forum import attachments, processing, schema, storage
from forum.models import Post, PostAttachment, Profile, person
from forum.settings import MAX_UPLOAD_BYTES_ENV, get_settings
from local.deployed import QueueTrigger
from local.poller import poll_once

from ..unit.test_images import assert_no_metadata
from .conftest import MEMBER, SHARED, Pipeline, needs_shared


def photo(folder: str, name: str) -> bytes:
    return (SHARED / folder / name).read_bytes()


def png(size: tuple[int, int] = (64, 48), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (200, 30, 30) if mode == "RGB" else (200, 30, 30, 100)).save(out, "PNG")
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims width x height pixels and holds almost nothing."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def decoded(data: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(data))
    im.load()
    return im


@pytest.fixture
def limit(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Set the upload limit (bytes) the functions read."""

    def set_limit(n: int) -> None:
        monkeypatch.setenv(MAX_UPLOAD_BYTES_ENV, str(n))
        get_settings.cache_clear()

    yield set_limit
    get_settings.cache_clear()


# --- images are made ----------------------------------------------------------------------------


@needs_shared
def test_a_phone_photo_becomes_a_thumbnail_and_a_display_image(pipeline: Pipeline) -> None:
    # Given a phone photo uploaded as a JPEG
    upload = pipeline.upload(photo("mobile", "jolla.jpg"))
    assert len(upload.messages) == 1

    # When S3's notification reaches the function
    answer = pipeline.deliver(*upload.messages)

    # Then nothing is to be retried and the attachment is ready, with the images' sizes
    assert answer == {"batchItemFailures": []}
    item = pipeline.attachment(upload.attachment_id)
    assert item["status"] == "ready" and "reason" not in item
    assert item["thumb_key"] == f"media/{upload.attachment_id}/thumb.jpg"
    assert item["display_key"] == f"media/{upload.attachment_id}/display.jpg"
    assert item["media_type"] == "image/jpeg"
    assert max(int(item["width"]), int(item["height"])) == 1600
    assert max(int(item["thumb_width"]), int(item["thumb_height"])) == 320

    # and both images are in the media bucket: typed, cached for ever, without metadata
    for which in ("thumb", "display"):
        found = pipeline.media_object(item[f"{which}_key"])
        assert found["ContentType"] == "image/jpeg"
        assert found["CacheControl"] == "public, max-age=31536000, immutable"
        assert found["Metadata"] == {}
        assert_no_metadata(found["Data"], "image/jpeg")
        im = decoded(found["Data"])
        assert im.size == (
            int(item[f"{which}_width"] if which == "thumb" else item["width"]),
            int(item["thumb_height"] if which == "thumb" else item["height"]),
        )
    assert pipeline.media_keys() == sorted([item["thumb_key"], item["display_key"]])


@needs_shared
@pytest.mark.parametrize("orientation", [1, 3, 6, 8])
def test_photos_come_out_upright(pipeline: Pipeline, orientation: int) -> None:
    landscape = pipeline.upload(photo("exif-orientation", f"Landscape_{orientation}.jpg"))
    portrait = pipeline.upload(photo("exif-orientation", f"Portrait_{orientation}.jpg"))

    pipeline.deliver(*landscape.messages, *portrait.messages)

    wide = pipeline.attachment(landscape.attachment_id)
    tall = pipeline.attachment(portrait.attachment_id)
    assert int(wide["width"]) > int(wide["height"])
    assert int(tall["width"]) < int(tall["height"])


@needs_shared
@pytest.mark.parametrize("name", ["DSCN0010.jpg", "DSCN0021.jpg"])
def test_gps_and_every_other_metadata_are_gone(pipeline: Pipeline, name: str) -> None:
    upload = pipeline.upload(photo("gps", name))

    pipeline.deliver(*upload.messages)

    item = pipeline.attachment(upload.attachment_id)
    assert item["status"] == "ready"
    for key in (item["thumb_key"], item["display_key"]):
        data = pipeline.media_object(key)["Data"]
        assert_no_metadata(data, "image/jpeg")
        assert b"GPS" not in data


def test_transparent_images_become_webp(pipeline: Pipeline) -> None:
    upload = pipeline.upload(png((300, 200), "RGBA"), "image/png")

    pipeline.deliver(*upload.messages)

    item = pipeline.attachment(upload.attachment_id)
    assert item["status"] == "ready" and item["media_type"] == "image/webp"
    assert item["thumb_key"].endswith("/thumb.webp")
    assert pipeline.media_object(item["display_key"])["ContentType"] == "image/webp"


def test_an_avatar_is_square_and_its_profile_shows_it(pipeline: Pipeline) -> None:
    # Given a member whose profile points at an avatar upload that is still pending
    upload = pipeline.upload(png((900, 600)), "image/png", purpose="avatar")
    Profile(schema.user_pk(MEMBER.user_id), schema.PROFILE_SK).update(
        actions=[Profile.avatar_attachment_id.set(upload.attachment_id)]
    )

    pipeline.deliver(*upload.messages)

    item = pipeline.attachment(upload.attachment_id)
    assert item["status"] == "ready"
    assert (int(item["width"]), int(item["height"])) == (512, 512)
    assert (int(item["thumb_width"]), int(item["thumb_height"])) == (256, 256)
    profile = Profile.get(schema.user_pk(MEMBER.user_id), schema.PROFILE_SK, consistent_read=True)
    assert profile.avatar_thumb_key == item["thumb_key"]
    assert profile.avatar_display_key == item["display_key"]


def test_a_post_that_shows_a_pending_attachment_gets_its_images(pipeline: Pipeline) -> None:
    # Given a post written while its attachment was pending
    upload = pipeline.upload(png((800, 600)), "image/png")
    pending = attachments.find(upload.attachment_id, consistent=True)
    assert pending is not None
    use = attachments.post_use("topic1", 2)
    pending.update(actions=[schema_attached(use)])
    post = Post(
        schema.topic_pk("topic1"),
        schema.post_sk(2),
        topic_id="topic1",
        number=2,
        author=person(MEMBER.user_id, MEMBER.name),
        created_at="2026-01-01T00:00:00.000000Z",
        body="look",
        body_html="<p>look</p>",
        attachments=[
            PostAttachment(id="other-attachment-0001", filename="x.jpg", status="ready"),
            attachments.entry(pending),
        ],
    )
    post.save()

    # When the images are made
    pipeline.deliver(*upload.messages)

    # Then the post's copy is ready too, in its place, and the post's version is the author's
    stored = Post.get(schema.topic_pk("topic1"), schema.post_sk(2), consistent_read=True)
    assert stored.attachments is not None
    first, second = stored.attachments
    assert first.id == "other-attachment-0001"
    assert second.id == upload.attachment_id and second.status == "ready"
    assert second.thumb_key == f"media/{upload.attachment_id}/thumb.jpg"
    assert stored.version == post.version
    shown = attachments.shown(stored)
    assert [picture.id for picture in shown] == [upload.attachment_id]
    assert shown[0].thumb_url == f"/media/{upload.attachment_id}/thumb.jpg"


def schema_attached(use: str) -> Any:
    from forum.models import Attachment

    return Attachment.attached_to.set(use)


# --- uploads that cannot be images fail with a reason, and are done -------------------------------


def truncated_jpeg() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((640, 480), 60).convert("RGB").save(out, "JPEG", quality=90)
    data = out.getvalue()
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    ("data", "content_type", "code", "reason"),
    [
        (b"", "image/jpeg", "empty", "The file is empty."),
        (b"just some text, not a picture\n" * 20, "image/jpeg", "not-image", "not an image"),
        (b"%PDF-1.7\n" + b"0" * 500, "image/png", "not-image", "not an image"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/png", "unsupported", "SVG"),
        (truncated_jpeg(), "image/jpeg", "damaged", "damaged or incomplete"),
        (
            png_header_only(20_000, 20_000),
            "image/png",
            "too-many-pixels",
            "20000\N{MULTIPLICATION SIGN}20000",
        ),
        (png(), "image/jpeg", "type-mismatch", "PNG image but was uploaded as image/jpeg"),
    ],
    ids=["empty", "text", "pdf", "svg", "truncated", "huge-header", "mismatched-type"],
)
def test_a_file_that_cannot_be_an_image_fails_with_a_reason_and_is_not_retried(
    pipeline: Pipeline, data: bytes, content_type: str, code: str, reason: str
) -> None:
    upload = pipeline.upload(data, content_type)

    answer = pipeline.deliver(*upload.messages)

    assert answer == {"batchItemFailures": []}
    item = pipeline.attachment(upload.attachment_id)
    assert item["status"] == "failed" and item["failure"] == code
    assert reason in item["reason"]
    assert "thumb_key" not in item and pipeline.media_keys() == []


@needs_shared
@pytest.mark.parametrize("name", ["corrupted.jpg", "image01088.jpg", "image01551.jpg"])
def test_broken_files_end_ready_or_failed_with_a_reason(pipeline: Pipeline, name: str) -> None:
    upload = pipeline.upload(photo("broken", name))

    assert pipeline.deliver(*upload.messages) == {"batchItemFailures": []}

    item = pipeline.attachment(upload.attachment_id)
    assert item["status"] in ("ready", "failed")
    if item["status"] == "failed":
        assert item["reason"]


@needs_shared
def test_a_heif_photo_is_converted_or_refused_as_unsupported(pipeline: Pipeline) -> None:
    upload = pipeline.upload(photo("heif", "samplefilehub.heif"), "image/heif")

    pipeline.deliver(*upload.messages)

    item = pipeline.attachment(upload.attachment_id)
    assert item["status"] == "ready" or "unsupported" in item["reason"]


def test_a_file_over_the_limit_is_refused_without_reading_it(
    pipeline: Pipeline, limit: Any
) -> None:
    # Given a limit of 10 KB and a 40 KB upload (moto enforces no POST policy)
    limit(10 * 1024)
    upload = pipeline.upload(png((64, 48)) + b"\x00" * 40_000, "image/png")
    reads: list[int] = []

    def count_reads(**kwargs: Any) -> None:
        reads.append(1)

    storage.s3().meta.events.register("after-call.s3.GetObject", count_reads)
    try:
        answer = pipeline.deliver(*upload.messages)
    finally:
        storage.s3().meta.events.unregister("after-call.s3.GetObject", count_reads)

    assert answer == {"batchItemFailures": []}
    item = pipeline.attachment(upload.attachment_id)
    assert item["status"] == "failed" and item["failure"] == "too-large"
    assert item["reason"] == "The file is larger than 10 KB."
    assert reads == [1]  # one GET, whose body was closed unread


def test_an_original_that_is_gone_fails_the_attachment(pipeline: Pipeline) -> None:
    upload = pipeline.upload(png())
    pipeline.s3.delete_object(Bucket=pipeline.uploads, Key=upload.key)

    assert pipeline.deliver(*upload.messages) == {"batchItemFailures": []}

    item = pipeline.attachment(upload.attachment_id)
    assert item["status"] == "failed" and item["failure"] == "missing"


# --- messages that are not uploads -------------------------------------------------------------


def message(body: str) -> dict[str, Any]:
    return {"MessageId": "m-" + str(abs(hash(body))), "ReceiptHandle": "r", "Body": body}


def test_test_events_and_foreign_messages_are_dropped(pipeline: Pipeline) -> None:
    s3_test = json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": "b"})
    other_key = json.dumps(
        {
            "Records": [
                {
                    "eventName": "ObjectCreated:Put",
                    "s3": {
                        "bucket": {"name": pipeline.uploads},
                        "object": {"key": "elsewhere%2Fx"},
                    },
                }
            ]
        }
    )
    unknown = json.dumps(
        {
            "Records": [
                {
                    "eventName": "ObjectCreated:Post",
                    "s3": {
                        "bucket": {"name": pipeline.uploads},
                        "object": {"key": "originals%2Fno-such-attachment-0001"},
                    },
                }
            ]
        }
    )

    answer = pipeline.deliver(
        message(s3_test),
        message("not json"),
        message("[1, 2]"),
        message(other_key),
        message(unknown),
    )

    assert answer == {"batchItemFailures": []}


# --- redelivery and retries --------------------------------------------------------------------


def test_a_redelivered_message_gives_the_same_record_and_images(pipeline: Pipeline) -> None:
    upload = pipeline.upload(png((700, 500)), "image/png")
    pipeline.deliver(*upload.messages)
    first = pipeline.attachment(upload.attachment_id)
    images = {key: pipeline.media_object(key)["Data"] for key in pipeline.media_keys()}
    puts: list[int] = []

    def count_puts(**kwargs: Any) -> None:
        puts.append(1)

    storage.s3().meta.events.register("before-call.s3.PutObject", count_puts)
    try:
        # When the same message comes again (SQS delivers at least once)
        assert pipeline.deliver(*upload.messages) == {"batchItemFailures": []}
    finally:
        storage.s3().meta.events.unregister("before-call.s3.PutObject", count_puts)

    # Then nothing changes, and the images are not written again
    assert pipeline.attachment(upload.attachment_id) == first
    assert {key: pipeline.media_object(key)["Data"] for key in pipeline.media_keys()} == images
    assert puts == []


def test_two_deliveries_at_once_settle_on_the_same_record(pipeline: Pipeline) -> None:
    # Given a delivery that made the images while another one, which read the attachment as
    # pending too, is about to mark it ready with the same keys
    upload = pipeline.upload(png((700, 500)), "image/png")
    pipeline.deliver(*upload.messages)
    first = pipeline.attachment(upload.attachment_id)

    again = processing.mark_ready(
        upload.attachment_id,
        width=int(first["width"]),
        height=int(first["height"]),
        thumb_width=int(first["thumb_width"]),
        thumb_height=int(first["thumb_height"]),
        thumb_key=first["thumb_key"],
        display_key=first["display_key"],
        media_type=first["media_type"],
    )

    assert again is not None
    assert pipeline.attachment(upload.attachment_id) == first
    # while other keys would not overwrite it, nor would a failure
    other = processing.mark_ready(
        upload.attachment_id,
        width=1,
        height=1,
        thumb_width=1,
        thumb_height=1,
        thumb_key="media/x/thumb.webp",
        display_key="media/x/display.webp",
        media_type="image/webp",
    )
    assert other is None
    assert processing.mark_failed(upload.attachment_id, "no", "damaged") is None
    assert pipeline.attachment(upload.attachment_id) == first


def test_when_s3_fails_only_that_message_is_retried(pipeline: Pipeline) -> None:
    # Given two uploads in one batch, and S3 failing to give one of them back
    good = pipeline.upload(png((400, 300)), "image/png")
    bad = pipeline.upload(png((500, 300)), "image/png")

    def s3_fails(params: dict[str, Any], **kwargs: Any) -> None:
        if params.get("Key") == bad.key:
            raise ClientError(
                {"Error": {"Code": "InternalError", "Message": "injected"}}, "GetObject"
            )

    events = storage.s3().meta.events
    events.register("before-parameter-build.s3.GetObject", s3_fails)
    try:
        answer = pipeline.deliver(*good.messages, *bad.messages)
    finally:
        events.unregister("before-parameter-build.s3.GetObject", s3_fails)

    # Then only the failed message is reported, and its attachment is still pending
    assert answer == {"batchItemFailures": [{"itemIdentifier": bad.messages[0]["MessageId"]}]}
    assert pipeline.attachment(good.attachment_id)["status"] == "ready"
    assert pipeline.attachment(bad.attachment_id)["status"] == "pending"

    # and its retry, once S3 is back, makes the images
    assert pipeline.deliver(*bad.messages) == {"batchItemFailures": []}
    assert pipeline.attachment(bad.attachment_id)["status"] == "ready"


MEDIA_FAULTS = [
    ClientError({"Error": {"Code": "SlowDown", "Message": "injected"}}, "PutObject"),
    ClientError({"Error": {"Code": "InternalError", "Message": "injected"}}, "PutObject"),
    ClientError({"Error": {"Code": "AccessDenied", "Message": "injected"}}, "PutObject"),
    EndpointConnectionError(endpoint_url="https://forum-media-test.s3.amazonaws.com"),
    ReadTimeoutError(endpoint_url="https://forum-media-test.s3.amazonaws.com"),
]


@pytest.mark.parametrize("fault", MEDIA_FAULTS, ids=lambda fault: str(fault)[:40])
def test_a_media_write_failing_half_way_settles_nothing_and_the_retry_finishes(
    pipeline: Pipeline, fault: Exception
) -> None:
    # Given an upload in use by a post, and S3 refusing the second of its two images
    upload = pipeline.upload(png((700, 500)), "image/png")
    pending = attachments.find(upload.attachment_id, consistent=True)
    assert pending is not None
    pending.update(actions=[schema_attached(attachments.post_use("topic1", 1))])
    Post(
        schema.topic_pk("topic1"),
        schema.post_sk(1),
        topic_id="topic1",
        number=1,
        author=person(MEMBER.user_id, MEMBER.name),
        created_at="2026-01-01T00:00:00.000000Z",
        body="look",
        body_html="<p>look</p>",
        attachments=[attachments.entry(pending)],
    ).save()

    def display_fails(params: dict[str, Any], **kwargs: Any) -> None:
        if "/display." in params.get("Key", ""):
            raise fault

    events = storage.s3().meta.events
    events.register("before-parameter-build.s3.PutObject", display_fails)
    try:
        answer = pipeline.deliver(*upload.messages)
    finally:
        events.unregister("before-parameter-build.s3.PutObject", display_fails)

    # Then the message comes back, and nothing that pages read has changed: the attachment is
    # pending and the post's copy too (the thumbnail written is at the key the retry writes)
    assert answer == {"batchItemFailures": [{"itemIdentifier": upload.messages[0]["MessageId"]}]}
    assert pipeline.attachment(upload.attachment_id)["status"] == "pending"
    post = Post.get(schema.topic_pk("topic1"), schema.post_sk(1), consistent_read=True)
    assert [item.status for item in post.attachments or []] == ["pending"]

    # and the retry, once S3 takes writes again, makes both images and settles everything
    assert pipeline.deliver(*upload.messages) == {"batchItemFailures": []}
    item = pipeline.attachment(upload.attachment_id)
    assert item["status"] == "ready"
    assert pipeline.media_keys() == sorted([item["thumb_key"], item["display_key"]])
    post = Post.get(schema.topic_pk("topic1"), schema.post_sk(1), consistent_read=True)
    assert [item.status for item in post.attachments or []] == ["ready"]


def test_an_original_whose_read_times_out_is_retried(pipeline: Pipeline) -> None:
    # Given S3 giving back an original whose body stops coming half-way
    upload = pipeline.upload(png((400, 300)), "image/png")
    closed: list[bool] = []

    class StalledBody:
        def read(self, amount: int | None = None) -> bytes:
            raise ReadTimeoutError(endpoint_url="https://forum-uploads-test.s3.amazonaws.com")

        def close(self) -> None:
            closed.append(True)

    def stall(parsed: dict[str, Any], **kwargs: Any) -> None:
        parsed["Body"].close()
        parsed["Body"] = StalledBody()

    events = storage.s3().meta.events
    events.register("after-call.s3.GetObject", stall)
    try:
        answer = pipeline.deliver(*upload.messages)
    finally:
        events.unregister("after-call.s3.GetObject", stall)

    # Then the message is retried (not failed as a bad file), the connection is let go
    assert answer == {"batchItemFailures": [{"itemIdentifier": upload.messages[0]["MessageId"]}]}
    assert closed == [True]
    assert pipeline.attachment(upload.attachment_id)["status"] == "pending"
    assert pipeline.media_keys() == []
    # and the retry makes the images
    assert pipeline.deliver(*upload.messages) == {"batchItemFailures": []}
    assert pipeline.attachment(upload.attachment_id)["status"] == "ready"


def test_a_failing_table_retries_the_message(pipeline: Pipeline) -> None:
    upload = pipeline.upload(png())

    def table_fails(params: dict[str, Any], **kwargs: Any) -> None:
        raise ClientError(
            {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow"}},
            "UpdateItem",
        )

    from forum.models import Attachment

    events = Attachment._get_connection().connection.client.meta.events
    events.register("before-parameter-build.dynamodb.UpdateItem", table_fails)
    try:
        answer = pipeline.deliver(*upload.messages)
    finally:
        events.unregister("before-parameter-build.dynamodb.UpdateItem", table_fails)

    assert answer["batchItemFailures"] == [{"itemIdentifier": upload.messages[0]["MessageId"]}]
    assert pipeline.attachment(upload.attachment_id)["status"] == "pending"


def test_bad_files_never_loop_through_the_queue(pipeline: Pipeline) -> None:
    # Given good and bad uploads on the queue, and the SQS path of the local runtime
    uploads = [
        pipeline.upload(png()),  # a PNG declared as JPEG
        pipeline.upload(b"not an image at all"),
        pipeline.upload(truncated_jpeg()),
        pipeline.upload(png((80, 60)), "image/png"),
    ]
    for upload in uploads:  # visible on the queue again, as S3 left them
        for received in upload.messages:
            pipeline.sqs.change_message_visibility(
                QueueUrl=pipeline.queue_url,
                ReceiptHandle=received["ReceiptHandle"],
                VisibilityTimeout=0,
            )
    trigger = QueueTrigger(pipeline.queue_url, "thumbnail", batch_size=5, report_failures=True)

    def invoke(name: str, event: dict[str, Any]) -> Any:
        from thumbnail.handler import lambda_handler

        from ..conftest import LambdaContextStub

        return lambda_handler(event, LambdaContextStub())

    # When the poller runs until the queue is empty
    rounds = 0
    while poll_once(pipeline.sqs, trigger, pipeline.queue_arn, invoke, wait=0):
        rounds += 1
        assert rounds < 10

    # Then every upload is settled in one pass: no message is left to come back, and none
    # went to the dead-letter queue
    statuses = [pipeline.attachment(upload.attachment_id)["status"] for upload in uploads]
    assert statuses == ["failed", "failed", "failed", "ready"]
    assert rounds == 1
    assert messages_in(pipeline, pipeline.queue_url) == 0
    assert messages_in(pipeline, pipeline.dead_url) == 0


def messages_in(pipeline: Pipeline, url: str) -> int:
    attributes = pipeline.sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return sum(int(value) for value in attributes.values())
