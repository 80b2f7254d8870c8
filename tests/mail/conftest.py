"""The forum's mail against moto: the table, SES with the sender's identity verified, and the
settings the stack gives a function that mails (sender, secret, cap, the forum's address).
``sent`` reads back what moto's SES kept, as parsed MIME messages."""

from __future__ import annotations

import email
from collections.abc import Iterator
from email.message import Message
from typing import Any

import pytest

from forum import mail
from forum.settings import get_settings

from ..conftest import aws_client

SENDER = "forum@example.org"
SECRET = "a-mail-secret-for-the-tests-only"
SITE = "https://forum.example.org"


@pytest.fixture
def mail_settings(table: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("FORUM_MAIL_FROM", SENDER)
    monkeypatch.setenv("FORUM_MAIL_SECRET", SECRET)
    monkeypatch.setenv("FORUM_MAILS_PER_HOUR", "3")
    monkeypatch.setenv("FORUM_SITE_URL", SITE)
    get_settings.cache_clear()
    mail.ses.cache_clear()
    aws_client("sesv2").create_email_identity(EmailIdentity=SENDER)
    yield
    get_settings.cache_clear()
    mail.ses.cache_clear()


def sent() -> list[Message]:
    """Every message moto's SES was given, parsed."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    backend = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
    return [email.message_from_string(m.raw_data) for m in backend.sent_messages]
