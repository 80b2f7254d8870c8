"""One-click unsubscribe links (RFC 8058), signed per member and kind of mail.

A link's token is ``{user_id}.{kind}.{issued}.{mac}``: the member's id, the kind of mail it
stops (a notification kind of the ``notify`` feature, e.g. ``reply``), when it was made (epoch
seconds), and an HMAC-SHA256 of those three under the forum's mail secret (Secrets Manager,
reaching the functions as a deploy-time reference in their environment, as the origin secret
does: no request to read it). ``verify`` refuses a token that was changed (400), one older than
``LIFETIME`` (410) and one made without a secret configured (400); ``unsubscribe`` uses a token
once (409 when it is used again) and records the opt-out. Nothing here is a secret of the
member's: the token only says "stop this kind of mail to me".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from . import mail_records
from .errors import BadRequest, Conflict, ForumError
from .i18n import _
from .settings import get_settings

# A link keeps working this long after its mail was sent.
LIFETIME = timedelta(days=60)
KIND_PATTERN = re.compile(r"^[a-z][a-z_]{0,31}$")
_USER_PATTERN = re.compile(r"^[A-Za-z0-9-]{1,64}$")


class Expired(ForumError):
    status = 410
    title = "Gone"
    slug = "gone"


@dataclass(frozen=True)
class Unsubscribe:
    user_id: str
    kind: str
    issued: int


def _mac(secret: str, payload: str) -> str:
    digest = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def sign(user_id: str, kind: str, issued: int | None = None, secret: str | None = None) -> str:
    """The token of a link that unsubscribes this member from this kind of mail."""
    key = secret if secret is not None else get_settings().mail_secret
    if not key:
        raise ValueError("no mail secret configured")
    if not _USER_PATTERN.match(user_id) or not KIND_PATTERN.match(kind):
        raise ValueError(f"not a member and kind: {user_id!r}, {kind!r}")
    when = int(issued if issued is not None else datetime.now(UTC).timestamp())
    payload = f"{user_id}.{kind}.{when}"
    return f"{payload}.{_mac(key, payload)}"


def verify(token: str, now: datetime | None = None, secret: str | None = None) -> Unsubscribe:
    """What a token unsubscribes from; BadRequest if it is not one the forum signed, Expired
    when it is too old."""
    key = secret if secret is not None else get_settings().mail_secret
    refused = BadRequest(_("This unsubscribe link is not valid."))
    parts = token.split(".") if isinstance(token, str) and len(token) <= 256 else []
    if not key or len(parts) != 4:
        raise refused
    user_id, kind, issued, mac = parts
    if not _USER_PATTERN.match(user_id) or not KIND_PATTERN.match(kind):
        raise refused
    if not issued.isascii() or not issued.isdigit() or len(issued) > 12:
        raise refused
    if not hmac.compare_digest(mac.encode(), _mac(key, f"{user_id}.{kind}.{issued}").encode()):
        raise refused
    moment = now or datetime.now(UTC)
    if datetime.fromtimestamp(int(issued), UTC) + LIFETIME < moment:
        raise Expired(_("This unsubscribe link has expired; change your mail settings instead."))
    return Unsubscribe(user_id, kind, int(issued))


def unsubscribe(token: str, now: datetime | None = None) -> Unsubscribe:
    """Follow a one-click link: the member gets no more mail of its kind. A link works once."""
    moment = now or datetime.now(UTC)
    found = verify(token, moment)
    digest = hashlib.sha256(token.encode()).hexdigest()
    until = datetime.fromtimestamp(found.issued, UTC) + LIFETIME
    if not mail_records.use_link(found.user_id, digest, until):
        raise Conflict(_("This unsubscribe link was used already."))
    mail_records.opt_out(found.user_id, found.kind, moment)
    return found
