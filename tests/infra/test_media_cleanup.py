"""The media cleanup in the stack: its queue of the table's changes (only removed attachments),
a dead-letter queue, a role that may list and delete under media/ and nothing more, and alarms."""

from __future__ import annotations

import json
from typing import Any

from .conftest import Synthesis, alarm_descriptions, function_by_handler
from .test_images import SSL_ONLY, actions_on, bucket, statements_of_role

HANDLER = "media_cleanup.handler.lambda_handler"
THUMBNAIL_HANDLER = "thumbnail.handler.lambda_handler"
CHANGES_HANDLER = "changes.handler.lambda_handler"


def subscriptions_of(function: dict[str, Any]) -> list[dict[str, Any]]:
    """The changes function's subscriptions, with each queue's Ref put back in its place (the
    stack writes them as an Fn::Join of JSON text and the queues' Refs)."""
    joined = function["Environment"]["Variables"]["FORUM_CHANGE_SUBSCRIPTIONS"]["Fn::Join"][1]
    text = "".join(
        part if isinstance(part, str) else json.dumps(json.dumps(part))[1:-1] for part in joined
    )
    found = json.loads(text)
    for item in found:
        item["queue"] = json.loads(item["queue"])
    return list(found)


def mapping_of(synth: Synthesis, function_id: str) -> dict[str, Any]:
    (properties,) = [
        mapping["Properties"]
        for mapping in synth.of_type("AWS::Lambda::EventSourceMapping").values()
        if mapping["Properties"]["FunctionName"] == {"Ref": function_id}
    ]
    return dict(properties)


def dead_letters(synth: Synthesis) -> tuple[str, dict[str, Any]]:
    (found,) = [
        (logical_id, resource.get("Properties", {}))
        for logical_id, resource in synth.of_type("AWS::SQS::Queue").items()
        if logical_id.startswith("ChangesMediaCleanupDeadLetters")
    ]
    return found


def test_the_table_streams_keys_only(synth: Synthesis) -> None:
    _, table = synth.one("AWS::DynamoDB::Table")
    assert table["Properties"]["StreamSpecification"] == {"StreamViewType": "KEYS_ONLY"}


def test_the_function_shares_the_code_and_layer_and_knows_only_the_media_bucket(
    synth: Synthesis,
) -> None:
    _, cleanup = function_by_handler(synth, HANDLER)
    _, thumbnail = function_by_handler(synth, THUMBNAIL_HANDLER)
    assert cleanup["Code"] == thumbnail["Code"] and cleanup["Layers"] == thumbnail["Layers"]
    assert cleanup["Runtime"] == "python3.13" and cleanup["Architectures"] == ["arm64"]
    variables = cleanup["Environment"]["Variables"]
    media_id, _ = bucket(synth, "Media")
    assert variables["FORUM_MEDIA_BUCKET"] == {"Ref": media_id}
    assert "FORUM_UPLOADS_BUCKET" not in variables and "FORUM_TABLE" not in variables
    assert variables["POWERTOOLS_SERVICE_NAME"] == "forum-media-cleanup"


def test_only_removed_attachment_items_reach_the_function(synth: Synthesis) -> None:
    cleanup_id, _ = function_by_handler(synth, HANDLER)
    properties = mapping_of(synth, cleanup_id)
    queue_id = properties["EventSourceArn"]["Fn::GetAtt"][0]
    assert queue_id.startswith("ChangesMediaCleanupQueue")
    assert properties["BatchSize"] == 10
    assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]

    # The changes function sends it only the removal of attachment items
    _, changes = function_by_handler(synth, CHANGES_HANDLER)
    (subscription,) = [
        item for item in subscriptions_of(changes) if item["queue"] == {"Ref": queue_id}
    ]
    assert subscription["kinds"] == ["attachment"] and subscription["events"] == ["REMOVE"]
    assert subscription["fifo"] is False

    # and the stream's mapping lets them through
    changes_id, _ = function_by_handler(synth, CHANGES_HANDLER)
    patterns = [
        json.loads(criterion["Pattern"])
        for criterion in mapping_of(synth, changes_id)["FilterCriteria"]["Filters"]
    ]
    assert {
        "eventName": ["REMOVE"],
        "dynamodb": {
            "Keys": {"pk": {"S": [{"prefix": "ATTACHMENT#"}]}, "sk": {"S": ["ATTACHMENT"]}}
        },
    } in patterns


def test_undeliverable_changes_go_to_an_encrypted_tls_only_dead_letter_queue(
    synth: Synthesis,
) -> None:
    cleanup_id, _ = function_by_handler(synth, HANDLER)
    queue_id, queue = dead_letters(synth)
    source_id = mapping_of(synth, cleanup_id)["EventSourceArn"]["Fn::GetAtt"][0]
    redrive = synth.resources[source_id]["Properties"]["RedrivePolicy"]
    assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": [queue_id, "Arn"]}
    assert 1 < redrive["maxReceiveCount"] <= 10
    assert queue["SqsManagedSseEnabled"] is True
    assert queue["MessageRetentionPeriod"] == 14 * 24 * 3600
    statements = [
        statement
        for policy in synth.of_type("AWS::SQS::QueuePolicy").values()
        if {"Ref": queue_id} in policy["Properties"]["Queues"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    assert any(s["Effect"] == "Deny" and s["Condition"] == SSL_ONLY for s in statements)


def test_the_function_may_list_and_delete_under_media_and_nothing_more(
    synth: Synthesis,
) -> None:
    _, cleanup = function_by_handler(synth, HANDLER)
    statements = statements_of_role(synth, cleanup["Role"]["Fn::GetAtt"][0])
    media_id, _ = bucket(synth, "Media")
    uploads_id, _ = bucket(synth, "Uploads")
    table_id, _ = synth.one("AWS::DynamoDB::Table")

    assert actions_on(statements, f"'{media_id}', 'Arn']}}, '/media/*'") == {"s3:DeleteObject"}
    (listing,) = [s for s in statements if s["Action"] == "s3:ListBucket"]
    assert listing["Resource"] == {"Fn::GetAtt": [media_id, "Arn"]}
    assert listing["Condition"] == {"StringLike": {"s3:prefix": ["media/*"]}}
    assert actions_on(statements, f"'{media_id}'") == {"s3:ListBucket", "s3:DeleteObject"}
    assert actions_on(statements, f"'{uploads_id}'") == set()
    # The table: nothing (its changes come from its queue)
    assert actions_on(statements, f"'{table_id}'") == set()
    every = set().union(*(actions_on([s], "") for s in statements))
    assert not [action for action in every if "*" in action]
    assert not [
        a for a in every if a.startswith("s3:") and a not in ("s3:ListBucket", "s3:DeleteObject")
    ]
    # Its queue: the event source mapping's grant, to receive and delete
    assert {"sqs:ReceiveMessage", "sqs:DeleteMessage"} <= every
    assert "sqs:SendMessage" not in every


def test_failures_and_dead_letters_raise_alarms(synth: Synthesis) -> None:
    descriptions = alarm_descriptions(synth)
    assert "The MediaCleanup function failed" in descriptions
    assert "The MediaCleanup function was throttled" in descriptions
    assert "Messages reached the MediaCleanup dead-letter queue; images were left" in descriptions
