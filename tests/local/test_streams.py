"""The local runtime reads the table's stream as Lambda's event source mapping does: shards and
iterators from the DynamoDB Streams API, the mapping's batch size and filters, retries from the
first failed record, bisection, the on-failure queue, and where it left off after a restart.
The last test runs the whole fan-out path: stream, changes function, queue, media cleanup."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from forum import fanout, media, schema, storage, uploads
from forum.identity import Member
from forum.settings import get_settings
from local.deployed import QueueTrigger, StreamTrigger
from local.poller import poll_once
from local.streams import Checkpoints, StreamReader, lambda_record, matches

from ..conftest import aws_client
from ..streams import STREAM, Stream, Subscriptions, streams_client


@pytest.fixture
def stream(aws: None) -> Iterator[Stream]:
    arguments = schema.create_table_arguments(get_settings().table_name)
    aws_client("dynamodb").create_table(**arguments, StreamSpecification=STREAM)
    yield Stream.of_table(arguments["TableName"])
    get_settings.cache_clear()


class Function:
    """A function that keeps the events it got and answers as it is told."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.answers: list[Any] = []

    def __call__(self, name: str, event: dict[str, Any]) -> Any:
        self.events.append(event)
        answer = self.answers.pop(0) if self.answers else {"batchItemFailures": []}
        if isinstance(answer, Exception):
            raise answer
        return answer

    def sequences(self) -> list[list[str]]:
        return [[r["dynamodb"]["SequenceNumber"] for r in e["Records"]] for e in self.events]


def posts(count: int, topic: str = "t1") -> None:
    for number in range(1, count + 1):
        item = {"pk": {"S": schema.topic_pk(topic)}, "sk": {"S": schema.post_sk(number)}}
        aws_client("dynamodb").put_item(TableName=get_settings().table_name, Item=item)


def trigger(stream: Stream, **options: Any) -> StreamTrigger:
    return StreamTrigger(
        **{
            "stream_arn": stream.arn,
            "function": "Changes",
            "batch_size": 100,
            "report_failures": True,
            **options,
        }
    )


def sequences_of(stream: Stream) -> list[str]:
    return [r["dynamodb"]["SequenceNumber"] for r in stream.records()]


def test_records_come_in_batches_in_lambdas_event(stream: Stream) -> None:
    posts(5)
    function = Function()
    reader = StreamReader(streams_client(), None, trigger(stream, batch_size=2), function)

    while reader.poll_once():
        pass

    every = sequences_of(stream)
    assert function.sequences() == [every[0:2], every[2:4], every[4:5]]
    record = function.events[0]["Records"][0]
    assert record["eventSourceARN"] == stream.arn and record["eventName"] == "INSERT"
    assert isinstance(record["dynamodb"]["ApproximateCreationDateTime"], int)
    assert record["dynamodb"]["Keys"]["sk"] == {"S": schema.post_sk(1)}
    # Nothing new: nothing handed over
    assert reader.poll_once() == 0 and len(function.events) == 3


def test_the_mappings_filters_are_lambdas(stream: Stream) -> None:
    # Given the filter the stack makes for the media cleanup's subscription
    cleanup = fanout.Subscription(
        "MediaCleanup", "q", frozenset({"attachment"}), frozenset({"REMOVE"})
    )
    (pattern,) = fanout.stream_filters([cleanup]) or []
    table = get_settings().table_name
    attachment = {"pk": {"S": schema.attachment_pk("a" * 22)}, "sk": {"S": schema.ATTACHMENT_SK}}
    aws_client("dynamodb").put_item(TableName=table, Item=attachment)
    posts(2)
    aws_client("dynamodb").delete_item(TableName=table, Key=attachment)
    function = Function()
    reader = StreamReader(streams_client(), None, trigger(stream, filters=(pattern,)), function)

    reader.poll_once()

    # Then only the removal reaches the function
    (event,) = function.events
    assert [(r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"]) for r in event["Records"]] == [
        ("REMOVE", schema.attachment_pk("a" * 22))
    ]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ({"eventName": ["INSERT"]}, True),
        ({"eventName": ["REMOVE", "MODIFY"]}, False),
        ({"dynamodb": {"Keys": {"pk": {"S": [{"prefix": "TOPIC#"}]}}}}, True),
        ({"dynamodb": {"Keys": {"pk": {"S": [{"prefix": "USER#"}]}}}}, False),
        ({"dynamodb": {"Keys": {"sk": {"S": [{"anything-but": ["TOPIC"]}]}}}}, True),
        ({"dynamodb": {"NewImage": [{"exists": False}]}}, True),
        ({"dynamodb": {"NewImage": {"body": {"S": ["x"]}}}}, False),
        ({"eventName": [{"prefix": "IN"}], "awsRegion": ["eu-west-1"]}, False),
    ],
)
def test_filter_syntax(pattern: dict[str, Any], expected: bool) -> None:
    record = {
        "eventName": "INSERT",
        "awsRegion": "us-east-1",
        "dynamodb": {"Keys": {"pk": {"S": "TOPIC#t1"}, "sk": {"S": "POST#0000000001"}}},
    }
    assert matches(pattern, record) is expected


def test_a_partial_failure_is_retried_from_the_first_failed_record(stream: Stream) -> None:
    posts(4)
    every = sequences_of(stream)
    function = Function()
    # The function reports the third and the fourth record
    function.answers = [
        {"batchItemFailures": [{"itemIdentifier": every[3]}, {"itemIdentifier": every[2]}]}
    ]
    reader = StreamReader(streams_client(), None, trigger(stream), function)

    reader.poll_once()
    reader.poll_once()

    assert function.sequences() == [every, every[2:]]
    assert reader.poll_once() == 0 and len(function.events) == 2


def test_a_failing_function_is_bisected_then_its_batch_goes_to_the_on_failure_queue(
    stream: Stream,
) -> None:
    posts(4)
    every = sequences_of(stream)
    sqs = aws_client("sqs")
    failed_url = sqs.create_queue(QueueName="forum-changes-dead-letters")["QueueUrl"]
    function = Function()
    function.answers = [RuntimeError("boom")] * 3
    reader = StreamReader(
        streams_client(),
        sqs,
        trigger(stream, bisect=True, retry_attempts=2, on_failure_queue_url=failed_url),
        function,
    )

    for _ in range(4):
        reader.poll_once()

    # Halved at each failure, then given up after two retries, and the rest handed over
    assert function.sequences() == [every, every[:2], every[:1], every[1:]]
    (message,) = sqs.receive_message(QueueUrl=failed_url)["Messages"]
    info = json.loads(message["Body"])["DDBStreamBatchInfo"]
    assert (info["startSequenceNumber"], info["endSequenceNumber"]) == (every[0], every[0])
    assert info["streamArn"] == stream.arn and info["batchSize"] == 1


def test_after_a_restart_the_stream_is_read_from_where_it_was_left(
    stream: Stream, tmp_path: Path
) -> None:
    posts(3)
    checkpoints = tmp_path / "streams.json"
    first = Function()
    StreamReader(
        streams_client(), None, trigger(stream), first, Checkpoints(checkpoints)
    ).poll_once()
    posts(5, topic="t2")
    every = sequences_of(stream)

    again = Function()
    used: list[str] = []
    reader = StreamReader(
        streams_client(), None, trigger(stream), again, Checkpoints(checkpoints), used.append
    )
    reader.poll_once()

    assert first.sequences() == [every[:3]] and again.sequences() == [every[3:]]
    # and every iterator it used is let go (the local AWS would keep it)
    assert len(used) == 2


def test_a_removed_attachment_loses_its_images_through_the_whole_fan_out(
    stream: Stream, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the media cleanup subscribed as the stack subscribes it, and an attachment with
    # its images
    s3 = aws_client("s3")
    s3.create_bucket(Bucket=get_settings().media_bucket)
    queue = Subscriptions(monkeypatch).subscribe(
        "MediaCleanup", kinds={"attachment"}, events={"REMOVE"}
    )
    from forum import models

    models.configure(get_settings())
    upload = uploads.create_upload(Member("user-member", "member"), "a.jpg", "image/jpeg", 10)
    attachment_id = upload.attachment.attachment_id
    storage.put_media(f"{media.media_folder(attachment_id)}thumb.jpg", b"x", "image/jpeg")
    patterns = fanout.stream_filters(fanout.parse(get_settings().change_subscriptions))

    # When its item goes (as DynamoDB's TTL deletes it)
    aws_client("dynamodb").delete_item(
        TableName=get_settings().table_name,
        Key={"pk": {"S": schema.attachment_pk(attachment_id)}, "sk": {"S": schema.ATTACHMENT_SK}},
    )

    # and the runtime's stream reader and queue poller run the real functions
    from changes.handler import lambda_handler as changes_handler
    from media_cleanup.handler import lambda_handler as cleanup_handler

    from ..conftest import LambdaContextStub

    handlers = {"Changes": changes_handler, "MediaCleanup": cleanup_handler}

    def invoke(name: str, event: dict[str, Any]) -> Any:
        return handlers[name](event, LambdaContextStub())

    reader = StreamReader(
        streams_client(), aws_client("sqs"), trigger(stream, filters=tuple(patterns or ())), invoke
    )
    reader.poll_once()
    queue_trigger = QueueTrigger(queue.url, "MediaCleanup", 10, report_failures=True)
    assert poll_once(aws_client("sqs"), queue_trigger, queue.arn, invoke, wait=0) == 1

    # Then its images are gone
    assert s3.list_objects_v2(Bucket=get_settings().media_bucket).get("KeyCount") == 0


def test_a_record_as_lambda_hands_it() -> None:
    record = {"eventName": "INSERT", "dynamodb": {"SequenceNumber": "1"}}
    assert lambda_record(record, "arn") == {
        "eventName": "INSERT",
        "dynamodb": {"SequenceNumber": "1"},
        "eventSourceARN": "arn",
        "awsRegion": "us-east-1",
    }


def test_records_after_a_refused_transaction_are_read(stream: Stream) -> None:
    # moto puts a copy of the table in place of the one a refused transaction touched; an
    # iterator made before it would read the old copy's stream for ever
    posts(1)
    function = Function()
    reader = StreamReader(streams_client(), None, trigger(stream), function)
    reader.poll_once()
    table = get_settings().table_name
    with pytest.raises(aws_client("dynamodb").exceptions.TransactionCanceledException):
        aws_client("dynamodb").transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": table,
                        "Item": {"pk": {"S": "TOPIC#t1"}, "sk": {"S": schema.post_sk(1)}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                }
            ]
        )
    posts(2, topic="t2")

    reader.poll_once()

    assert [len(event["Records"]) for event in function.events] == [1, 2]
