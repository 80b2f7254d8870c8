"""The custom message trigger, with the events Cognito sends it, against a moto table.

Every mail Cognito sends goes out in the forum's words, with Cognito's placeholder for the code
(and, for an invitation, the username); a reset code is mailed to one account at most a few
times a day, however ForgotPassword was called.
"""

from __future__ import annotations

import copy
import importlib
from collections.abc import Iterator
from typing import Any

import pytest

from forum import account_mail, reset_limits
from forum.models import ForumItem
from forum.settings import (
    PASSWORD_RESETS_PER_ACCOUNT_PER_DAY_ENV,
    SITE_NAME_ENV,
    SITE_URL_ENV,
    get_settings,
)
from local.cognito_messages import custom_message_event

from ..conftest import LambdaContextStub

# As Cognito sends them (the developer guide's examples, with this pool's attributes).
SIGN_UP_EVENT: dict[str, Any] = {
    "version": "1",
    "region": "us-east-1",
    "userPoolId": "us-east-1_EXAMPLE",
    "userName": "alice",
    "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "1example23456789"},
    "triggerSource": "CustomMessage_SignUp",
    "request": {
        "userAttributes": {
            "sub": "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
            "cognito:user_status": "UNCONFIRMED",
            "email_verified": "false",
            "email": "alice@example.com",
        },
        "codeParameter": "{####}",
        "linkParameter": "{##Click Here##}",
        "usernameParameter": None,
    },
    "response": {"smsMessage": None, "emailMessage": None, "emailSubject": None},
}
ADMIN_CREATE_EVENT: dict[str, Any] = {
    **SIGN_UP_EVENT,
    "userName": "imported",
    "triggerSource": "CustomMessage_AdminCreateUser",
    "request": {
        "userAttributes": {
            "sub": "b1b2c3d4-5678-90ab-cdef-EXAMPLE22222",
            "cognito:user_status": "FORCE_CHANGE_PASSWORD",
            "email_verified": "true",
            "email": "imported@example.com",
        },
        "codeParameter": "{####}",
        "linkParameter": "{##Click Here##}",
        "usernameParameter": "{username}",
        "clientMetadata": {},
    },
}


def event_for(source: str, username: str = "alice", sub: str = "sub-alice") -> dict[str, Any]:
    return custom_message_event(
        trigger_source=source,
        pool_id="us-east-1_pool",
        client_id="browser-client",
        username=username,
        attributes={"sub": sub, "email": f"{username}@example.com", "email_verified": "true"},
    )


def run(payload: dict[str, Any]) -> Any:
    from custommessage.handler import lambda_handler

    return lambda_handler(payload, LambdaContextStub())  # type: ignore[arg-type]


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv(SITE_NAME_ENV, "Kite Flyers")
    monkeypatch.setenv(SITE_URL_ENV, "https://kites.example")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_a_sign_up_code_goes_out_in_the_forums_words(table: Any, site: None) -> None:
    answered = run(copy.deepcopy(SIGN_UP_EVENT))
    response = answered["response"]
    assert response["emailSubject"] == "Confirm your email address for Kite Flyers"
    body = response["emailMessage"]
    assert "{####}" in body and "alice" in body and "Kite Flyers" in body
    assert body.startswith("<p>") and body.endswith("</p>")
    # And the rest of the event goes back as it came
    assert answered["request"] == SIGN_UP_EVENT["request"]
    assert answered["userName"] == "alice"


@pytest.mark.parametrize(
    ("source", "link"),
    [
        ("CustomMessage_ForgotPassword", "https://kites.example/forgot-password"),
        ("CustomMessage_UpdateUserAttribute", "https://kites.example/account"),
        ("CustomMessage_VerifyUserAttribute", "https://kites.example/account"),
    ],
)
def test_each_code_links_to_the_page_where_it_is_typed(
    table: Any, site: None, source: str, link: str
) -> None:
    response = run(event_for(source))["response"]
    assert "{####}" in response["emailMessage"]
    assert link in response["emailMessage"]
    assert "Kite Flyers" in response["emailSubject"]


def test_a_resent_code_reads_as_the_sign_up(table: Any, site: None) -> None:
    resent = run(event_for("CustomMessage_ResendCode"))["response"]
    first = run(event_for("CustomMessage_SignUp"))["response"]
    assert resent == first


def test_an_invitation_carries_both_placeholders(table: Any, site: None) -> None:
    response = run(copy.deepcopy(ADMIN_CREATE_EVENT))["response"]
    # Cognito refuses an invitation without them
    assert "{username}" in response["emailMessage"] and "{####}" in response["emailMessage"]
    assert "https://kites.example/login" in response["emailMessage"]
    assert response["emailSubject"] == "Your account on Kite Flyers"


def test_without_the_forums_address_the_mail_has_no_links(table: Any) -> None:
    response = run(event_for("CustomMessage_ForgotPassword"))["response"]
    assert "{####}" in response["emailMessage"]
    assert "http" not in response["emailMessage"]
    assert response["emailSubject"] == "Reset your password for Forum"


def test_names_are_escaped_in_the_html(table: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SITE_NAME_ENV, "Cats & <Dogs>")
    get_settings.cache_clear()
    body = run(event_for("CustomMessage_SignUp"))["response"]["emailMessage"]
    assert "Cats &amp; &lt;Dogs&gt;" in body and "<Dogs>" not in body
    get_settings.cache_clear()


def test_a_message_the_forum_has_no_words_for_goes_out_in_cognitos(table: Any) -> None:
    payload = event_for("CustomMessage_Authentication")
    assert run(copy.deepcopy(payload)) == payload


def test_reset_mail_to_one_account_is_limited_per_day(
    table: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given at most two reset mails a day to one account
    monkeypatch.setenv(PASSWORD_RESETS_PER_ACCOUNT_PER_DAY_ENV, "2")
    get_settings.cache_clear()
    run(event_for("CustomMessage_ForgotPassword"))
    run(event_for("CustomMessage_ForgotPassword"))
    # When Cognito is about to mail a third, then the trigger raises (Cognito sends nothing)
    with pytest.raises(reset_limits.TooManyResets) as refused:
        run(event_for("CustomMessage_ForgotPassword"))
    # with words Cognito passes on to the caller, which name neither the account nor its sub
    assert "Too many password reset codes" in str(refused.value)
    assert "sub-alice" not in str(refused.value) and "alice" not in str(refused.value)
    # And the account's other mail, and another account's reset, still go out
    assert run(event_for("CustomMessage_UpdateUserAttribute"))["response"]["emailMessage"]
    other = run(event_for("CustomMessage_ForgotPassword", "bob", "sub-bob"))
    assert other["response"]["emailSubject"]
    # And the counter keeps a hash, not the account
    kept = [item for item in table.scan()["Items"] if item["kind"] == "password_reset_count"]
    assert kept and "sub-alice" not in str(kept)
    get_settings.cache_clear()


def test_the_function_points_the_models_at_its_table_at_cold_start(table: Any) -> None:
    # Given models pointed nowhere, as in a new Lambda sandbox
    ForumItem.Meta.table_name = None
    import custommessage.handler

    importlib.reload(custommessage.handler)
    assert ForumItem.Meta.table_name == get_settings().table_name


def test_every_trigger_source_it_writes_is_one_cognito_sends() -> None:
    sources = {
        "CustomMessage_SignUp",
        "CustomMessage_AdminCreateUser",
        "CustomMessage_ResendCode",
        "CustomMessage_ForgotPassword",
        "CustomMessage_UpdateUserAttribute",
        "CustomMessage_VerifyUserAttribute",
        "CustomMessage_Authentication",
    }
    assert set(account_mail._WRITERS) <= sources
