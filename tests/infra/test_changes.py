"""The table's changes in the stack: the stream's one reader (a filtered, batched, bisected and
retried mapping with a dead-letter queue), the queues it sends to, and what ``subscribe`` makes
for a feature, FIFO included."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Template

from forum import schema
from infra.changes import ForumChangeFeed
from infra.config import ForumConfig
from infra.functions import forum_function
from infra.monitoring import ForumMonitoring

from .conftest import Synthesis, alarm_descriptions, function_by_handler
from .test_images import actions_on, statements_of_role
from .test_media_cleanup import mapping_of, subscriptions_of

HANDLER = "changes.handler.lambda_handler"


def test_the_stream_has_exactly_one_reader_the_changes_function(synth: Synthesis) -> None:
    table_id, _ = synth.one("AWS::DynamoDB::Table")
    readers = [
        mapping["Properties"]["FunctionName"]
        for mapping in synth.of_type("AWS::Lambda::EventSourceMapping").values()
        if mapping["Properties"]["EventSourceArn"] == {"Fn::GetAtt": [table_id, "StreamArn"]}
    ]
    changes_id, _ = function_by_handler(synth, HANDLER)
    assert readers == [{"Ref": changes_id}]


def test_the_stream_is_read_in_batches_retried_bisected_and_filtered(synth: Synthesis) -> None:
    changes_id, _ = function_by_handler(synth, HANDLER)
    properties = mapping_of(synth, changes_id)
    assert properties["StartingPosition"] == "TRIM_HORIZON"
    assert properties["BatchSize"] == 100
    assert properties["MaximumBatchingWindowInSeconds"] == 1
    assert properties["BisectBatchOnFunctionError"] is True
    assert 0 < properties["MaximumRetryAttempts"] <= 10
    assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    destination = properties["DestinationConfig"]["OnFailure"]["Destination"]
    assert destination["Fn::GetAtt"][0].startswith("ChangesChangesDeadLetters")
    # Only what some queue wants: never a viewer's heartbeat, a receipt or a claim
    patterns = [json.loads(f["Pattern"]) for f in properties["FilterCriteria"]["Filters"]]
    assert patterns and all(p["dynamodb"]["Keys"]["pk"]["S"] for p in patterns)


def test_the_function_sends_to_the_subscribed_queues_and_reads_only_the_stream(
    synth: Synthesis,
) -> None:
    changes_id, changes = function_by_handler(synth, HANDLER)
    subscribed = {item["queue"]["Ref"] for item in subscriptions_of(changes)}
    statements = statements_of_role(synth, changes["Role"]["Fn::GetAtt"][0])
    table_id, _ = synth.one("AWS::DynamoDB::Table")
    assert actions_on(statements, f"'{table_id}'") == {
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
    }
    sent_to = {
        resource["Fn::GetAtt"][0]
        for statement in statements
        if "sqs:SendMessage" in statement["Action"]
        for resource in _listed(statement["Resource"])
    }
    dead_letters = mapping_of(synth, changes_id)["DestinationConfig"]["OnFailure"]
    assert sent_to == {*subscribed, dead_letters["Destination"]["Fn::GetAtt"][0]}
    every = set().union(*(actions_on([s], "") for s in statements))
    assert not [a for a in every if a.startswith(("dynamodb:GetItem", "dynamodb:Query", "s3:"))]


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_failures_and_dead_letters_raise_alarms(synth: Synthesis) -> None:
    descriptions = alarm_descriptions(synth)
    assert "The Changes function failed" in descriptions
    assert "Messages reached the Changes dead-letter queue" in descriptions


# --- subscribe, in a stack of its own ---------------------------------------------------------


@pytest.fixture(scope="module")
def feed_template() -> dict[str, Any]:
    app = cdk.App()
    stack = cdk.Stack(app, "Feed")
    config = ForumConfig()
    table = dynamodb.Table(
        stack,
        "Table",
        partition_key=dynamodb.Attribute(
            name=schema.PARTITION_KEY, type=dynamodb.AttributeType.STRING
        ),
        sort_key=dynamodb.Attribute(name=schema.SORT_KEY, type=dynamodb.AttributeType.STRING),
        stream=dynamodb.StreamViewType.KEYS_ONLY,
    )
    layer = lambda_.LayerVersion.from_layer_version_arn(
        stack, "Layer", "arn:aws:lambda:us-east-1:123456789012:layer:forum:1"
    )
    monitoring = ForumMonitoring(stack, "Monitoring", http_api=_http_api(stack), table=table)
    feed = ForumChangeFeed(
        stack, "Changes", config=config, table=table, layer=layer, monitoring=monitoring
    )
    indexer, _ = forum_function(
        stack,
        "Indexer",
        description="indexer",
        role_description="indexer",
        handler="search.handler.lambda_handler",
        service="forum-search",
        layer=layer,
        config=config,
        environment={},
        timeout=cdk.Duration.seconds(30),
    )
    notifier, _ = forum_function(
        stack,
        "Notifier",
        description="notifier",
        role_description="notifier",
        handler="notify.handler.lambda_handler",
        service="forum-notify",
        layer=layer,
        config=config,
        environment={},
    )
    feed.subscribe("Search", indexer, kinds={"post", "topic"}, fifo=True, batch_size=10)
    feed.subscribe(
        "Notify",
        notifier,
        kinds={"post"},
        events={"INSERT"},
        batch_size=50,
        max_batching_window=cdk.Duration.seconds(2),
    )
    with pytest.raises(ValueError):
        feed.subscribe("Notify", notifier, kinds={"post"})
    with pytest.raises(ValueError):
        feed.subscribe("Odd", notifier, kinds={"posts"})
    return dict(Template.from_stack(stack).to_json()["Resources"])


def _http_api(stack: cdk.Stack) -> Any:
    from aws_cdk import aws_apigatewayv2 as apigwv2

    return apigwv2.HttpApi(stack, "Api")


def _of_type(resources: dict[str, Any], kind: str) -> dict[str, Any]:
    return {key: value for key, value in resources.items() if value["Type"] == kind}


def test_a_fifo_subscription_gets_fifo_queues_and_a_mapping(feed_template: dict[str, Any]) -> None:
    queues = _of_type(feed_template, "AWS::SQS::Queue")
    search = queues[next(key for key in queues if key.startswith("ChangesSearchQueue"))]
    search_dlq_id = next(key for key in queues if key.startswith("ChangesSearchDeadLetters"))
    properties = search["Properties"]
    assert properties["FifoQueue"] is True and properties["SqsManagedSseEnabled"] is True
    assert queues[search_dlq_id]["Properties"]["FifoQueue"] is True
    assert properties["RedrivePolicy"]["deadLetterTargetArn"] == {
        "Fn::GetAtt": [search_dlq_id, "Arn"]
    }
    # Six times the indexer's timeout
    assert properties["VisibilityTimeout"] == 180
    mappings = [
        mapping["Properties"]
        for mapping in _of_type(feed_template, "AWS::Lambda::EventSourceMapping").values()
        if "ChangesSearchQueue" in str(mapping["Properties"]["EventSourceArn"])
    ]
    assert [m["BatchSize"] for m in mappings] == [10]
    assert "MaximumBatchingWindowInSeconds" not in mappings[0]
    assert mappings[0]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_the_subscriptions_reach_the_function_and_the_stream_filter(
    feed_template: dict[str, Any],
) -> None:
    functions = _of_type(feed_template, "AWS::Lambda::Function")
    changes = next(
        f["Properties"] for f in functions.values() if f["Properties"]["Handler"] == HANDLER
    )
    listed = subscriptions_of(changes)
    assert [(s["name"], s["kinds"], s["events"], s["fifo"]) for s in listed] == [
        ("Search", ["post", "topic"], ["INSERT", "MODIFY", "REMOVE"], True),
        ("Notify", ["post"], ["INSERT"], False),
    ]
    (stream,) = [
        m["Properties"]
        for m in _of_type(feed_template, "AWS::Lambda::EventSourceMapping").values()
        if "StreamArn" in str(m["Properties"]["EventSourceArn"])
    ]
    patterns = [json.loads(f["Pattern"]) for f in stream["FilterCriteria"]["Filters"]]
    assert [(p["eventName"], p["dynamodb"]["Keys"]["sk"]) for p in patterns] == [
        (["INSERT", "MODIFY", "REMOVE"], {"S": [{"prefix": "POST#"}]}),
        (["INSERT", "MODIFY", "REMOVE"], {"S": ["TOPIC"]}),
    ]
    alarms = " ".join(
        a["Properties"]["AlarmDescription"]
        for a in _of_type(feed_template, "AWS::CloudWatch::Alarm").values()
    )
    assert "Search dead-letter queue" in alarms and "Notify dead-letter queue" in alarms


def test_the_stack_subscribes_media_cleanup_notifications_and_search(synth: Synthesis) -> None:
    _, changes = function_by_handler(synth, HANDLER)
    found = {item["name"]: item for item in subscriptions_of(changes)}
    assert set(found) == {"MediaCleanup", "Notifications", "Search"}
    assert sorted(found["Notifications"]["kinds"]) == ["post", "topic"]
    assert found["Notifications"]["events"] == ["INSERT"]
    assert sorted(found["Search"]["events"]) == ["INSERT", "MODIFY", "REMOVE"]
    assert found["Search"]["fifo"] is True and found["Notifications"]["fifo"] is False
