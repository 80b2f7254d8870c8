"""/api/unsubscribe: a mail's one-click link (RFC 8058). GET says what it stops, POST (form
encoded, as mail clients send it) stops it; a changed, stale or reused link is a 4xx problem."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest

from forum import mail, unsubscribe
from forum.settings import get_settings

from ..conftest import Caller

SECRET = "a-mail-secret-for-the-tests-only"
ONE_CLICK = {"content-type": "application/x-www-form-urlencoded"}


@pytest.fixture
def signed(call: Caller, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("FORUM_MAIL_SECRET", SECRET)
    get_settings.cache_clear()
    yield unsubscribe.sign("user-alice", "reply")
    get_settings.cache_clear()


def link(token: str) -> str:
    return f"/api/unsubscribe?token={quote(token)}"


def one_click(call: Caller, token: str) -> Any:
    return call("POST", link(token), raw_body="List-Unsubscribe=One-Click", headers=ONE_CLICK)


def test_get_says_what_the_link_stops_and_changes_nothing(call: Caller, signed: str) -> None:
    for _ in range(2):
        reply = call("GET", link(signed))
        assert reply.status == 200, reply.text
        assert reply.json == {"kind": "reply", "unsubscribed": False}
    assert one_click(call, signed).status == 200


def test_one_click_unsubscribes_once(call: Caller, signed: str) -> None:
    reply = one_click(call, signed)
    assert reply.status == 200, reply.text
    assert reply.json == {"kind": "reply", "unsubscribed": True}
    from forum import mail_records

    assert mail_records.refusals("user-alice", "reply", "alice@example.com") == (True, False)
    assert mail_records.refusals("user-alice", "mention", "alice@example.com") == (False, False)

    replayed = one_click(call, signed)
    assert replayed.status == 409
    assert replayed.headers["content-type"] == "application/problem+json"


def test_a_changed_link_is_400(call: Caller, signed: str) -> None:
    user_id, kind, issued, mac = signed.split(".")
    for changed in (f"user-bob.{kind}.{issued}.{mac}", f"{user_id}.mention.{issued}.{mac}", "x"):
        for method in ("GET", "POST"):
            reply = (
                call(
                    method, link(changed), raw_body="List-Unsubscribe=One-Click", headers=ONE_CLICK
                )
                if method == "POST"
                else call(method, link(changed))
            )
            assert reply.status == 400, (method, changed, reply.text)
            assert reply.json["detail"] == "This unsubscribe link is not valid."


def test_a_stale_link_is_410(call: Caller, signed: str) -> None:
    old = datetime.now(UTC) - unsubscribe.LIFETIME - timedelta(days=1)
    stale = unsubscribe.sign("user-alice", "reply", int(old.timestamp()))
    assert call("GET", link(stale)).status == 410
    assert one_click(call, stale).status == 410


def test_without_a_token_or_with_a_huge_one_422(call: Caller, signed: str) -> None:
    assert call("GET", "/api/unsubscribe").status == 422
    assert call("GET", link("a" * 300)).status == 422


def test_only_the_one_click_post_may_be_form_encoded(call: Caller, signed: str) -> None:
    reply = call("POST", "/api/boards", raw_body="a=b", headers=ONE_CLICK)
    assert reply.status == 415


def test_the_mail_links_here(call: Caller, signed: str) -> None:
    url = mail.unsubscribe_url("user-alice", "reply")
    assert "/api/unsubscribe?token=user-alice.reply." in url
