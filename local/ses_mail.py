"""The forum's own mail in `make dev`: what it gives SES lands in the local mailbox.

forum.mail sends through SESv2 as in AWS. Locally the runtime gives the functions a sender
(``FORUM_MAIL_FROM``, unless the environment names one), verifies it in the local SES, gives
them a key for unsubscribe links (kept in the state directory, so links survive a restart) and
the local forum's address, and every raw message moto's SES accepts is also delivered to the
local mailbox (``/_dev/mail``): its plain-text part, with its one-click unsubscribe link.
"""

from __future__ import annotations

import email
import email.policy
import os
import secrets
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from moto.ses.models import SESBackend

from forum.settings import MAIL_FROM_ENV, MAIL_SECRET_ENV, SITE_URL_ENV

from .mailbox import Mailbox

LOCAL_SENDER = "forum@forum.localhost"
KIND_HEADER = "X-Forum-Mail-Kind"

_mailbox: Mailbox | None = None
_original: dict[str, Any] = {}


def configure(state_dir: Path, origin: str, ses: Any) -> str:
    """The functions' mail settings for the local forum; the sender."""
    sender = os.environ.get(MAIL_FROM_ENV) or LOCAL_SENDER
    os.environ[MAIL_FROM_ENV] = sender
    key_file = state_dir / "mail-secret"
    if not os.environ.get(MAIL_SECRET_ENV):
        if not key_file.is_file():
            key_file.parent.mkdir(parents=True, exist_ok=True)
            key_file.write_text(secrets.token_urlsafe(36))
        os.environ[MAIL_SECRET_ENV] = key_file.read_text().strip()
    os.environ.setdefault(SITE_URL_ENV, origin)
    identities = {item["IdentityName"] for item in ses.list_email_identities()["EmailIdentities"]}
    if sender not in identities:
        ses.create_email_identity(EmailIdentity=sender)
    return sender


def text_of(raw: str) -> tuple[str, str, str, str]:
    """(to, subject, text to show, kind) of a raw message."""
    message = email.message_from_string(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    body = message.get_body(preferencelist=("plain",))
    text = body.get_content() if isinstance(body, EmailMessage) else ""
    unsubscribe = str(message.get("List-Unsubscribe", "")).strip("<>")
    if unsubscribe:
        text = f"{text.rstrip()}\n\nUnsubscribe (one click, POST): {unsubscribe}\n"
    kind = str(message.get(KIND_HEADER) or "mail")
    return str(message.get("To", "")), str(message.get("Subject", "")), text, f"forum:{kind}"


def _send_raw_email(self: SESBackend, source: str, destinations: list[str], raw_data: str) -> Any:
    sent = _original["send_raw_email"](self, source, destinations, raw_data)
    if _mailbox is not None:
        to, subject, text, kind = text_of(raw_data)
        _mailbox.deliver(to=to, subject=subject, text=text, kind=kind)
    return sent


def install(mailbox: Mailbox) -> None:
    """Keep what moto's SES sends in ``mailbox`` too (once per process)."""
    global _mailbox
    _mailbox = mailbox
    if _original:
        return
    _original["send_raw_email"] = SESBackend.send_raw_email
    SESBackend.send_raw_email = _send_raw_email  # type: ignore[method-assign]
