"""The changes function: every change of the table reaches each queue that wants it, and a
queue that did not take one has it sent again, never the others' lost.

Each test writes items to a moto table whose stream keeps the keys of what changed, reads the
stream's real records and hands them to the real handler in the event Lambda's event source
mapping builds, with real moto queues subscribed as the stack subscribes them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from forum import fanout, schema
from forum.changes import Change
from forum.settings import get_settings

from ..conftest import aws_client
from ..streams import STREAM, Stream, Subscriptions, fan_out


@pytest.fixture
def stream(aws: None) -> Iterator[Stream]:
    arguments = schema.create_table_arguments(get_settings().table_name)
    aws_client("dynamodb").create_table(**arguments, StreamSpecification=STREAM)
    yield Stream.of_table(arguments["TableName"])
    get_settings.cache_clear()


@pytest.fixture
def queues(monkeypatch: pytest.MonkeyPatch) -> Subscriptions:
    return Subscriptions(monkeypatch)


def put(pk: str, sk: str, **attributes: str) -> None:
    item = {"pk": {"S": pk}, "sk": {"S": sk}} | {k: {"S": v} for k, v in attributes.items()}
    aws_client("dynamodb").put_item(TableName=get_settings().table_name, Item=item)


def delete(pk: str, sk: str) -> None:
    aws_client("dynamodb").delete_item(
        TableName=get_settings().table_name, Key={"pk": {"S": pk}, "sk": {"S": sk}}
    )


def a_topic_with_replies(replies: int = 2) -> None:
    """A topic, its posts, a viewer's heartbeat, an attachment used and removed."""
    topic = schema.topic_pk("t1")
    put(topic, schema.TOPIC_SK, title="Hello")
    for number in range(1, replies + 2):
        put(topic, schema.post_sk(number), body=f"post {number}")
    put(topic, "VIEWER#member#user-member")
    put(topic, schema.TOPIC_SK, title="Hello again")
    attachment = schema.attachment_pk("a" * 22)
    put(attachment, schema.ATTACHMENT_SK)
    delete(attachment, schema.ATTACHMENT_SK)


def keys(changes: list[Change]) -> list[tuple[str, str, str]]:
    return [(change.event, change.pk, change.sk) for change in changes]


def test_each_queue_gets_what_it_wants_with_the_records_sequence_numbers(
    stream: Stream, queues: Subscriptions
) -> None:
    # Given a notifications queue that wants new posts, a search queue that wants every change
    # of posts and topics, and the media cleanup's
    notify = queues.subscribe("Notify", kinds={"post"}, events={"INSERT"})
    search = queues.subscribe("Search", kinds={"post", "topic"}, fifo=True)
    cleanup = queues.subscribe("MediaCleanup", kinds={"attachment"}, events={"REMOVE"})
    a_topic_with_replies()
    records = stream.records()

    # When the stream's records reach the changes function
    assert fan_out(stream, records) == {"batchItemFailures": []}

    # Then each queue holds its changes, in the stream's order, each with its record's
    # sequence number and time
    topic = schema.topic_pk("t1")
    posts = [("INSERT", topic, schema.post_sk(n)) for n in (1, 2, 3)]
    notified = notify.changes()
    assert sorted(keys(notified)) == posts
    assert keys(search.changes()) == [
        ("INSERT", topic, schema.TOPIC_SK),
        *posts,
        ("MODIFY", topic, schema.TOPIC_SK),
    ]
    assert keys(cleanup.changes()) == [
        ("REMOVE", schema.attachment_pk("a" * 22), schema.ATTACHMENT_SK)
    ]
    by_sequence = {r["dynamodb"]["SequenceNumber"]: r for r in records}
    for change in notified:
        record = by_sequence[change.sequence]
        assert record["dynamodb"]["Keys"]["sk"]["S"] == change.sk
        assert change.at == int(record["dynamodb"]["ApproximateCreationDateTime"].timestamp())
        assert change.kind == "post" and not change.expired


def test_duplicated_and_reordered_records_are_sent_as_they_come_and_fifo_keeps_one_of_each(
    stream: Stream, queues: Subscriptions
) -> None:
    # Given a standard queue and a FIFO queue for posts
    notify = queues.subscribe("Notify", kinds={"post"})
    search = queues.subscribe("Search", kinds={"post"}, fifo=True)
    a_topic_with_replies()
    records = [r for r in stream.records() if r["dynamodb"]["Keys"]["sk"]["S"].startswith("POST#")]

    # When a batch comes twice (a retry), and then its records the other way round
    for batch in (records, records, records[::-1]):
        assert fan_out(stream, batch) == {"batchItemFailures": []}

    # Then the standard queue has each of them three times (its consumer is idempotent),
    # and the FIFO queue each once, deduplicated by sequence number, in the stream's order
    sent = keys(notify.changes())
    assert len(sent) == 9 and set(sent) == {
        ("INSERT", schema.topic_pk("t1"), schema.post_sk(n)) for n in (1, 2, 3)
    }
    assert [c.sequence for c in search.changes()] == [
        r["dynamodb"]["SequenceNumber"] for r in records
    ]


def test_a_queue_that_refuses_gets_its_changes_again_and_the_others_keep_theirs(
    stream: Stream, queues: Subscriptions
) -> None:
    # Given two queues for posts, one of which refuses the second post
    good = queues.subscribe("Notify", kinds={"post"})
    flaky = queues.subscribe("Search", kinds={"post"})
    a_topic_with_replies()
    records = stream.records()
    second = schema.post_sk(2)
    events = fanout.sqs().meta.events

    def refuse_second(params: dict[str, Any], context: dict[str, Any], **kwargs: Any) -> None:
        if params["QueueUrl"] == flaky.url:
            context["refused"] = [e["Id"] for e in params["Entries"] if second in e["MessageBody"]]
            params["Entries"] = [e for e in params["Entries"] if e["Id"] not in context["refused"]]

    def report(parsed: dict[str, Any], context: dict[str, Any], **kwargs: Any) -> None:
        for identifier in context.get("refused", []):
            parsed.setdefault("Failed", []).append(
                {"Id": identifier, "SenderFault": False, "Code": "InternalError"}
            )

    events.register("before-parameter-build.sqs.SendMessageBatch", refuse_second)
    events.register("after-call.sqs.SendMessageBatch", report)
    try:
        answer = fan_out(stream, records)
    finally:
        events.unregister("before-parameter-build.sqs.SendMessageBatch", refuse_second)
        events.unregister("after-call.sqs.SendMessageBatch", report)

    # Then only that record is reported, by its sequence number
    (failed,) = [r for r in records if r["dynamodb"]["Keys"]["sk"]["S"] == second]
    assert answer == {
        "batchItemFailures": [{"itemIdentifier": failed["dynamodb"]["SequenceNumber"]}]
    }
    assert len(good.changes()) == 3
    assert [c.sk for c in flaky.changes()] == [schema.post_sk(1), schema.post_sk(3)]

    # and Lambda's retry, from that record on, brings the flaky queue what it missed (and the
    # good one a few changes twice)
    retry = records[records.index(failed) :]
    assert fan_out(stream, retry) == {"batchItemFailures": []}
    assert second in [c.sk for c in flaky.changes()]
    assert second in [c.sk for c in good.changes()]


def test_a_queue_that_cannot_be_reached_fails_only_what_it_wants(
    stream: Stream, queues: Subscriptions
) -> None:
    # Given the media cleanup's queue, and a search queue that is gone
    cleanup = queues.subscribe("MediaCleanup", kinds={"attachment"}, events={"REMOVE"})
    gone = queues.subscribe("Search", kinds={"topic"}, fifo=True)
    aws_client("sqs").delete_queue(QueueUrl=gone.url)
    a_topic_with_replies()
    records = stream.records()

    answer = fan_out(stream, records)

    # Then both topic records are reported (a FIFO queue takes nothing after a refusal), and
    # the removed attachment reached its queue
    topic_records = [r for r in records if r["dynamodb"]["Keys"]["sk"]["S"] == schema.TOPIC_SK]
    assert answer == {
        "batchItemFailures": [
            {"itemIdentifier": r["dynamodb"]["SequenceNumber"]} for r in topic_records
        ]
    }
    assert len(cleanup.changes()) == 1


def test_many_changes_go_ten_to_a_request(stream: Stream, queues: Subscriptions) -> None:
    notify = queues.subscribe("Notify", kinds={"post"})
    a_topic_with_replies(replies=24)
    records = stream.records()
    calls: list[int] = []

    def count(params: dict[str, Any], **kwargs: Any) -> None:
        calls.append(len(params["Entries"]))

    events = fanout.sqs().meta.events
    events.register("before-parameter-build.sqs.SendMessageBatch", count)
    try:
        assert fan_out(stream, records) == {"batchItemFailures": []}
    finally:
        events.unregister("before-parameter-build.sqs.SendMessageBatch", count)
    assert calls == [10, 10, 5]
    assert len(notify.changes()) == 25


def test_nothing_is_sent_without_subscriptions_or_for_records_without_keys(
    stream: Stream, queues: Subscriptions
) -> None:
    a_topic_with_replies()
    records = stream.records()
    assert fan_out(stream, records) == {"batchItemFailures": []}
    notify = queues.subscribe("Notify", kinds={"post"})
    keyless = {**records[0], "dynamodb": {**records[0]["dynamodb"], "Keys": {}}}
    assert fan_out(stream, [keyless]) == {"batchItemFailures": []}
    assert notify.changes() == []
