"""The forum's mail in the stack: the unsubscribe secret for the API, and with forum:mailFrom
a configuration set whose bounces and complaints reach the mail events function through SNS;
without it the stack says that no mail is sent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from infra.app import build_app

from .conftest import StackTemplate, Synthesis, function_by_handler
from .test_images import statements_of_role

API_HANDLER = "api.handler.lambda_handler"
EVENTS_HANDLER = "mail_events.handler.lambda_handler"


def test_without_a_sender_no_mail_is_sent_and_the_output_says_so(synth: Synthesis) -> None:
    assert synth.outputs["MailSender"]["Value"].startswith("none: set forum:mailFrom")
    assert synth.of_type("AWS::SES::ConfigurationSet") == {}
    # The API still verifies unsubscribe links, with the secret read at deploy time
    _, api = function_by_handler(synth, API_HANDLER)
    secret = json.dumps(api["Environment"]["Variables"]["FORUM_MAIL_SECRET"])
    assert "resolve:secretsmanager" in secret
    assert "FORUM_MAIL_FROM" not in api["Environment"]["Variables"]


@pytest.fixture(scope="module")
def with_sender(tmp_path_factory: pytest.TempPathFactory) -> StackTemplate:
    outdir: Path = tmp_path_factory.mktemp("cdk.mail")
    forum_app = build_app(
        outdir, context={"forum:mailFrom": "forum@example.org", "forum:sesRegion": "us-east-1"}
    )
    forum_app.app.synth()  # raises on any cdk-nag error
    return StackTemplate.read(forum_app.forum, outdir)


def test_bounces_and_complaints_reach_the_mail_events_function(with_sender: StackTemplate) -> None:
    assert with_sender.outputs["MailSender"]["Value"] == "from forum@example.org"
    set_id, _ = with_sender.one("AWS::SES::ConfigurationSet")
    _, destination = with_sender.one("AWS::SES::ConfigurationSetEventDestination")
    properties: dict[str, Any] = destination["Properties"]
    assert properties["ConfigurationSetName"] == {"Ref": set_id}
    event = properties["EventDestination"]
    assert sorted(event["MatchingEventTypes"]) == ["bounce", "complaint"]
    topic = event["SnsDestination"]["TopicARN"]
    events_id, events = function_by_handler(with_sender, EVENTS_HANDLER)
    (subscription,) = [
        s["Properties"]
        for s in with_sender.of_type("AWS::SNS::Subscription").values()
        if s["Properties"]["Protocol"] == "lambda"
    ]
    assert subscription["TopicArn"] == topic
    assert subscription["Endpoint"] == {"Fn::GetAtt": [events_id, "Arn"]}
    statements = statements_of_role(with_sender, events["Role"]["Fn::GetAtt"][0])  # type: ignore[arg-type]
    table_actions = {s["Action"] for s in statements if "Table" in json.dumps(s["Resource"])}
    assert table_actions == {"dynamodb:PutItem"}


def test_a_function_allowed_to_send_gets_its_settings_and_may_send_only_as_the_forum() -> None:
    import aws_cdk as cdk
    from aws_cdk import aws_dynamodb as dynamodb
    from aws_cdk import aws_lambda as lambda_
    from aws_cdk.assertions import Template

    from forum import schema
    from infra.config import ForumConfig
    from infra.functions import forum_function
    from infra.mail import ForumMail

    app = cdk.App(context={"forum:mailFrom": "forum@example.org", "forum:sesRegion": "us-east-1"})
    stack = cdk.Stack(app, "Mailing")
    key = dynamodb.AttributeType.STRING
    table = dynamodb.Table(
        stack,
        "Table",
        partition_key=dynamodb.Attribute(name=schema.PARTITION_KEY, type=key),
        sort_key=dynamodb.Attribute(name=schema.SORT_KEY, type=key),
    )
    layer = lambda_.LayerVersion.from_layer_version_arn(
        stack, "Layer", "arn:aws:lambda:us-east-1:123456789012:layer:forum:1"
    )
    config = ForumConfig()
    mail = ForumMail(
        stack, "Mail", config=config, table=table, layer=layer, site_url="https://forum.example"
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
    mail.allow_sending(notifier)
    resources = Template.from_stack(stack).to_json()["Resources"]

    (function,) = [
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::Lambda::Function"
        and r["Properties"].get("Handler") == "notify.handler.lambda_handler"
    ]
    variables = function["Environment"]["Variables"]
    assert variables["FORUM_MAIL_FROM"] == "forum@example.org"
    assert variables["FORUM_SITE_URL"] == "https://forum.example"
    assert variables["FORUM_MAILS_PER_HOUR"] == "10"
    assert "resolve:secretsmanager" in json.dumps(variables["FORUM_MAIL_SECRET"])
    assert "Ref" in variables["FORUM_MAIL_CONFIGURATION_SET"]
    statements = [
        statement
        for r in resources.values()
        if r["Type"] == "AWS::IAM::Policy" and "Notifier" in json.dumps(r["Properties"]["Roles"])
        for statement in r["Properties"]["PolicyDocument"]["Statement"]
    ]
    (sending,) = [s for s in statements if "ses:SendEmail" in s["Action"]]
    resources_text = json.dumps(sending["Resource"])
    assert "identity/forum@example.org" in resources_text and "configuration-set/" in resources_text
    (table_grant,) = [s for s in statements if "dynamodb:UpdateItem" in s["Action"]]
    assert sorted(table_grant["Action"]) == ["dynamodb:BatchGetItem", "dynamodb:UpdateItem"]
