"""Members sign up and sign in with the Cognito user pool; groups carry the forum's roles."""

from __future__ import annotations

from typing import Any

from forum.identity import ADMINS, MODERATORS

from .conftest import Synthesis


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
