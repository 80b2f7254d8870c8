"""The pre sign-up trigger, with the events Cognito sends it, against a moto table.

Only a sign-up that went through ``POST /api/accounts`` (whose pending claim holds the token
it handed Cognito) passes; an administrator's AdminCreateUser needs only the username rules.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from forum import clock, schema
from forum.models import UsernameClaim
from forum.sign_up_check import CLAIM_TOKEN
from local.cognito_triggers import pre_sign_up_event

from ..conftest import LambdaContextStub


def event(
    username: str, token: str | None = None, source: str = "PreSignUp_SignUp"
) -> dict[str, Any]:
    return pre_sign_up_event(
        trigger_source=source,
        pool_id="us-east-1_pool",
        client_id="browser-client",
        username=username,
        attributes={"email": f"{username}@example.com"},
        validation_data={CLAIM_TOKEN: token} if token is not None else None,
    )


def run(payload: dict[str, Any]) -> Any:
    from presignup.handler import lambda_handler

    return lambda_handler(payload, LambdaContextStub())  # type: ignore[arg-type]


def pending_claim(username: str, token: str, lapsed: bool = False) -> None:
    now = clock.now()
    UsernameClaim(
        schema.username_pk(username),
        schema.USERNAME_SK,
        username=username,
        claimed_at=clock.iso(now),
        claim_token=token,
        expires_at=now + (timedelta(days=-1) if lapsed else timedelta(days=1)),
    ).save()


def test_the_forums_own_sign_up_passes(table: Any) -> None:
    # Given the pending claim POST /api/accounts wrote
    pending_claim("Alice_1", "the-token")
    # When Cognito asks about the sign-up that carries its token, then it goes ahead unchanged
    payload = event("Alice_1", "the-token")
    assert run(payload) == payload
    assert payload["response"]["autoConfirmUser"] is False


@pytest.mark.parametrize(
    ("username", "token"),
    [
        ("newcomer", None),  # straight to Cognito: no claim, no token
        ("newcomer", "guessed"),  # a token, but no claim
        ("Alice_1", "guessed"),  # somebody else's pending claim
        ("ALICE_1", "the-token"),  # the token, for another spelling of the name
    ],
)
def test_a_sign_up_without_its_claim_is_refused(
    table: Any, username: str, token: str | None
) -> None:
    pending_claim("Alice_1", "the-token")
    with pytest.raises(Exception, match="sign-up page"):
        run(event(username, token))


def test_a_lapsed_or_settled_claim_lets_nobody_in(table: Any) -> None:
    pending_claim("lapsed", "old-token", lapsed=True)
    with pytest.raises(Exception, match="sign-up page"):
        run(event("lapsed", "old-token"))
    UsernameClaim(
        schema.username_pk("bound"),
        schema.USERNAME_SK,
        username="bound",
        claimed_at=clock.now_iso(),
        user_id="a-member",
    ).save()
    with pytest.raises(Exception, match="sign-up page"):
        run(event("bound", ""))


@pytest.mark.parametrize("source", ["PreSignUp_SignUp", "PreSignUp_AdminCreateUser"])
@pytest.mark.parametrize("username", ["\u0430dmin", "ab", "dot.ted", "admin\n"])
def test_names_outside_the_rules_are_refused_whoever_asks(
    table: Any, source: str, username: str
) -> None:
    with pytest.raises(Exception, match="3 to 20 characters"):
        run(event(username, "any", source))


def test_an_administrator_may_make_a_member_with_a_good_name(table: Any) -> None:
    payload = event("newcomer", source="PreSignUp_AdminCreateUser")
    assert run(payload) == payload


def test_the_function_points_the_models_at_its_table_at_cold_start(table: Any) -> None:
    # Given models pointed nowhere, as in a new Lambda sandbox
    import importlib

    from forum.models import ForumItem
    from forum.settings import get_settings

    ForumItem.Meta.table_name = None
    import presignup.handler

    importlib.reload(presignup.handler)
    # Then its first read finds the table (before, every SignUp in AWS failed here)
    assert ForumItem.Meta.table_name == get_settings().table_name
