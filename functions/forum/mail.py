"""The forum's own mail (notifications and digests), through Amazon SES.

    send(Recipient(user_id, address), kind, subject, text, html) ─► Outcome

``send`` is what the features that mail members call; what to say, and to whom and when (a
member's choices), is theirs. Here: whether a mail may go, and sending it.

- Without a sender (``forum:mailFrom`` in the stack's context, ``FORUM_MAIL_FROM``) the forum
  sends no mail: ``Outcome.NO_MAIL``.
- An address SES reported for a bounce or a complaint (forum.mail_records, written by the
  mail events function) gets nothing (``SUPPRESSED``), nor a member who unsubscribed from the
  kind (``OPTED_OUT``): both in one BatchGetItem.
- A member gets at most ``mails_per_hour`` mails in a clock hour (``CAPPED`` beyond it): one
  conditional UpdateItem.
- The mail is MIME: a plain-text and an HTML part (the caller renders both from the same
  sanitized HTML), with ``List-Unsubscribe`` (a signed one-click link, forum.unsubscribe) and
  ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058), sent with SESv2
  SendEmail (raw content), in the configuration set that reports bounces and complaints.

In ``make dev`` the sender is the local one and the runtime keeps every message SES is given
in the local mailbox (``/_dev/mail``).
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import make_msgid
from typing import Any
from urllib.parse import quote

from . import mail_records, unsubscribe
from .settings import get_settings

UNSUBSCRIBE_PATH = "/api/unsubscribe"


class Outcome(enum.StrEnum):
    SENT = "sent"
    NO_MAIL = "no_mail"
    SUPPRESSED = "suppressed"
    OPTED_OUT = "opted_out"
    CAPPED = "capped"


@dataclass(frozen=True)
class Recipient:
    user_id: str
    address: str
    name: str = ""


def unsubscribe_url(user_id: str, kind: str, now: datetime | None = None) -> str:
    """The one-click link that stops this kind of mail to this member."""
    issued = int((now or datetime.now(UTC)).timestamp())
    token = unsubscribe.sign(user_id, kind, issued)
    return f"{get_settings().site_url}{UNSUBSCRIBE_PATH}?token={quote(token)}"


def message(
    recipient: Recipient, kind: str, subject: str, text: str, html: str, now: datetime
) -> EmailMessage:
    """The MIME message: text and HTML alternatives and the unsubscribe headers."""
    settings = get_settings()
    # Lines up to SMTP's limit: a folded List-Unsubscribe (one long URL) would otherwise be
    # turned into encoded words, which mail clients do not read as a link.
    mail = EmailMessage(policy=SMTP.clone(max_line_length=998))
    mail["From"] = settings.mail_from
    mail["To"] = (
        Address(display_name=recipient.name, addr_spec=recipient.address)
        if recipient.name
        else recipient.address
    )
    mail["Subject"] = subject
    mail["Message-ID"] = make_msgid(domain=settings.mail_from.rpartition("@")[2] or None)
    link = unsubscribe_url(recipient.user_id, kind, now)
    mail["List-Unsubscribe"] = f"<{link}>"
    mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # Which of the forum's mails this is, for filters (and the local mailbox).
    mail["X-Forum-Mail-Kind"] = kind
    mail.set_content(text)
    mail.add_alternative(html, subtype="html")
    return mail


def send(
    recipient: Recipient,
    kind: str,
    subject: str,
    text: str,
    html: str,
    *,
    now: datetime | None = None,
) -> Outcome:
    """Mail a member, if the forum sends mail and nothing stands against it; what happened."""
    settings = get_settings()
    if not settings.mail_from:
        return Outcome.NO_MAIL
    opted_out, suppressed = mail_records.refusals(recipient.user_id, kind, recipient.address)
    if suppressed:
        return Outcome.SUPPRESSED
    if opted_out:
        return Outcome.OPTED_OUT
    moment = now or datetime.now(UTC)
    if not mail_records.count_mail(recipient.user_id, moment, settings.mails_per_hour):
        return Outcome.CAPPED
    built = message(recipient, kind, subject, text, html, moment)
    arguments: dict[str, Any] = {
        "FromEmailAddress": settings.mail_from,
        "Destination": {"ToAddresses": [recipient.address]},
        "Content": {"Raw": {"Data": built.as_bytes()}},
    }
    if settings.mail_configuration_set:
        arguments["ConfigurationSetName"] = settings.mail_configuration_set
    ses().send_email(**arguments)
    return Outcome.SENT


@functools.cache
def ses() -> Any:
    """The SESv2 client of this process."""
    import botocore.session
    from botocore.config import Config

    config = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=5)
    session = botocore.session.get_session()
    return session.create_client("sesv2", region_name=get_settings().region, config=config)
