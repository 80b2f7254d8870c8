"""`make dev` keeps the forum's own mail in the local mailbox: forum.mail sends through the
local SES as in AWS, and what SES accepts is delivered to /_dev/mail with its text and its
one-click link; the unsubscribe key survives a restart."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from forum import mail, unsubscribe
from forum.settings import MAIL_FROM_ENV, MAIL_SECRET_ENV, SITE_URL_ENV, get_settings
from local import ses_mail
from local.client import ForumClient
from local.mailbox import Mailbox

from ..conftest import aws_client
from .conftest import Runtime

ORIGIN = "http://127.0.0.1:8000"


@pytest.fixture
def local_mail(table: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in (MAIL_FROM_ENV, MAIL_SECRET_ENV, SITE_URL_ENV):
        monkeypatch.delenv(name, raising=False)
    yield
    # configure() sets the process's environment, as the runtime wants; the tests' must not keep it
    for name in (MAIL_FROM_ENV, MAIL_SECRET_ENV, SITE_URL_ENV):
        os.environ.pop(name, None)
    get_settings.cache_clear()
    mail.ses.cache_clear()


@pytest.mark.usefixtures("local_mail")
def test_the_forums_mail_lands_in_the_local_mailbox(tmp_path: Path) -> None:
    mailbox = Mailbox(tmp_path / "mail.jsonl")
    ses_mail.install(mailbox)
    sender = ses_mail.configure(tmp_path, ORIGIN, aws_client("sesv2"))
    get_settings.cache_clear()
    mail.ses.cache_clear()
    assert get_settings().mail_from == sender == ses_mail.LOCAL_SENDER

    alice = mail.Recipient("user-alice", "alice@example.com")
    assert (
        mail.send(alice, "reply", "New reply", "bob replied", "<p>bob replied</p>")
        is mail.Outcome.SENT
    )

    (kept,) = mailbox.messages()
    assert (kept.to, kept.subject, kept.kind) == ("alice@example.com", "New reply", "forum:reply")
    assert kept.text.startswith("bob replied")
    link = kept.text.rsplit(" ", 1)[-1].strip()
    assert link.startswith(f"{ORIGIN}/api/unsubscribe?token=user-alice.reply.")
    token = link.split("token=", 1)[1]
    assert unsubscribe.verify(token).kind == "reply"


@pytest.mark.usefixtures("local_mail")
def test_the_unsubscribe_key_survives_a_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ses_mail.configure(tmp_path, ORIGIN, aws_client("sesv2"))
    first = get_settings.__wrapped__().mail_secret
    monkeypatch.delenv(MAIL_SECRET_ENV)
    ses_mail.configure(tmp_path, ORIGIN, aws_client("sesv2"))
    assert get_settings.__wrapped__().mail_secret == first and len(first) > 32


def test_the_local_forum_follows_its_own_unsubscribe_links(runtime: Runtime) -> None:
    key = (runtime.state_dir / "mail-secret").read_text().strip()
    token = unsubscribe.sign("user-alice", "digest", secret=key)
    client = ForumClient(runtime.url)
    answer = client.request("GET", f"/api/unsubscribe?token={token}")
    assert answer.status == 200, answer.text
    assert answer.json == {"kind": "digest", "unsubscribed": False}
    forged = unsubscribe.sign("user-alice", "digest", secret="not the forum's")
    assert client.request("GET", f"/api/unsubscribe?token={forged}").status == 400
