"""Members sign up and sign in with the Cognito user pool; groups carry the forum's roles."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import App, Environment, Stack
from aws_cdk.assertions import Template

from forum.identity import ADMINS, MODERATORS
from infra.auth import CUSTOM_MESSAGE_HANDLER, PRE_SIGN_UP_HANDLER, ForumAuth, site_from_context
from infra.config import ForumConfig

from .conftest import Synthesis, function_by_handler


def test_anyone_can_sign_up_and_sign_in_with_a_verified_email(synth: Synthesis) -> None:
    _, pool = synth.one("AWS::Cognito::UserPool")
    props = pool["Properties"]

    assert props["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is False
    assert props["AliasAttributes"] == ["email"]
    assert props["AutoVerifiedAttributes"] == ["email"]
    assert props["UsernameConfiguration"] == {"CaseSensitive": False}
    assert props["AccountRecoverySetting"] == {
        "RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]
    }


def test_passwords_are_long_with_mixed_case_and_digits(synth: Synthesis) -> None:
    _, pool = synth.one("AWS::Cognito::UserPool")
    policy = pool["Properties"]["Policies"]["PasswordPolicy"]

    assert policy["MinimumLength"] >= 10
    assert policy["RequireUppercase"] is True
    assert policy["RequireLowercase"] is True
    assert policy["RequireNumbers"] is True


def test_the_member_pool_is_kept_with_the_members_in_it(synth: Synthesis) -> None:
    _, pool = synth.one("AWS::Cognito::UserPool")

    assert pool["DeletionPolicy"] == "Retain"
    assert pool["Properties"]["DeletionProtection"] == "ACTIVE"


def test_admins_and_moderators_are_groups_of_the_pool(synth: Synthesis) -> None:
    pool_id, _ = synth.one("AWS::Cognito::UserPool")
    groups = synth.of_type("AWS::Cognito::UserPoolGroup").values()

    assert {group["Properties"]["GroupName"] for group in groups} == {ADMINS, MODERATORS}
    for group in groups:
        assert group["Properties"]["UserPoolId"] == {"Ref": pool_id}


def test_the_browser_client_has_no_secret_and_signs_in_with_a_password(
    synth: Synthesis, context: dict[str, Any]
) -> None:
    pool_id, _ = synth.one("AWS::Cognito::UserPool")
    client_id, client = synth.one("AWS::Cognito::UserPoolClient")
    props = client["Properties"]

    assert props["UserPoolId"] == {"Ref": pool_id}
    assert props["GenerateSecret"] is False
    assert set(props["ExplicitAuthFlows"]) == {
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
        "ALLOW_USER_SRP_AUTH",
    }
    assert props["AllowedOAuthFlowsUserPoolClient"] is False
    assert props["PreventUserExistenceErrors"] == "ENABLED"
    # Token lifetimes come from cdk.json's context.
    assert props["TokenValidityUnits"]["AccessToken"] == "minutes"
    assert props["AccessTokenValidity"] == context["forum:accessTokenMinutes"]
    assert props["IdTokenValidity"] == context["forum:accessTokenMinutes"]
    assert props["TokenValidityUnits"]["RefreshToken"] == "minutes"
    assert props["RefreshTokenValidity"] == context["forum:refreshTokenDays"] * 24 * 60
    synth.template.has_output("UserPoolId", {"Value": {"Ref": pool_id}})
    synth.template.has_output("UserPoolClientId", {"Value": {"Ref": client_id}})


def test_the_api_tests_pool_has_the_stacks_password_policy(synth: Synthesis) -> None:
    # The API tests make their moto pool by hand (tests/cognito.py); it must ask what this asks.
    from ..cognito import PASSWORD, PASSWORD_POLICY

    _, pool = synth.one("AWS::Cognito::UserPool")
    policy = dict(pool["Properties"]["Policies"]["PasswordPolicy"])
    policy.pop("TemporaryPasswordValidityDays", None)
    assert policy == PASSWORD_POLICY
    assert len(PASSWORD) >= policy["MinimumLength"]


def test_every_sign_up_passes_the_pre_sign_up_trigger(synth: Synthesis) -> None:
    pool_id, pool = synth.one("AWS::Cognito::UserPool")
    function_id, function = function_by_handler(synth, PRE_SIGN_UP_HANDLER)

    assert pool["Properties"]["LambdaConfig"]["PreSignUp"] == {"Fn::GetAtt": [function_id, "Arn"]}
    # It reads the claims of the forum table; Cognito waits for it no longer than 5 seconds.
    table_id, _ = synth.one("AWS::DynamoDB::Table")
    assert function["Environment"]["Variables"]["FORUM_TABLE"] == {"Ref": table_id}
    assert function["Timeout"] <= 5
    # Only this pool may invoke it.
    permissions = [
        resource["Properties"]
        for resource in synth.of_type("AWS::Lambda::Permission").values()
        if resource["Properties"]["FunctionName"] == {"Fn::GetAtt": [function_id, "Arn"]}
    ]
    assert permissions == [
        {
            "Action": "lambda:InvokeFunction",
            "FunctionName": {"Fn::GetAtt": [function_id, "Arn"]},
            "Principal": "cognito-idp.amazonaws.com",
            "SourceArn": {"Fn::GetAtt": [pool_id, "Arn"]},
        }
    ]


def test_the_pre_sign_up_trigger_may_only_read_username_claims(synth: Synthesis) -> None:
    _, function = function_by_handler(synth, PRE_SIGN_UP_HANDLER)
    role_id = function["Role"]["Fn::GetAtt"][0]
    table_id, _ = synth.one("AWS::DynamoDB::Table")
    statements = [
        statement
        for policy in synth.of_type("AWS::IAM::Policy").values()
        if {"Ref": role_id} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    table_statements = [s for s in statements if "dynamodb:GetItem" in str(s["Action"])]
    assert table_statements == [
        {
            "Action": "dynamodb:GetItem",
            "Condition": {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["USERNAME#*"]}},
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [table_id, "Arn"]},
        }
    ]
    # Nothing else of the table, no Cognito, nothing anywhere but logs and traces.
    actions = {action for s in statements for action in _listed(s["Action"])}
    assert actions - {"dynamodb:GetItem"} <= {
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
    }


def test_every_mail_passes_the_custom_message_trigger(synth: Synthesis) -> None:
    pool_id, pool = synth.one("AWS::Cognito::UserPool")
    function_id, function = function_by_handler(synth, CUSTOM_MESSAGE_HANDLER)

    # The pool has these two triggers and no other
    assert set(pool["Properties"]["LambdaConfig"]) == {"PreSignUp", "CustomMessage"}
    assert pool["Properties"]["LambdaConfig"]["CustomMessage"] == {
        "Fn::GetAtt": [function_id, "Arn"]
    }
    # It counts reset mail in the forum table, with the stack's limit, and names the forum
    table_id, _ = synth.one("AWS::DynamoDB::Table")
    variables = function["Environment"]["Variables"]
    assert variables["FORUM_TABLE"] == {"Ref": table_id}
    assert variables["FORUM_PASSWORD_RESETS_PER_ACCOUNT_PER_DAY"] == "5"
    assert variables["FORUM_SITE_NAME"] == "Forum"
    # No forum:siteUrl in the context: no links (CloudFront's address comes after the pool)
    assert "FORUM_SITE_URL" not in variables
    assert function["Timeout"] <= 5
    permissions = [
        resource["Properties"]
        for resource in synth.of_type("AWS::Lambda::Permission").values()
        if resource["Properties"]["FunctionName"] == {"Fn::GetAtt": [function_id, "Arn"]}
    ]
    assert permissions == [
        {
            "Action": "lambda:InvokeFunction",
            "FunctionName": {"Fn::GetAtt": [function_id, "Arn"]},
            "Principal": "cognito-idp.amazonaws.com",
            "SourceArn": {"Fn::GetAtt": [pool_id, "Arn"]},
        }
    ]


def test_the_custom_message_trigger_may_only_count_password_resets(synth: Synthesis) -> None:
    _, function = function_by_handler(synth, CUSTOM_MESSAGE_HANDLER)
    role_id = function["Role"]["Fn::GetAtt"][0]
    table_id, _ = synth.one("AWS::DynamoDB::Table")
    statements = [
        statement
        for policy in synth.of_type("AWS::IAM::Policy").values()
        if {"Ref": role_id} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    table_statements = [s for s in statements if "dynamodb:" in str(s["Action"])]
    assert table_statements == [
        {
            "Action": "dynamodb:UpdateItem",
            "Condition": {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["RESETS#*"]}},
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [table_id, "Arn"]},
        }
    ]
    # Nothing else of the table, no Cognito, nothing anywhere but logs and traces.
    actions = {action for s in statements for action in _listed(s["Action"])}
    assert actions - {"dynamodb:UpdateItem"} <= {
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
    }


def test_the_mail_names_the_forum_and_links_to_it_from_context(context: dict[str, str]) -> None:
    app = App(
        context={
            **context,
            "forum:siteName": "Kite Flyers",
            "forum:siteUrl": "https://kites.example/",
        }
    )
    assert site_from_context(app) == ("Kite Flyers", "https://kites.example")
    assert site_from_context(App(context=context)) == ("Forum", "")


@pytest.mark.parametrize(
    "address", ["http://kites.example", "https://kites.example/forum", "kites"]
)
def test_a_site_address_that_cannot_be_is_refused_at_synth(
    context: dict[str, str], address: str
) -> None:
    with pytest.raises(ValueError, match="forum:siteUrl"):
        auth_template({**context, "forum:siteUrl": address})


def _listed(value: Any) -> list[str]:
    return value if isinstance(value, list) else [value]


def test_without_a_sender_cognito_mails_by_itself(synth: Synthesis) -> None:
    _, pool = synth.one("AWS::Cognito::UserPool")
    assert pool["Properties"]["EmailConfiguration"] == {"EmailSendingAccount": "COGNITO_DEFAULT"}


def auth_template(context: dict[str, str]) -> dict[str, Any]:
    """The pool of a stack that has only ForumAuth, made with this context."""
    app = App(context=context)
    stack = Stack(app, "AuthOnly", env=Environment(account="123456789012", region="eu-west-1"))
    ForumAuth(stack, "Auth", config=ForumConfig())
    (pool,) = Template.from_stack(stack).find_resources("AWS::Cognito::UserPool").values()
    return dict(pool["Properties"])


def test_with_a_sender_cognito_mails_through_ses() -> None:
    pool = auth_template(
        {
            "forum:mailFrom": "forum@example.org",
            "forum:mailFromName": "The Forum",
            "forum:sesConfigurationSet": "forum-mail",
        }
    )
    assert pool["EmailConfiguration"] == {
        "ConfigurationSet": "forum-mail",
        "EmailSendingAccount": "DEVELOPER",
        "From": "The Forum <forum@example.org>",
        "SourceArn": {
            "Fn::Join": [
                "",
                [
                    "arn:",
                    {"Ref": "AWS::Partition"},
                    ":ses:eu-west-1:123456789012:identity/forum@example.org",
                ],
            ]
        },
    }


@pytest.mark.parametrize(
    "context",
    [
        {"forum:mailFrom": "not an address"},
        {"forum:sesConfigurationSet": "forum-mail"},  # a configuration set, but no sender
    ],
)
def test_a_sender_that_cannot_be_is_refused_at_synth(context: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="forum:mailFrom"):
        auth_template(context)


def test_a_changed_email_address_waits_for_its_code_and_the_old_one_stays(
    synth: Synthesis,
) -> None:
    # The account page changes the address with UpdateUserAttributes: until the code mailed to
    # the new address is given back (VerifyUserAttribute), members still sign in, and get their
    # mail, at the old one.
    _, pool = synth.one("AWS::Cognito::UserPool")
    settings = pool["Properties"]["UserAttributeUpdateSettings"]

    assert settings == {"AttributesRequireVerificationBeforeUpdate": ["email"]}
