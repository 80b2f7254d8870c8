"""Signing up on the local runtime: its Cognito runs the pre sign-up trigger, as AWS does.

moto runs no Cognito triggers; the runtime does (local/cognito_triggers.py). So a SignUp made
straight to the local Cognito with the browser's app client is refused as in AWS, and only the
forum's own sign-up (POST /api/accounts) makes an account.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from forum import schema
from local.client import ForumClient

from .conftest import Runtime, free_port

PASSWORD = "Sign-up-2026"


def sign_up_with_cognito(client: ForumClient, username: str) -> Any:
    return client.cognito().sign_up(
        ClientId=client.config["cognito"]["client_id"],
        Username=username,
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "someone@forum.invalid"}],
    )


def users_named(client: ForumClient, username: str) -> list[str]:
    pool_id = client.config["cognito"]["user_pool_id"]
    users = client.cognito().list_users(UserPoolId=pool_id)["Users"]
    return [user["Username"] for user in users if user["Username"].lower() == username.lower()]


@pytest.mark.parametrize(
    ("username", "why"),
    [
        ("\u0430dmin", "3 to 20 characters"),  # "admin" with a Cyrillic a
        ("adm\u0456n", "3 to 20 characters"),  # ... with a Cyrillic i
        ("newcomer2", "sign-up page"),  # a good name, but not through the forum
    ],
)
def test_a_sign_up_straight_to_cognito_is_refused_by_the_trigger(
    runtime: Runtime, username: str, why: str
) -> None:
    client = ForumClient(runtime.url)
    with pytest.raises(ClientError) as refused:
        sign_up_with_cognito(client, username)
    error = refused.value.response["Error"]
    assert error["Code"] == "UserLambdaValidationException"
    assert error["Message"].startswith("PreSignUp failed with error ")
    assert why in error["Message"]
    assert users_named(client, username) == []


def test_through_the_forum_a_look_alike_of_a_member_is_refused(runtime: Runtime) -> None:
    client = ForumClient(runtime.url)
    for look_alike, status in (("adm1n", 409), ("ADMlN", 409), ("\u0430dmin", 422)):
        account = {"username": look_alike, "email": "someone@forum.invalid", "password": PASSWORD}
        reply = client.request("POST", "/api/accounts", account)
        assert reply.status == status, reply.text
        headers = {name.lower(): value for name, value in reply.headers.items()}
        assert headers["content-type"] == "application/problem+json"
    assert users_named(client, "adm1n") == [] and users_named(client, "ADMlN") == []


def test_the_forums_own_sign_up_passes_the_trigger(runtime: Runtime) -> None:
    client = ForumClient(runtime.url)
    account = {"username": "Trigger_ok", "email": "trigger@forum.invalid", "password": PASSWORD}
    reply = client.request("POST", "/api/accounts", account)
    assert reply.status == 201, reply.text
    assert reply.json["confirmed"] is False
    assert users_named(client, "Trigger_ok") == ["Trigger_ok"]


def test_claims_kept_from_before_skeletons_move_at_the_next_start(tmp_path: Path) -> None:
    # Given a local forum whose data dates from before claims were keyed by skeleton: alice's
    # claim lies under her lower-case name
    local = Runtime(free_port(), tmp_path / "state")
    local.start()
    try:
        dynamodb = local_dynamodb(ForumClient(local.url))
        (table,) = dynamodb.list_tables()["TableNames"]
        new_key = {"pk": {"S": schema.username_pk("alice")}, "sk": {"S": schema.USERNAME_SK}}
        claim = dynamodb.get_item(TableName=table, Key=new_key)["Item"]
        dynamodb.delete_item(TableName=table, Key=new_key)
        dynamodb.put_item(TableName=table, Item={**claim, "pk": {"S": "USERNAME#alice"}})
    finally:
        assert local.stop() == 0
    # When the runtime starts again, then her claim has moved, and stops a look-alike
    local.start()
    try:
        client = ForumClient(local.url)
        dynamodb = local_dynamodb(client)
        assert dynamodb.get_item(TableName=table, Key=new_key).get("Item") == claim
        old_key = {**new_key, "pk": {"S": "USERNAME#alice"}}
        assert "Item" not in dynamodb.get_item(TableName=table, Key=old_key)
        account = {"username": "AL1CE", "email": "al1ce@forum.invalid", "password": PASSWORD}
        assert client.request("POST", "/api/accounts", account).status == 409
    finally:
        assert local.stop() == 0


def local_dynamodb(client: ForumClient) -> Any:
    return boto3.client(
        "dynamodb",
        endpoint_url=client.config["cognito"]["endpoint"],  # the local AWS serves both
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
