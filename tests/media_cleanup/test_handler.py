"""The media cleanup function: an attachment item that is gone takes its images with it, and
nothing else is touched.

Each test writes attachments to a moto table whose stream keeps the keys of what changed, puts
their images in a moto bucket, deletes an item as DynamoDB's TTL would, reads the stream's real
records, hands them to the real changes function, which sends the media cleanup's queue what it
wants, and hands the queue's messages to the real handler, as the event source mappings do.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from forum import attachments, changes, media, schema, storage
from forum.models import Attachment
from forum.settings import get_settings

from ..conftest import aws_client
from .conftest import Forum


def test_a_removed_attachment_loses_its_images_and_the_others_keep_theirs(
    forum: Forum,
) -> None:
    # Given three attachments with their images, one of them with images of another type
    gone = forum.upload()
    other = forum.upload(("thumb.webp", "display.webp"))
    kept = forum.upload()
    assert len(forum.media_keys()) == 6

    # When DynamoDB removes the first one's item and its change reaches the function
    forum.remove(gone)
    messages = forum.fan_out(forum.records())
    assert [changes.decode(m["Body"]).pk for m in messages] == [schema.attachment_pk(gone)]
    answer = forum.consume(messages)

    # Then its images are gone and nobody else's
    assert answer == {"batchItemFailures": []}
    assert forum.media_keys(gone) == []
    assert forum.media_keys() == sorted(
        [
            f"media/{other}/display.webp",
            f"media/{other}/thumb.webp",
            f"media/{kept}/display.jpg",
            f"media/{kept}/thumb.jpg",
        ]
    )


def test_a_batch_of_removals_and_a_redelivery_and_an_attachment_without_images(
    forum: Forum,
) -> None:
    # Given attachments with images and one whose images were never made (a failed upload)
    with_images = [forum.upload() for _ in range(3)]
    without = forum.upload(images=())
    for attachment_id in [*with_images, without]:
        forum.remove(attachment_id)
    messages = forum.fan_out(forum.records())
    assert len(messages) == 4

    # When they arrive in one batch, and then once more (a change delivered twice), and the
    # other way round
    assert forum.consume(messages) == {"batchItemFailures": []}
    assert forum.consume(messages) == {"batchItemFailures": []}
    assert forum.consume(messages[::-1]) == {"batchItemFailures": []}

    # Then nothing is left, and nothing failed for what was already gone
    assert forum.media_keys() == []


def test_what_is_not_the_removal_of_an_attachment_is_passed_over(forum: Forum) -> None:
    # Given a stream with an attachment written (INSERT) and changed (MODIFY), a member's
    # profile made, and another item of the table removed (a viewer's presence, by its TTL)
    attachment_id = forum.upload()
    pending = attachments.find(attachment_id, consistent=True)
    assert pending is not None
    pending.update(actions=[Attachment.filename.set("renamed.jpg")])
    viewer = {"pk": {"S": schema.topic_pk("t1")}, "sk": {"S": "VIEWER#member#user-member"}}
    table = get_settings().table_name
    aws_client("dynamodb").put_item(TableName=table, Item=viewer)
    aws_client("dynamodb").delete_item(TableName=table, Key=viewer)
    # and the removal of an item whose key only looks like an attachment's
    odd = {"pk": {"S": "ATTACHMENT#../x"}, "sk": {"S": schema.ATTACHMENT_SK}}
    aws_client("dynamodb").put_item(TableName=table, Item=odd)
    aws_client("dynamodb").delete_item(TableName=table, Key=odd)
    records = forum.records()
    assert {record["eventName"] for record in records} == {"INSERT", "MODIFY", "REMOVE"}
    # (the changes function sends the queue only the odd removal)
    sent = forum.fan_out(records)
    assert [changes.decode(m["Body"]).pk for m in sent] == [odd["pk"]["S"]]

    # When all of them reach the function anyway (a subscription changed by hand), with a
    # message that is no change at all
    sqs = aws_client("sqs")
    for change in map(changes.from_stream_record, forum.stream.event(records)["Records"]):
        assert change is not None
        sqs.send_message(QueueUrl=forum.queue.url, MessageBody=change.encode())
    sqs.send_message(QueueUrl=forum.queue.url, MessageBody="not a change")
    answer = forum.consume(forum.queue.take())

    # Then none fails, and the attachment's images are still there
    assert answer == {"batchItemFailures": []}
    assert forum.media_keys(attachment_id) == [
        f"media/{attachment_id}/display.jpg",
        f"media/{attachment_id}/thumb.jpg",
    ]


def refused_keys(failing: str) -> tuple[Any, Any]:
    """Make S3 refuse to delete the display image of one attachment as it reports keys it could
    not delete: the request succeeds (200), the others go, and that key is listed in Errors."""

    def hold_back(params: dict[str, Any], context: dict[str, Any], **kwargs: Any) -> None:
        objects = params["Delete"]["Objects"]
        context["refused"] = [o for o in objects if o["Key"] == f"media/{failing}/display.jpg"]
        params["Delete"]["Objects"] = [o for o in objects if o not in context["refused"]]

    def report(parsed: dict[str, Any], context: dict[str, Any], **kwargs: Any) -> None:
        if context.get("refused"):
            parsed["Errors"] = [
                {"Key": o["Key"], "Code": "InternalError", "Message": "injected"}
                for o in context["refused"]
            ]

    return hold_back, report


S3_FAULTS = [
    ClientError({"Error": {"Code": "SlowDown", "Message": "injected"}}, "DeleteObjects"),
    ClientError({"Error": {"Code": "AccessDenied", "Message": "injected"}}, "ListObjectsV2"),
    EndpointConnectionError(endpoint_url="https://forum-media-test.s3.amazonaws.com"),
    "errors in the answer",
]


@pytest.mark.parametrize("fault", S3_FAULTS, ids=lambda fault: str(fault)[:40])
def test_when_s3_fails_that_record_is_reported_and_its_retry_finishes(
    forum: Forum, fault: Exception | str
) -> None:
    # Given three removed attachments in one batch, and S3 failing for the second one
    first, failing, third = (forum.upload() for _ in range(3))
    for attachment_id in (first, failing, third):
        forum.remove(attachment_id)
    messages = forum.fan_out(forum.records())
    assert len(messages) == 3

    events = storage.s3().meta.events
    hooks: list[tuple[str, Any]] = []
    if isinstance(fault, str):
        hold_back, report = refused_keys(failing)
        hooks = [
            ("before-parameter-build.s3.DeleteObjects", hold_back),
            ("after-call.s3.DeleteObjects", report),
        ]
    else:
        operation = "DeleteObjects" if "DeleteObjects" in str(fault) else "ListObjectsV2"

        def s3_fails(params: dict[str, Any], **kwargs: Any) -> None:
            if f"media/{failing}/" in str(params):
                raise fault

        hooks = [(f"before-parameter-build.s3.{operation}", s3_fails)]
    for event_name, hook in hooks:
        events.register(event_name, hook)
    try:
        answer = forum.consume(messages)
    finally:
        for event_name, hook in hooks:
            events.unregister(event_name, hook)

    # Then only its message is reported, by its id, and its display image is still there
    (failed,) = [m for m in messages if failing in m["Body"]]
    assert answer == {"batchItemFailures": [{"itemIdentifier": failed["MessageId"]}]}
    assert forum.media_keys(first) == [] and forum.media_keys(third) == []
    assert f"media/{failing}/display.jpg" in forum.media_keys(failing)

    # and its retry (the message comes back after its visibility timeout) finishes the work
    assert forum.consume([failed]) == {"batchItemFailures": []}
    assert forum.media_keys() == []


# --- the pieces ---------------------------------------------------------------------------------


def test_many_images_are_deleted_a_page_at_a_time(forum: Forum) -> None:
    attachment_id = forum.upload(tuple(f"{n}.jpg" for n in range(7)))
    kept = forum.upload()
    folder = media.media_folder(attachment_id)
    assert storage.delete_under(forum.media, folder, page_size=3) == 7
    assert forum.media_keys(attachment_id) == [] and len(forum.media_keys(kept)) == 2
    assert storage.delete_under(forum.media, folder) == 0


@pytest.mark.parametrize("prefix", ["", "/", "media", "media/abc"])
def test_only_a_folder_is_ever_emptied(prefix: str) -> None:
    with pytest.raises(ValueError):
        storage.delete_under("bucket", prefix)


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ({"pk": "ATTACHMENT#" + "a" * 22, "sk": "ATTACHMENT"}, "a" * 22),
        ({"pk": "ATTACHMENT#AbC-d_e0123456789xyz", "sk": "ATTACHMENT"}, "AbC-d_e0123456789xyz"),
        ({"pk": "ATTACHMENT#", "sk": "ATTACHMENT"}, None),
        ({"pk": "ATTACHMENT#short", "sk": "ATTACHMENT"}, None),
        ({"pk": "ATTACHMENT#../../media", "sk": "ATTACHMENT"}, None),
        ({"pk": "ATTACHMENT#" + "a" * 22, "sk": "OTHER"}, None),
        ({"pk": "USER#" + "a" * 22, "sk": "ATTACHMENT"}, None),
        ({"pk": "TOPIC#t1", "sk": "POST#0000000001"}, None),
        ({"sk": "ATTACHMENT"}, None),
        ({}, None),
    ],
)
def test_which_removed_items_are_attachments(keys: dict[str, Any], expected: str | None) -> None:
    assert media.removed_attachment_id(keys) == expected


def test_images_are_deleted_only_for_an_attachment_id() -> None:
    with pytest.raises(ValueError):
        media.delete_images("")
