"""The notifier in the stack: the shared code and layer, the table and nothing else, alarms."""

from __future__ import annotations

from infra.notifications import NOTIFIED_EVENTS, NOTIFIED_KINDS

from .conftest import Synthesis, alarm_descriptions, function_by_handler
from .test_images import statements_of_role

HANDLER = "notifier.handler.lambda_handler"
API_HANDLER = "api.handler.lambda_handler"


def test_the_notifier_shares_the_code_and_knows_only_the_table(synth: Synthesis) -> None:
    _, notifier = function_by_handler(synth, HANDLER)
    _, api = function_by_handler(synth, API_HANDLER)
    assert notifier["Code"] == api["Code"] and notifier["Layers"] == api["Layers"]
    assert notifier["Timeout"] == 120
    variables = notifier["Environment"]["Variables"]
    table_id, _ = synth.one("AWS::DynamoDB::Table")
    assert variables["FORUM_TABLE"] == {"Ref": table_id}
    assert "FORUM_MEDIA_BUCKET" not in variables
    assert variables["POWERTOOLS_SERVICE_NAME"] == "forum-notifier"


def test_the_notifier_may_use_the_table_and_nothing_else(synth: Synthesis) -> None:
    _, notifier = function_by_handler(synth, HANDLER)
    role_id = notifier["Role"]["Fn::GetAtt"][0]
    actions = {
        action
        for statement in statements_of_role(synth, role_id)
        for action in (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
    }
    assert "dynamodb:BatchWriteItem" in actions and "dynamodb:Query" in actions
    assert not any(action.startswith(("s3:", "cognito")) for action in actions)
    # SQS only to read its own queue of changes (the change feed's subscription).
    assert {action for action in actions if action.startswith("sqs:")} <= {
        "sqs:ReceiveMessage",
        "sqs:ChangeMessageVisibility",
        "sqs:GetQueueUrl",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
    }


def test_it_consumes_new_posts_and_topics(synth: Synthesis) -> None:
    assert NOTIFIED_KINDS == ("post", "topic") and NOTIFIED_EVENTS == ("INSERT",)
    descriptions = alarm_descriptions(synth)
    assert "The Notifier function failed" in descriptions
