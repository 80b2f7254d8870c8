"""One-click unsubscribe tokens: signed per member and kind; a changed, foreign, stale or
reused token is refused with a 4xx, never a 500."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from forum import errors, mail, unsubscribe

from .conftest import SECRET

NOW = datetime(2026, 12, 4, 21, 15, tzinfo=UTC)
ISSUED = int(NOW.timestamp())


def token(user_id: str = "user-alice", kind: str = "reply") -> str:
    return unsubscribe.sign(user_id, kind, ISSUED, secret=SECRET)


def test_a_token_says_who_and_what() -> None:
    found = unsubscribe.verify(token(), NOW, secret=SECRET)
    assert found == unsubscribe.Unsubscribe("user-alice", "reply", ISSUED)


def tampered() -> list[str]:
    good = token()
    user_id, kind, issued, mac = good.split(".")
    return [
        f"user-bob.{kind}.{issued}.{mac}",
        f"{user_id}.mention.{issued}.{mac}",
        f"{user_id}.{kind}.{int(issued) + 1}.{mac}",
        f"{user_id}.{kind}.{issued}.{mac[:-1]}A"
        if mac[-1] != "A"
        else f"{user_id}.{kind}.{issued}.{mac[:-1]}B",
        good + ".x",
        good[:-4],
        "",
        "x" * 300,
        f"{user_id}.{kind}.-1.{mac}",
        f"{user_id}.{kind}.١٢٣.{mac}",
        unsubscribe.sign("user-alice", "reply", ISSUED, secret="another secret"),
    ]


@pytest.mark.parametrize("changed", tampered())
def test_a_changed_token_is_refused(changed: str) -> None:
    with pytest.raises(errors.BadRequest):
        unsubscribe.verify(changed, NOW, secret=SECRET)


def test_without_a_secret_nothing_verifies() -> None:
    with pytest.raises(errors.BadRequest):
        unsubscribe.verify(token(), NOW, secret="")
    with pytest.raises(ValueError):
        unsubscribe.sign("user-alice", "reply", ISSUED, secret="")


def test_an_old_token_is_gone() -> None:
    later = NOW + unsubscribe.LIFETIME + timedelta(seconds=1)
    with pytest.raises(unsubscribe.Expired) as refused:
        unsubscribe.verify(token(), later, secret=SECRET)
    assert refused.value.status == 410


@pytest.mark.usefixtures("mail_settings")
def test_a_link_unsubscribes_once_and_a_replay_is_refused() -> None:
    link = unsubscribe.sign("user-alice", "reply", ISSUED)
    assert unsubscribe.unsubscribe(link, NOW).kind == "reply"
    with pytest.raises(errors.Conflict):
        unsubscribe.unsubscribe(link, NOW)
    alice = mail.Recipient("user-alice", "alice@example.com")
    assert mail.send(alice, "reply", "s", "t", "<p>t</p>", now=NOW) is mail.Outcome.OPTED_OUT
    assert mail.send(alice, "mention", "s", "t", "<p>t</p>", now=NOW) is mail.Outcome.SENT


@pytest.mark.parametrize(
    ("user_id", "kind"), [("user.alice", "reply"), ("user-alice", "Reply"), ("", "reply")]
)
def test_only_members_and_kinds_are_signed(user_id: str, kind: str) -> None:
    with pytest.raises(ValueError):
        unsubscribe.sign(user_id, kind, ISSUED, secret=SECRET)
