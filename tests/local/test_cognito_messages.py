"""Cognito's custom message trigger, run locally where Cognito runs it (local/cognito_messages.py).

Every code the local Cognito mails reaches the local mailbox in the trigger's words, with the
code in place of ``{####}`` and links to this runtime's pages; a reset mailed to one account
too often today is refused (``UserLambdaValidationException``) and nothing is mailed, however
ForgotPassword was called.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from local.client import ForumClient
from local.cognito_messages import CODE_PARAMETER, Words

from .conftest import Runtime
from .test_mailbox import code_in, mail_to

PASSWORD = "Messages-2026"
# Each test asks as a viewer of its own (the gateway reads X-Forwarded-For as CloudFront's), so
# that the per-IP limits on sign-ups and resets are not spent for the tests that share 127.0.0.1.
VIEWER = {"x-forwarded-for": "198.51.100.77"}


def confirmed_member(client: ForumClient, username: str) -> str:
    address = f"{username}@forum.invalid"
    account = {"username": username, "email": address, "password": PASSWORD}
    assert client.request("POST", "/api/accounts", account, headers=VIEWER).status == 201
    (confirmation,) = mail_to(client, address)
    client.cognito().confirm_sign_up(
        ClientId=client.config["cognito"]["client_id"],
        Username=username,
        ConfirmationCode=code_in(confirmation),
    )
    return address


def test_each_code_is_mailed_in_the_forums_words_with_a_link_to_its_page(
    runtime: Runtime,
) -> None:
    client = ForumClient(runtime.url)
    # Given a member who signed up: the confirmation reads as the trigger wrote it, as text
    address = confirmed_member(client, "worded")
    (confirmation,) = mail_to(client, address)
    assert confirmation["subject"] == "Confirm your email address for Forum"
    assert "Welcome to Forum, worded." in confirmation["text"]
    assert "<p>" not in confirmation["text"] and CODE_PARAMETER not in confirmation["text"]

    # When they ask for a reset through the forum, then the code comes with a link to the page
    assert (
        client.request("POST", "/api/password-resets", {"name": address}, headers=VIEWER).status
        == 202
    )
    reset = mail_to(client, address)[0]
    assert reset["kind"] == "cognito:reset"
    assert reset["subject"] == "Reset your password for Forum"
    assert f"{runtime.url}/forgot-password" in reset["text"]
    assert code_in(reset) and "worded" in reset["text"]

    # When they change their address, then the new one is mailed a code and a link to /account
    tokens = client.sign_in("worded", PASSWORD)
    client.cognito().update_user_attributes(
        AccessToken=tokens["AccessToken"],
        UserAttributes=[{"Name": "email", "Value": "worded.new@forum.invalid"}],
    )
    (change,) = mail_to(client, "worded.new@forum.invalid")
    assert change["kind"] == "cognito:email-change"
    assert change["subject"] == "Confirm your new email address for Forum"
    assert f"{runtime.url}/account" in change["text"] and code_in(change)


def test_reset_mail_to_one_account_stops_at_the_daily_limit_whoever_asks(
    runtime: Runtime,
) -> None:
    client = ForumClient(runtime.url)
    cognito = client.cognito()
    client_id = client.config["cognito"]["client_id"]
    address = confirmed_member(client, "often_reset")
    # Given the stack's limit (cdk.json: 5 a day), used up straight through Cognito's public
    # call, by username and by address, as a browser may
    for name in ["often_reset", address, "often_reset", address, "often_reset"]:
        cognito.forgot_password(ClientId=client_id, Username=name)
    assert len(mail_to(client, address)) == 6  # the confirmation and five resets
    # When one more is asked for straight from Cognito, then Cognito refuses it
    with pytest.raises(ClientError) as refused:
        cognito.forgot_password(ClientId=client_id, Username="often_reset")
    assert refused.value.response["Error"]["Code"] == "UserLambdaValidationException"
    message = refused.value.response["Error"]["Message"]
    assert message.startswith("CustomMessage failed with error Too many password reset codes")
    # And through the forum the answer is the one every name gets, and nothing is mailed
    asked = client.request("POST", "/api/password-resets", {"name": "often_reset"}, headers=VIEWER)
    assert asked.status == 202, asked.text
    unknown = client.request("POST", "/api/password-resets", {"name": "never-was"}, headers=VIEWER)
    assert unknown.status == 202 and unknown.json == asked.json
    assert len(mail_to(client, address)) == 6


def test_the_mail_as_text_keeps_paragraphs_and_links_and_drops_tags() -> None:
    words = Words(
        "Subject",
        "<p>Cats &amp; dogs, your code is {####}</p>\n<p>Enter it at https://f.example/account</p>",
    )
    assert words.text("123456") == (
        "Cats & dogs, your code is 123456\n\nEnter it at https://f.example/account"
    )
