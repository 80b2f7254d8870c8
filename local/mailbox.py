"""The local mailbox: every message the forum would send, kept instead (`make dev` only).

Locally nothing is mailed. What Cognito would send (a sign-up's confirmation code, a password
reset code; local/cognito_mail.py) and, later, the forum's own mail is delivered here: appended
to ``mail.jsonl`` in the runtime's state directory (it survives a restart; `make dev-reset`
wipes it) and logged. The gateway serves it at ``/_dev/mail`` (newest first, every message in
full, its links clickable) and ``/_dev/mail.json``; the site function knows nothing of it, and
nothing of it is deployed.
"""

from __future__ import annotations

import html
import json
import logging
import re
import secrets
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

log = logging.getLogger("forum.mail")

_LINK = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True)
class Message:
    id: str
    sent_at: str
    to: str
    subject: str
    text: str
    # What sent it and why: "cognito:sign-up", "cognito:reset", later the forum's own kinds.
    kind: str


class Mailbox:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._messages: list[Message] = []
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    self._messages.append(Message(**json.loads(line)))
                except (ValueError, TypeError):
                    continue  # a line cut short by a crash

    def deliver(self, *, to: str, subject: str, text: str, kind: str) -> Message:
        message = Message(
            id=secrets.token_hex(8),
            sent_at=datetime.now(UTC).isoformat(timespec="seconds"),
            to=to,
            subject=subject,
            text=text,
            kind=kind,
        )
        with self._lock:
            self._messages.append(message)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as kept:
                kept.write(json.dumps(asdict(message)) + "\n")
        log.info("mail to %s (%s), kept at /_dev/mail: %s", to, kind, subject)
        return message

    def messages(self) -> list[Message]:
        """Newest first."""
        with self._lock:
            return list(reversed(self._messages))

    def as_json(self) -> str:
        return json.dumps({"messages": [asdict(message) for message in self.messages()]})

    def as_html(self) -> str:
        items = [_message_html(message) for message in self.messages()]
        listing = "\n".join(items) or "<p>No mail yet.</p>"
        return PAGE.format(count=len(items), messages=listing)


def _with_links(text: str) -> str:
    """The text escaped, its addresses made links (each one escaped as well)."""
    parts: list[str] = []
    last = 0
    for found in _LINK.finditer(text):
        parts.append(html.escape(text[last : found.start()]))
        address = html.escape(found.group(0))
        parts.append(f'<a href="{address}" rel="noreferrer">{address}</a>')
        last = found.end()
    parts.append(html.escape(text[last:]))
    return "".join(parts)


def _message_html(message: Message) -> str:
    return (
        f'<article class="card" id="mail-{html.escape(message.id)}" data-mail>\n'
        f"<h2>{html.escape(message.subject)}</h2>\n"
        f"<p>To <strong>{html.escape(message.to)}</strong> · "
        f'<time datetime="{html.escape(message.sent_at)}">{html.escape(message.sent_at)}</time>'
        f" · {html.escape(message.kind)}</p>\n"
        f"<pre>{_with_links(message.text)}</pre>\n</article>"
    )


PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Local mailbox · Forum</title>
<link rel="stylesheet" href="/static/css/forum.css">
</head>
<body>
<main id="main">
<section class="card" aria-labelledby="mail-heading">
<h1 id="mail-heading">Local mailbox</h1>
<p>What the forum would have mailed ({count}), newest first. Only <code>make dev</code> has
this page; <a href="/_dev/mail.json">as JSON</a>.</p>
</section>
{messages}
</main>
</body>
</html>
"""


def mail_page(mailbox: Mailbox, path: str) -> tuple[int, str, str] | None:
    """(status, content type, body) for the gateway's ``/_dev/mail`` paths, or None."""
    if path == "/_dev/mail":
        return 200, "text/html; charset=utf-8", mailbox.as_html()
    if path == "/_dev/mail.json":
        return 200, "application/json", mailbox.as_json()
    return None
