"""Signing up through the API: the forum's username rules, then Cognito, nothing half-written."""

from __future__ import annotations

from typing import Any

import pytest

from forum.settings import USER_POOL_CLIENT_ID_ENV, get_settings

from ..cognito import PASSWORD, MemberPool
from ..conftest import Caller
from ..events import claims


def sign_up(call: Caller, username: str, password: str = PASSWORD, **extra: Any):
    body = {"username": username, "email": f"{username.lower()}@example.com", "password": password}
    return call("POST", "/api/accounts", {**body, **extra})


def claim_of(table: Any, username: str) -> dict[str, Any] | None:
    return table.get_item(Key={"pk": f"USERNAME#{username.lower()}", "sk": "USERNAME"}).get("Item")


def test_signing_up_claims_the_name_and_creates_the_cognito_user(
    call: Caller, table: Any, cognito: MemberPool
) -> None:
    # When a visitor signs up
    reply = sign_up(call, "Alice_1")
    # Then the account exists in Cognito, waiting for its confirmation code
    assert reply.status == 201, reply.text
    body = reply.json
    assert body["username"] == "Alice_1" and body["confirmed"] is False
    assert reply.headers["location"] == "/api/users/Alice_1"
    user = cognito.client.admin_get_user(UserPoolId=cognito.pool_id, Username="Alice_1")
    assert user["UserStatus"] == "UNCONFIRMED"
    sub = next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")
    assert body["user_id"] == sub
    # And the name is held for them, in lower case, with no pending marks left
    claim = claim_of(table, "alice_1")
    assert claim is not None
    assert claim["username"] == "Alice_1" and claim["user_id"] == sub
    assert "expires_at" not in claim and "claim_token" not in claim

    # When they confirm, sign in and make their first call, their profile is made with the name
    me = call("GET", "/api/me", claims=claims(sub, "Alice_1"))
    assert me.status == 200, me.text
    assert me.json["username"] == "Alice_1" and me.json["id"] == sub
    assert me.json["post_count"] == 0 and me.json["role"] == "member"
    assert call("GET", "/api/users/alice_1").json["member"]["username"] == "Alice_1"


@pytest.mark.parametrize(
    "username", ["ab", "a" * 21, "two words", "dot.ted", "émile", "semi;colon", ""]
)
def test_usernames_outside_the_rules_are_422_before_cognito(
    call: Caller, table: Any, cognito: MemberPool, username: str
) -> None:
    reply = sign_up(call, username)
    assert reply.status == 422, reply.text
    assert reply.json["errors"][0]["field"] == "username"
    assert table.scan()["Items"] == []
    assert not cognito.client.list_users(UserPoolId=cognito.pool_id)["Users"]


def test_a_name_taken_in_any_case_is_409(call: Caller, table: Any, cognito: MemberPool) -> None:
    assert sign_up(call, "Bob-the-2nd").status == 201
    for attempt in ("bob-the-2nd", "BOB-THE-2ND", "Bob-the-2nd"):
        reply = sign_up(call, attempt)
        assert reply.status == 409, reply.text
        assert "taken" in reply.json["detail"]
    assert len(cognito.client.list_users(UserPoolId=cognito.pool_id)["Users"]) == 1
    assert claim_of(table, "bob-the-2nd")["username"] == "Bob-the-2nd"  # type: ignore[index]


def test_a_weak_password_is_422_with_cognitos_words_and_frees_the_name(
    call: Caller, table: Any, cognito: MemberPool
) -> None:
    reply = sign_up(call, "carol", password="short")
    assert reply.status == 422, reply.text
    assert reply.json["errors"] == [{"field": "password", "message": reply.json["detail"]}]
    assert "password" in reply.json["detail"].lower()
    # nothing is left behind: no claim, no Cognito user, and the name can be taken at once
    assert table.scan()["Items"] == []
    assert not cognito.exists("carol")
    assert sign_up(call, "carol").status == 201


def test_a_name_cognito_already_has_is_409_and_the_claim_is_released(
    call: Caller, table: Any, cognito: MemberPool
) -> None:
    # Given a Cognito user that signed up with Cognito directly and never came to the forum
    cognito.add("dave")
    # When someone signs up with that name through the API
    reply = sign_up(call, "dave")
    # Then Cognito's refusal is a 409, and the table holds no claim for the name
    assert reply.status == 409, reply.text
    assert claim_of(table, "dave") is None


def test_when_cognito_cannot_sign_up_the_answer_is_503_and_nothing_is_kept(
    call: Caller, table: Any, cognito: MemberPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a function whose app client is wrong (Cognito answers ResourceNotFoundException)
    monkeypatch.setenv(USER_POOL_CLIENT_ID_ENV, "no-such-client")
    get_settings.cache_clear()
    reply = sign_up(call, "erin")
    assert reply.status == 503, reply.text
    assert reply.headers["retry-after"] == "1"
    assert table.scan()["Items"] == []


def test_bad_sign_up_bodies_are_refused(call: Caller, table: Any, cognito: MemberPool) -> None:
    assert sign_up(call, "frank", email="not-an-address").status == 422
    assert sign_up(call, "frank", password="").status == 422
    assert sign_up(call, "frank", admin=True).status == 422
    missing = call("POST", "/api/accounts", {"username": "frank", "email": "f@example.com"})
    assert missing.status == 422
    assert missing.json["errors"][0]["field"].endswith("password")
    assert call("POST", "/api/accounts", raw_body="{").status == 400
    assert table.scan()["Items"] == []


def test_a_claim_whose_sign_up_never_finished_lapses(
    call: Caller, table: Any, cognito: MemberPool
) -> None:
    # Given a claim left pending by a sign-up that died halfway, a day ago
    table.put_item(
        Item={
            "pk": "USERNAME#grace",
            "sk": "USERNAME",
            "kind": "username",
            "username": "grace",
            "claimed_at": "2001-01-01T00:00:00.000000Z",
            "claim_token": "abandoned",
            "expires_at": 978307200,
        }
    )
    # When somebody signs up with the name, then they get it
    assert sign_up(call, "Grace").status == 201
    assert claim_of(table, "grace")["username"] == "Grace"  # type: ignore[index]


def test_the_first_call_of_a_member_whose_name_someone_else_holds_is_409(
    call: Caller, table: Any
) -> None:
    # Given the name "heidi" held by another (deleted) account
    table.put_item(
        Item={
            "pk": "USERNAME#heidi",
            "sk": "USERNAME",
            "kind": "username",
            "username": "heidi",
            "claimed_at": "2001-01-01T00:00:00.000000Z",
            "user_id": "an-older-account",
        }
    )
    reply = call("GET", "/api/me", claims=claims("a-newer-account", "heidi"))
    assert reply.status == 409
    assert "belongs to another member" in reply.json["detail"]
    # and no profile was made
    assert "profile" not in {item["kind"] for item in table.scan()["Items"]}
