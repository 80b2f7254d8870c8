"""The local runtime's small CloudFormation: a table with a stream, the mappings it reads (the
stream's included), and queues made in the order they name each other."""

from __future__ import annotations

import json
import logging
from typing import Any

import boto3
import pytest

from local.stack import deploy

pytestmark = pytest.mark.usefixtures("aws")

TABLE = {
    "Type": "AWS::DynamoDB::Table",
    "Properties": {
        "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": [
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        "BillingMode": "PAY_PER_REQUEST",
        "StreamSpecification": {"StreamViewType": "KEYS_ONLY"},
        "TimeToLiveSpecification": {"AttributeName": "expires_at", "Enabled": True},
    },
    "Metadata": {"aws:cdk:path": "Forum/Data/Table/Resource"},
}


def function(handler: str, path: str) -> dict[str, Any]:
    return {
        "Type": "AWS::Lambda::Function",
        "Properties": {"Handler": handler, "Environment": {"Variables": {}}},
        "Metadata": {"aws:cdk:path": path},
    }


TEMPLATE: dict[str, Any] = {
    "Resources": {
        "Table": TABLE,
        "Work": {"Type": "AWS::SQS::Queue", "Properties": {}},
        "Failed": {"Type": "AWS::SQS::Queue", "Properties": {}},
        "Changes": function("changes.handler.lambda_handler", "Forum/Changes/Resource"),
        "Thumbnail": function("thumbnail.handler.lambda_handler", "Forum/Thumbnail/Resource"),
        "ChangesMapping": {
            "Type": "AWS::Lambda::EventSourceMapping",
            "Properties": {
                "EventSourceArn": {"Fn::GetAtt": ["Table", "StreamArn"]},
                "FunctionName": {"Ref": "Changes"},
                "StartingPosition": "TRIM_HORIZON",
                "BatchSize": 100,
                "BisectBatchOnFunctionError": True,
                "MaximumRetryAttempts": 5,
                "FunctionResponseTypes": ["ReportBatchItemFailures"],
                "DestinationConfig": {
                    "OnFailure": {"Destination": {"Fn::GetAtt": ["Failed", "Arn"]}}
                },
                "FilterCriteria": {"Filters": [{"Pattern": '{"eventName": ["REMOVE"]}'}]},
            },
        },
        "ThumbnailMapping": {
            "Type": "AWS::Lambda::EventSourceMapping",
            "Properties": {
                "EventSourceArn": {"Fn::GetAtt": ["Work", "Arn"]},
                "FunctionName": {"Ref": "Thumbnail"},
                "BatchSize": 5,
            },
        },
    }
}


def clients(name: str) -> Any:
    return boto3.client(name)  # type: ignore[call-overload]


def test_the_table_gets_its_stream_and_the_stream_mapping_its_trigger() -> None:
    stack = deploy(TEMPLATE, clients, "http://127.0.0.1:1")

    table = boto3.client("dynamodb").describe_table(TableName="forum-data-table")["Table"]
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    assert stack.stream_arns == {"Table": table["LatestStreamArn"]}
    # Both mappings are emulated, the stream's with everything Lambda reads of it
    assert [trigger.function for trigger in stack.triggers] == ["Thumbnail"]
    (stream,) = stack.stream_triggers
    assert (stream.stream_arn, stream.function) == (table["LatestStreamArn"], "Changes")
    assert (stream.batch_size, stream.retry_attempts, stream.bisect) == (100, 5, True)
    assert stream.report_failures and stream.filters == ({"eventName": ["REMOVE"]},)
    assert stream.on_failure_queue_url == stack.queue_urls["Failed"]
    assert stack.skipped == {}


def test_a_mapping_of_what_is_not_made_locally_is_skipped_out_loud(
    caplog: pytest.LogCaptureFixture,
) -> None:
    template = json.loads(json.dumps(TEMPLATE))
    template["Resources"]["KinesisMapping"] = {
        "Type": "AWS::Lambda::EventSourceMapping",
        "Properties": {
            "EventSourceArn": "arn:aws:kinesis:us-east-1:123456789012:stream/elsewhere",
            "FunctionName": {"Ref": "Changes"},
        },
    }
    with caplog.at_level(logging.INFO, logger="forum.stack"):
        stack = deploy(template, clients, "http://127.0.0.1:1")
    assert list(stack.skipped) == ["KinesisMapping"]
    assert "KinesisMapping skipped" in caplog.text


def test_a_fifo_queue_gets_its_suffix_and_attribute() -> None:
    template = {
        "Resources": {
            "Search": {
                "Type": "AWS::SQS::Queue",
                "Properties": {"FifoQueue": True},
                "Metadata": {"aws:cdk:path": "Forum/Changes/Search/Queue/Resource"},
            }
        }
    }
    stack = deploy(template, clients, "http://127.0.0.1:1")
    url = stack.queue_urls["Search"]
    assert url.endswith("/forum-changes-search-queue.fifo")
    attributes = boto3.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
    assert attributes["Attributes"]["FifoQueue"] == "true"


def test_a_table_kept_from_before_the_stream_gets_one_on_restart() -> None:
    dynamodb = boto3.client("dynamodb")
    properties = {
        key: value
        for key, value in TABLE["Properties"].items()  # type: ignore[attr-defined]
        if key in ("KeySchema", "AttributeDefinitions", "BillingMode")
    }
    dynamodb.create_table(TableName="forum-data-table", **properties)

    stack = deploy(TEMPLATE, clients, "http://127.0.0.1:1")

    table = dynamodb.describe_table(TableName="forum-data-table")["Table"]
    assert table["StreamSpecification"]["StreamViewType"] == "KEYS_ONLY"
    assert stack.stream_arns["Table"] == table["LatestStreamArn"]
    assert [trigger.stream_arn for trigger in stack.stream_triggers] == [table["LatestStreamArn"]]


def test_a_queue_comes_after_its_dead_letter_queue_and_other_types_are_passed_over() -> None:
    template = {
        "Resources": {
            "Alerts": {"Type": "AWS::SNS::Topic", "Properties": {}},
            "Work": {
                "Type": "AWS::SQS::Queue",
                "Properties": {
                    "VisibilityTimeout": 30,
                    "RedrivePolicy": {
                        "deadLetterTargetArn": {"Fn::GetAtt": ["Dead", "Arn"]},
                        "maxReceiveCount": 3,
                    },
                },
            },
            "Dead": {"Type": "AWS::SQS::Queue", "Properties": {}},
        }
    }

    stack = deploy(template, clients, "http://127.0.0.1:1")

    attributes = boto3.client("sqs").get_queue_attributes(
        QueueUrl=stack.queue_urls["Work"], AttributeNames=["All"]
    )["Attributes"]
    assert json.loads(attributes["RedrivePolicy"])["deadLetterTargetArn"] == stack.arns["Dead"]
    assert attributes["VisibilityTimeout"] == "30"
    assert "Alerts" not in stack.names


def test_a_table_kept_from_before_an_index_gets_it_on_restart() -> None:
    # Given a table made before the stack had its recent_topics index
    from forum import schema

    dynamodb = boto3.client("dynamodb")
    arguments = schema.create_table_arguments("forum-data-table")
    old = dict(arguments)
    old["GlobalSecondaryIndexes"] = arguments["GlobalSecondaryIndexes"][:2]
    old["AttributeDefinitions"] = [
        attribute
        for attribute in arguments["AttributeDefinitions"]
        if attribute["AttributeName"] != schema.RECENT_TOPICS_PK
        and attribute["AttributeName"] != schema.RECENT_TOPICS_SK
    ]
    dynamodb.create_table(**old)
    template = json.loads(json.dumps(TEMPLATE))
    properties = template["Resources"]["Table"]["Properties"]
    properties["AttributeDefinitions"] = arguments["AttributeDefinitions"]
    properties["GlobalSecondaryIndexes"] = arguments["GlobalSecondaryIndexes"]

    # When the runtime starts again
    deploy(template, clients, "http://127.0.0.1:1")

    # then the table has every index of the stack
    table = dynamodb.describe_table(TableName="forum-data-table")["Table"]
    names = {index["IndexName"] for index in table["GlobalSecondaryIndexes"]}
    assert names == {name for name, _, _ in schema.GLOBAL_INDEXES}
