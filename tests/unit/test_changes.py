"""The one shape of a table change on the queues behind the stream (forum.changes)."""

from __future__ import annotations

import pytest

from forum import changes


def stream_record(event: str, pk: str, sk: str, **extra: object) -> dict[str, object]:
    record: dict[str, object] = {
        "eventName": event,
        "dynamodb": {
            "Keys": {"pk": {"S": pk}, "sk": {"S": sk}},
            "SequenceNumber": "4100000000012345678901",
            "ApproximateCreationDateTime": 1764892800.0,
        },
    }
    record.update(extra)
    return record


def test_a_stream_record_survives_the_queue() -> None:
    change = changes.from_stream_record(stream_record("INSERT", "TOPIC#t1", "POST#0000000002"))
    assert change is not None
    assert change.kind == "post" and not change.expired
    assert changes.decode(change.encode()) == change


def test_a_ttl_removal_is_marked_expired() -> None:
    ttl = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    change = changes.from_stream_record(
        stream_record("REMOVE", "ATTACHMENT#a1", "ATTACHMENT", userIdentity=ttl)
    )
    assert change is not None and change.expired and change.kind == "attachment"


@pytest.mark.parametrize(
    ("pk", "sk", "kind"),
    [
        ("TOPIC#t1", "TOPIC", "topic"),
        ("TOPIC#t1", "POST#0000000001", "post"),
        ("TOPIC#t1", "PRESENCE#123", "other"),
        ("BOARDS", "BOARD#general", "board"),
        ("USER#abc", "PROFILE", "profile"),
        ("IDEMPOTENCY#abc", "RECEIPT#x", "other"),
    ],
)
def test_kinds(pk: str, sk: str, kind: str) -> None:
    assert changes.Change("MODIFY", pk, sk, "1", 0).kind == kind


@pytest.mark.parametrize(
    "body",
    [
        "",
        "[]",
        '{"event": "DROP", "pk": "a", "sk": "b", "sequence": "1", "at": 0}',
        '{"event": "INSERT", "pk": "a", "sequence": "1", "at": 0}',
        '{"event": "INSERT", "pk": "a", "sk": "b", "sequence": "x1", "at": 0}',
        '{"event": "INSERT", "pk": "a", "sk": "b", "sequence": "1", "at": true}',
    ],
)
def test_what_is_not_a_change_is_refused(body: str) -> None:
    with pytest.raises(ValueError):
        changes.decode(body)


def test_a_record_without_keys_is_none() -> None:
    assert changes.from_stream_record({"eventName": "INSERT", "dynamodb": {}}) is None
