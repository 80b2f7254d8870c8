"""Receipts' keys and digests (forum.receipts), without the table."""

from __future__ import annotations

from forum import receipts, schema


def test_the_payload_digest_is_the_same_whatever_the_order_of_keys() -> None:
    first = {"topic_id": "t1", "body": {"body": "Héllo", "attachment_ids": ["a", "b"]}}
    second = {"body": {"attachment_ids": ["a", "b"], "body": "Héllo"}, "topic_id": "t1"}
    assert receipts.digest(first) == receipts.digest(second)
    assert receipts.digest(first) != receipts.digest({**first, "topic_id": "t2"})


def test_a_receipt_is_in_its_members_partition_and_keeps_no_key() -> None:
    receipt = receipts.new("user-1", "reply", "my-secret-key", {"body": "x"})
    assert receipt.pk == schema.idempotency_pk("user-1")
    assert receipt.sk.startswith(f"{schema.RECEIPT_SK_PREFIX}reply#")
    assert "my-secret-key" not in receipt.sk
    # Another operation under the same key is another receipt.
    assert receipts.new("user-1", "topic", "my-secret-key", {"body": "x"}).sk != receipt.sk
