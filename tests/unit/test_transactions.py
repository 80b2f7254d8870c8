"""Write transactions name their items, and a cancelled one is asked by name (against moto)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.awsrequest import AWSResponse, HTTPHeaders
from pynamodb.exceptions import TransactWriteError

from forum import schema
from forum.models import ForumItem, Profile, UsernameClaim
from forum.transactions import Cancelled, transaction


def profile(user_id: str) -> Profile:
    return Profile(
        schema.user_pk(user_id),
        schema.PROFILE_SK,
        user_id=user_id,
        username=user_id,
        display_name=user_id,
        joined_at="2026-01-01T00:00:00.000000Z",
    )


def claim(name: str) -> UsernameClaim:
    return UsernameClaim(
        schema.username_pk(name),
        schema.USERNAME_SK,
        username=name,
        claimed_at="2026-01-01T00:00:00.000000Z",
    )


def items(table: Any) -> list[dict[str, Any]]:
    return list(table.scan()["Items"])


def test_a_committed_transaction_writes_every_item(table: Any) -> None:
    with transaction() as tx:
        tx.save("profile", profile("ada"), condition=Profile.pk.does_not_exist())
        tx.save("username", claim("ada"), condition=UsernameClaim.pk.does_not_exist())
    assert len(items(table)) == 2


def test_a_cancelled_transaction_names_the_item_whose_condition_failed(table: Any) -> None:
    # Given a member who exists and one who does not
    profile("ada").save()
    before = items(table)
    # When a transaction updates the missing one before it puts a new item (PynamoDB sends
    # puts before updates, so the reasons do not come in the order the items were added)
    with pytest.raises(Cancelled) as raised, transaction() as tx:
        tx.update(
            "author",
            Profile(schema.user_pk("nobody"), schema.PROFILE_SK),
            actions=[Profile.post_count.add(1)],
            condition=Profile.pk.exists(),
        )
        tx.save("username", claim("grace"), condition=UsernameClaim.pk.does_not_exist())
        tx.update(
            "counted",
            Profile(schema.user_pk("ada"), schema.PROFILE_SK),
            actions=[Profile.post_count.add(1)],
            condition=Profile.pk.exists(),
        )
    # Then it is asked by name, it lost a race, and nothing was written
    cancelled = raised.value
    assert cancelled.failed("author")
    assert not cancelled.failed("username") and not cancelled.failed("counted")
    assert cancelled.names_failed == {"author"}
    assert cancelled.raced
    assert "author: ConditionalCheckFailed" in str(cancelled)
    assert isinstance(cancelled, TransactWriteError)
    assert items(table) == before


def test_items_may_share_a_name(table: Any) -> None:
    profile("ada").save()
    with pytest.raises(Cancelled) as raised, transaction() as tx:
        tx.save("profile", profile("grace"), condition=Profile.pk.does_not_exist())
        for user_id in ("ada", "nobody"):
            tx.update(
                "authors",
                Profile(schema.user_pk(user_id), schema.PROFILE_SK),
                actions=[Profile.post_count.add(1)],
                condition=Profile.pk.exists(),
            )
    assert raised.value.names_failed == {"authors"}
    assert not raised.value.failed("profile")


def test_a_transaction_that_fails_as_a_whole_has_no_item_to_blame(
    table: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given DynamoDB throttling every transaction
    events = ForumItem._get_connection().connection.client.meta.events

    def throttle(model: Any, **kwargs: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        if model.name != "TransactWriteItems":
            return None
        response = AWSResponse("https://dynamodb.local", 400, HTTPHeaders(), None)
        return response, {
            "Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"},
            "ResponseMetadata": {"HTTPStatusCode": 400},
        }

    events.register_first("before-call.dynamodb", throttle)  # type: ignore[arg-type]
    try:
        with pytest.raises(Cancelled) as raised, transaction() as tx:
            tx.save("profile", profile("ada"), condition=Profile.pk.does_not_exist())
    finally:
        events.unregister("before-call.dynamodb", throttle)  # type: ignore[arg-type]
    # Then no item failed and it was no race: the caller answers Busy instead of retrying
    assert not raised.value.failed("profile")
    assert not raised.value.raced
    assert raised.value.cause_response_code == "ThrottlingException"
    assert items(table) == []


def test_a_block_that_raises_sends_nothing(table: Any) -> None:
    with pytest.raises(RuntimeError), transaction() as tx:
        tx.save("profile", profile("ada"))
        raise RuntimeError("changed its mind")
    assert items(table) == []
