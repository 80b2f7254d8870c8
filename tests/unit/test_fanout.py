"""forum.fanout without AWS: what the stack writes is read back as it was meant, a bad
subscription is refused, and the stream's filter is made from the same subscriptions."""

from __future__ import annotations

import json

import pytest

from forum import fanout
from forum.changes import Change

QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/forum-notify"


def test_what_the_stack_writes_reads_back() -> None:
    written = [
        fanout.Subscription("Notify", QUEUE, frozenset({"post"}), frozenset({"INSERT"})),
        fanout.Subscription("Search", QUEUE + ".fifo", frozenset({"post", "topic"}), fifo=True),
    ]
    assert fanout.parse(json.dumps([s.to_json() for s in written])) == tuple(written)
    assert fanout.parse("") == () and fanout.parse("[]") == ()


@pytest.mark.parametrize(
    "text",
    [
        "{}",
        "[1]",
        '[{"name": "x"}]',
        '[{"name": "x", "queue": "q", "kinds": ["posts"], "events": ["INSERT"]}]',
        '[{"name": "x", "queue": "q", "kinds": ["post"], "events": ["UPSERT"]}]',
        '[{"name": "", "queue": "q", "kinds": ["post"], "events": ["INSERT"]}]',
        '[{"name": "x", "queue": "q", "kinds": [], "events": ["INSERT"]}]',
        "not json",
    ],
)
def test_a_subscription_that_is_not_one_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        fanout.parse(text)


def test_a_subscription_wants_its_kinds_and_events() -> None:
    notify = fanout.Subscription("Notify", QUEUE, frozenset({"post"}), frozenset({"INSERT"}))
    post = Change("INSERT", "TOPIC#t", "POST#0000000002", "100", 1)
    assert notify.wants(post)
    assert not notify.wants(Change("MODIFY", "TOPIC#t", "POST#0000000002", "101", 1))
    assert not notify.wants(Change("INSERT", "TOPIC#t", "VIEWER#member#u", "102", 1))


def test_a_fifo_entry_has_one_group_and_the_sequence_as_its_deduplication_id() -> None:
    change = Change("INSERT", "TOPIC#t", "POST#0000000002", "4100000000000001", 1)
    fifo = fanout.Subscription("Search", QUEUE, frozenset({"post"}), fifo=True)
    standard = fanout.Subscription("Notify", QUEUE, frozenset({"post"}))
    assert fanout.entry(fifo, "0", change) == {
        "Id": "0",
        "MessageBody": change.encode(),
        "MessageGroupId": fanout.FIFO_GROUP,
        "MessageDeduplicationId": "4100000000000001",
    }
    assert fanout.entry(standard, "3", change) == {"Id": "3", "MessageBody": change.encode()}


def test_the_stream_filter_is_each_kind_with_the_events_wanted_of_it() -> None:
    subscriptions = [
        fanout.Subscription("Notify", QUEUE, frozenset({"post"}), frozenset({"INSERT"})),
        fanout.Subscription("Moderation", QUEUE, frozenset({"post"}), frozenset({"MODIFY"})),
        fanout.Subscription("Cleanup", QUEUE, frozenset({"attachment"}), frozenset({"REMOVE"})),
    ]
    assert fanout.stream_filters(subscriptions) == [
        {
            "eventName": ["REMOVE"],
            "dynamodb": {
                "Keys": {"pk": {"S": [{"prefix": "ATTACHMENT#"}]}, "sk": {"S": ["ATTACHMENT"]}}
            },
        },
        {
            "eventName": ["INSERT", "MODIFY"],
            "dynamodb": {
                "Keys": {"pk": {"S": [{"prefix": "TOPIC#"}]}, "sk": {"S": [{"prefix": "POST#"}]}}
            },
        },
    ]
    # "other" cannot be matched: then nothing is filtered out
    everything = fanout.Subscription("Audit", QUEUE, frozenset({"other"}))
    assert fanout.stream_filters([*subscriptions, everything]) is None
