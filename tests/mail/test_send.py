"""forum.mail.send: a member's mail goes through SES with its two parts and its one-click
unsubscribe headers, unless the forum sends no mail, the address bounced or complained, the
member unsubscribed from the kind, or the hour's cap is reached."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import Message
from urllib.parse import parse_qs, urlparse

import pytest

from forum import mail, mail_records, unsubscribe
from forum.settings import get_settings

from .conftest import SENDER, SITE, sent

ALICE = mail.Recipient("user-alice", "alice@example.com", "Alice")
NOW = datetime(2026, 12, 4, 21, 15, tzinfo=UTC)
HTML = "<p>bob replied in <a href='https://forum.example.org/t/t1'>Hello</a></p>"


def send(recipient: mail.Recipient = ALICE, kind: str = "reply", **options: object) -> mail.Outcome:
    return mail.send(recipient, kind, "New reply", "bob replied in Hello", HTML, **options)  # type: ignore[arg-type]


def body(part: Message) -> str:
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


@pytest.mark.usefixtures("mail_settings")
def test_a_mail_has_text_and_html_and_one_click_unsubscribe() -> None:
    assert send(now=NOW) is mail.Outcome.SENT

    (message,) = sent()
    assert message["From"] == SENDER
    assert message["To"] == "Alice <alice@example.com>"
    assert message["Subject"] == "New reply"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    parts = {part.get_content_type(): part for part in message.walk()}
    assert message.get_content_type() == "multipart/alternative"
    assert "bob replied in Hello" in body(parts["text/plain"])
    assert HTML in body(parts["text/html"])
    # The link is the forum's public route, with a token for this member and kind
    link = message["List-Unsubscribe"].strip("<>")
    assert link.startswith(f"{SITE}/api/unsubscribe?token=")
    (token,) = parse_qs(urlparse(link).query)["token"]
    assert unsubscribe.verify(token, NOW) == unsubscribe.Unsubscribe(
        "user-alice", "reply", int(NOW.timestamp())
    )


def test_without_a_sender_no_mail_is_sent(table: object) -> None:
    assert get_settings().mail_from == ""
    assert send() is mail.Outcome.NO_MAIL


@pytest.mark.usefixtures("mail_settings")
def test_a_member_gets_at_most_the_cap_an_hour() -> None:
    assert [send(now=NOW + timedelta(minutes=n)) for n in range(4)] == [
        mail.Outcome.SENT,
        mail.Outcome.SENT,
        mail.Outcome.SENT,
        mail.Outcome.CAPPED,
    ]
    # another member is not held back, nor the next hour
    bob = mail.Recipient("user-bob", "bob@example.com")
    assert send(bob, now=NOW) is mail.Outcome.SENT
    assert send(now=NOW + timedelta(hours=1)) is mail.Outcome.SENT
    assert len(sent()) == 5


@pytest.mark.usefixtures("mail_settings")
def test_a_suppressed_address_and_an_unsubscribed_kind_get_nothing() -> None:
    mail_records.suppress("ALICE@example.com", "bounce", NOW)
    assert send(now=NOW) is mail.Outcome.SUPPRESSED
    bob = mail.Recipient("user-bob", "bob@example.com")
    mail_records.opt_out("user-bob", "reply", NOW)
    assert send(bob, now=NOW) is mail.Outcome.OPTED_OUT
    assert send(bob, kind="mention", now=NOW) is mail.Outcome.SENT
    assert len(sent()) == 1
