"""Asking for a password reset through the API: counted per IP address and per name, and the
same answer for every name, whether an account has it or not."""

from __future__ import annotations

from typing import Any

import pytest
from moto.cognitoidp.models import cognitoidp_backends

from forum.settings import (
    PASSWORD_RESETS_PER_ACCOUNT_PER_DAY_ENV,
    PASSWORD_RESETS_PER_IP_PER_HOUR_ENV,
    USER_POOL_CLIENT_ID_ENV,
    get_settings,
)

from ..cognito import MemberPool
from ..conftest import Caller, Reply


def ask(call: Caller, name: Any, ip: str = "203.0.113.9", **kwargs: Any) -> Reply:
    return call("POST", "/api/password-resets", {"name": name}, source_ip=ip, **kwargs)


def limit(monkeypatch: pytest.MonkeyPatch, name: str, value: int) -> None:
    monkeypatch.setenv(name, str(value))
    get_settings.cache_clear()


def reset_code_of(cognito: MemberPool, username: str) -> str | None:
    """The code moto made for the member's last ForgotPassword, if any."""
    for regions in cognitoidp_backends.values():
        for backend in regions.values():
            pool = backend.user_pools.get(cognito.pool_id)
            if pool is not None:
                return pool.users[username].confirmation_code
    return None


def counters(table: Any) -> list[dict[str, Any]]:
    return [item for item in table.scan()["Items"] if item["kind"] == "password_reset_count"]


def test_a_known_name_has_cognito_mail_a_code_and_is_told_as_any_other(
    call: Caller, table: Any, cognito: MemberPool
) -> None:
    # Given a member
    cognito.add("alice")
    # When someone asks a reset for them, and for a name nobody has
    known = ask(call, "alice")
    unknown = ask(call, "nobody-here")
    # Then Cognito was asked to mail the member a code
    assert known.status == 202, known.text
    assert reset_code_of(cognito, "alice") is not None
    # And both answers are the same, word for word
    assert unknown.status == 202, unknown.text
    assert known.json == unknown.json
    assert "If an account exists" in known.json["detail"]
    # And the counters keep hashes, neither the names nor the address
    kept = str(counters(table))
    assert counters(table) and "alice" not in kept and "nobody" not in kept
    assert "203.0.113.9" not in kept


def test_resets_from_one_network_are_limited_per_hour(
    call: Caller, table: Any, cognito: MemberPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given at most two resets an hour from one IP address
    limit(monkeypatch, PASSWORD_RESETS_PER_IP_PER_HOUR_ENV, 2)
    cognito.add("bob")
    assert ask(call, "bob", "198.51.100.7").status == 202
    assert ask(call, "someone", "198.51.100.7").status == 202
    # When the address asks a third time, for a known name or not
    known = ask(call, "bob", "198.51.100.7")
    unknown = ask(call, "someone-else", "198.51.100.7")
    # Then both are 429 problem+json with the seconds to the next hour, and the same words
    for refused in (known, unknown):
        assert refused.status == 429, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert 1 <= int(refused.headers["retry-after"]) <= 3600
    assert known.json == unknown.json
    assert "network" in known.json["detail"]
    # And another address, or another IPv6 network, may still ask
    assert ask(call, "bob", "192.0.2.1").status == 202
    assert ask(call, "bob", "2001:db8:1:2::1").status == 202


def test_resets_for_one_name_are_limited_per_day_whoever_asks(
    call: Caller, table: Any, cognito: MemberPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given at most two resets a day for one name
    limit(monkeypatch, PASSWORD_RESETS_PER_ACCOUNT_PER_DAY_ENV, 2)
    cognito.add("carol")
    # When it is asked from three addresses, as a username in any case or look-alike
    known = [ask(call, name, f"192.0.2.{n}") for n, name in enumerate(["carol", "Carol", "CAR0L"])]
    # And an address nobody has, with any case or +tag
    addresses = ["ghost@example.com", "Ghost@Example.com", "ghost+x@example.com"]
    unknown = [ask(call, name, f"192.0.2.{10 + n}") for n, name in enumerate(addresses)]
    # Then the third of each is refused until tomorrow, known or not, with the same words
    assert [reply.status for reply in known] == [202, 202, 429]
    assert [reply.status for reply in unknown] == [202, 202, 429]
    assert 1 <= int(known[2].headers["retry-after"]) <= 24 * 3600
    assert known[2].json == unknown[2].json
    # And another name is still asked for
    assert ask(call, "dave", "192.0.2.50").status == 202


def test_a_refused_request_counts_nothing(
    call: Caller, table: Any, cognito: MemberPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given one reset an hour from an address, used up
    limit(monkeypatch, PASSWORD_RESETS_PER_IP_PER_HOUR_ENV, 1)
    monkeypatch.setenv(PASSWORD_RESETS_PER_ACCOUNT_PER_DAY_ENV, "1")
    get_settings.cache_clear()
    assert ask(call, "erin", "198.51.100.9").status == 202
    # When the address asks for another name, then it is refused and that name is not counted
    assert ask(call, "frank", "198.51.100.9").status == 429
    assert ask(call, "frank", "198.51.100.10").status == 202


@pytest.mark.parametrize(
    "name", ["", "   ", " alice", "two words", "a\u00a0b", "tab\there", "del\x7f", "x" * 255]
)
def test_a_name_that_cannot_be_one_is_422_before_anything_is_counted(
    call: Caller, table: Any, cognito: MemberPool, name: str
) -> None:
    reply = ask(call, name)
    assert reply.status == 422, reply.text
    assert reply.headers["content-type"] == "application/problem+json"
    assert counters(table) == []


@pytest.mark.parametrize("body", [{}, {"name": 7}, {"name": None}, {"username": "alice"}, []])
def test_a_body_without_a_name_is_422(
    call: Caller, table: Any, cognito: MemberPool, body: Any
) -> None:
    reply = call("POST", "/api/password-resets", body)
    assert reply.status == 422, reply.text
    assert reply.headers["content-type"] == "application/problem+json"


def test_a_cognito_that_cannot_be_asked_is_503_for_every_name(
    call: Caller, table: Any, cognito: MemberPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a function whose app client is wrong (Cognito answers ResourceNotFoundException,
    # whatever the name). What Cognito says of one name only (the custom message trigger's
    # refusal) is answered as any name: tests/local/test_cognito_messages.py, where it runs.
    monkeypatch.setenv(USER_POOL_CLIENT_ID_ENV, "no-such-client")
    get_settings.cache_clear()
    cognito.add("hank")
    for name in ("hank", "nobody-here"):
        reply = ask(call, name)
        assert reply.status == 503, reply.text
        assert reply.headers["content-type"] == "application/problem+json"
        assert reply.headers["retry-after"] == "1"
