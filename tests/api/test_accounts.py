"""Signing up through the API: the forum's username rules, then Cognito, nothing half-written."""

from __future__ import annotations

from typing import Any

import pytest

from forum import claims as claims_of_names
from forum import schema
from forum.settings import (
    SIGN_UPS_PER_ADDRESS_PER_DAY_ENV,
    SIGN_UPS_PER_IP_PER_HOUR_ENV,
    USER_POOL_CLIENT_ID_ENV,
    get_settings,
)

from ..cognito import PASSWORD, MemberPool
from ..conftest import Caller
from ..events import claims


def sign_up(call: Caller, username: str, password: str = PASSWORD, **extra: Any):
    body = {"username": username, "email": f"{username.lower()}@example.com", "password": password}
    return call("POST", "/api/accounts", {**body, **extra})


def kept(table: Any) -> list[dict[str, Any]]:
    """What the table holds but sign-up counters taken back (a refused sign-up counts none)."""
    items = table.scan()["Items"]
    counts = [item for item in items if item["kind"] == "sign_up_count"]
    return [item for item in items if item not in counts or item["sign_ups"] != 0]


def claim_of(table: Any, username: str) -> dict[str, Any] | None:
    return table.get_item(Key={"pk": schema.username_pk(username), "sk": "USERNAME"}).get("Item")


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
    # And the name is held for them, under its skeleton, with no pending marks left
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
    # nothing is left behind: no claim, no count, no Cognito user, and the name can be taken
    assert kept(table) == []
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
    assert kept(table) == []


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
            "pk": schema.username_pk("grace"),
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
            "pk": schema.username_pk("heidi"),
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


@pytest.mark.parametrize(
    "look_alike", ["ADMIN", "adm1n", "AdmIn", "admln", "ADMlN", "adrnin", "aDm1N"]
)
def test_a_name_that_looks_like_a_members_is_409(
    call: Caller, table: Any, cognito: MemberPool, look_alike: str
) -> None:
    # Given a member called "admin"
    assert sign_up(call, "admin").status == 201
    # When somebody signs up with a name a reader cannot tell from it
    reply = sign_up(call, look_alike)
    # Then it is taken, and Cognito never heard of it
    assert reply.status == 409, reply.text
    assert "taken" in reply.json["detail"]
    assert [
        user["Username"] for user in cognito.client.list_users(UserPoolId=cognito.pool_id)["Users"]
    ] == ["admin"]


@pytest.mark.parametrize(
    "username",
    [
        "\u0430dmin",  # Cyrillic a
        "adm\u0456n",  # Cyrillic i
        "\uff41dmin",  # fullwidth a
        "admin\u200b",  # a zero-width space
        "admin\n",  # a line break after the name
    ],
)
def test_names_with_characters_outside_ascii_are_422(
    call: Caller, table: Any, cognito: MemberPool, username: str
) -> None:
    reply = sign_up(call, username)
    assert reply.status == 422, reply.text
    assert reply.json["errors"][0]["field"] == "username"
    assert table.scan()["Items"] == []


def limit(monkeypatch: pytest.MonkeyPatch, name: str, value: int) -> None:
    monkeypatch.setenv(name, str(value))
    get_settings.cache_clear()


def test_sign_ups_from_one_address_are_limited_per_hour(
    call: Caller, table: Any, cognito: MemberPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given at most two sign-ups an hour from one IP address
    limit(monkeypatch, SIGN_UPS_PER_IP_PER_HOUR_ENV, 2)
    body = {"password": PASSWORD}

    def from_ip(name: str, ip: str) -> Any:
        account = {**body, "username": name, "email": f"{name}@example.com"}
        return call("POST", "/api/accounts", account, source_ip=ip)

    assert from_ip("ivan", "198.51.100.7").status == 201
    assert from_ip("judy", "198.51.100.7").status == 201
    # When the same address signs up a third time, then it is told to wait for the next hour
    refused = from_ip("kim", "198.51.100.7")
    assert refused.status == 429, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert 1 <= int(refused.headers["retry-after"]) <= 3600
    assert "network" in refused.json["detail"]
    # And nothing was made for it: no claim, no Cognito user
    assert claim_of(table, "kim") is None and not cognito.exists("kim")
    # Another address may still sign up; so may another machine of an IPv6 network only once
    assert from_ip("kim", "192.0.2.1").status == 201
    assert from_ip("leo", "2001:db8:1:2::1").status == 201
    assert from_ip("mia", "2001:db8:1:2:ffff::9").status == 201
    assert from_ip("ned", "2001:db8:1:2::abcd").status == 429


def test_sign_ups_behind_one_cloudfront_edge_are_counted_per_viewer(
    call: Caller, table: Any, cognito: MemberPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given at most one sign-up an hour from one address, and every request through one
    # CloudFront edge server (the HTTP API's sourceIp), which appends each viewer's address
    limit(monkeypatch, SIGN_UPS_PER_IP_PER_HOUR_ENV, 1)
    edge = "130.176.0.10"

    def via_edge(name: str, viewer: str, sent: str = "") -> Any:
        account = {"password": PASSWORD, "username": name, "email": f"{name}@example.com"}
        forwarded = f"{sent}, {viewer}" if sent else viewer
        headers = {"x-forwarded-for": forwarded}
        return call("POST", "/api/accounts", account, source_ip=edge, headers=headers)

    # When two viewers sign up through that edge, then each is counted as themselves
    assert via_edge("opal", "198.51.100.20").status == 201
    assert via_edge("pete", "198.51.100.21").status == 201
    # And a viewer cannot pass as another by sending an X-Forwarded-For of their own
    assert via_edge("quin", "198.51.100.20", sent="192.0.2.200").status == 429


def test_sign_ups_to_one_email_address_are_limited_per_day(
    call: Caller, table: Any, cognito: MemberPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given at most two sign-ups a day to one address
    limit(monkeypatch, SIGN_UPS_PER_ADDRESS_PER_DAY_ENV, 2)
    addresses = ["victim@example.com", "Victim@Example.com", "victim+forum@example.com"]
    replies = [
        call(
            "POST",
            "/api/accounts",
            {"username": f"spam{n}", "email": address, "password": PASSWORD},
            source_ip=f"192.0.2.{n}",
        )
        for n, address in enumerate(addresses)
    ]
    # Then the third, from anywhere, in any case, with any +tag, is refused until tomorrow
    assert [reply.status for reply in replies] == [201, 201, 429]
    assert 1 <= int(replies[2].headers["retry-after"]) <= 24 * 3600
    assert "email address" in replies[2].json["detail"]
    assert not cognito.exists("spam2")


def test_a_sign_up_that_cognito_refuses_is_not_counted(
    call: Caller, table: Any, cognito: MemberPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given one sign-up an hour from an address and one a day to a mailbox
    limit(monkeypatch, SIGN_UPS_PER_IP_PER_HOUR_ENV, 1)
    monkeypatch.setenv(SIGN_UPS_PER_ADDRESS_PER_DAY_ENV, "1")
    get_settings.cache_clear()
    # When a first try has too weak a password (no mail goes out), then a second try may follow
    assert sign_up(call, "olga", password="weak").status == 422
    assert sign_up(call, "olga").status == 201
    # and that one counted
    assert sign_up(call, "olga2").status == 429


def test_the_limits_count_only_with_the_claim(
    call: Caller, table: Any, cognito: MemberPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given two sign-ups an hour from an address, one used by "paul"
    limit(monkeypatch, SIGN_UPS_PER_IP_PER_HOUR_ENV, 2)
    assert sign_up(call, "paul").status == 201
    # When a taken name is tried, it is 409 and counts nothing: one sign-up is still left
    assert sign_up(call, "PAUL").status == 409
    assert sign_up(call, "quinn").status == 201
    assert sign_up(call, "rose").status == 429


def test_a_claim_made_before_skeletons_is_still_found(
    call: Caller, table: Any, cognito: MemberPool
) -> None:
    # Given "Olivia", whose claim lies under the lower-case name, as claims were made before
    assert call("GET", "/api/me", claims=claims("sub-olivia", "Olivia")).status == 200
    claim = claim_of(table, "Olivia")
    assert claim is not None
    table.delete_item(Key={"pk": claim["pk"], "sk": "USERNAME"})
    table.put_item(Item={**claim, "pk": "USERNAME#olivia"})
    # Then her page is found by her name, in any case
    assert call("GET", "/api/users/olivia").json["member"]["username"] == "Olivia"
    # and still when a look-alike's claim has taken the skeleton's key meanwhile
    assert sign_up(call, "0livia").status == 201
    assert call("GET", "/api/users/OLIVIA").json["member"]["username"] == "Olivia"
    # while a lookup by the look-alike's name finds the look-alike (not yet come), not her
    look_alike = call("GET", "/api/users/0livia")
    assert look_alike.status == 404
    assert "0livia has not been to the forum" in look_alike.json["detail"]


def old_claim(table: Any, username: str, user_id: str) -> None:
    """A claim as claims were made before skeletons: under the lower-case name."""
    table.put_item(
        Item={
            "pk": f"USERNAME#{username.lower()}",
            "sk": "USERNAME",
            "kind": "username",
            "username": username,
            "claimed_at": "2001-01-01T00:00:00.000000Z",
            "user_id": user_id,
        }
    )


def test_old_claims_move_to_their_skeletons_once_and_then_stop_look_alikes(
    call: Caller, table: Any, cognito: MemberPool
) -> None:
    # Given claims made before skeletons: "Olivia", "bob" (whose key is its skeleton already),
    # and "Admin", whose look-alike "adm1n" signed up meanwhile
    old_claim(table, "Olivia", "sub-olivia")
    old_claim(table, "bob", "sub-bob")
    old_claim(table, "Admin", "sub-admin")
    assert sign_up(call, "adm1n").status == 201
    # When the claims are moved, twice (it is safe to run again)
    assert claims_of_names.rekey_old_claims() == ["Admin"]
    assert claims_of_names.rekey_old_claims() == ["Admin"]
    # Then Olivia's claim lies under her skeleton, and nowhere else
    moved = claim_of(table, "Olivia")
    assert moved is not None and moved["user_id"] == "sub-olivia"
    keys = {item["pk"] for item in table.scan()["Items"] if item["kind"] == "username"}
    assert "USERNAME#olivia" not in keys
    assert keys == {
        schema.username_pk("Olivia"),
        "USERNAME#bob",
        "USERNAME#admin",
        "USERNAME#admln",
    }
    # so a look-alike of her name is taken, and her name is still found
    assert sign_up(call, "0LIVIA").status == 409
    assert claims_of_names.find("olivia").user_id == "sub-olivia"  # type: ignore[union-attr]
    assert claims_of_names.find("Admin").user_id == "sub-admin"  # type: ignore[union-attr]
