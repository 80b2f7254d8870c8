"""How many sign-ups the forum takes from one IP address and to one email address.

Each sign-up makes Cognito send a confirmation mail, and mail is what runs out: Cognito's own
sender has a small daily quota for the whole pool, and even through SES every mail to an
address nobody asked for hurts the sender's reputation. So ``POST /api/accounts``, the only way
an account is made (the pre sign-up trigger refuses any other), counts:

- per IP address (``sign_ups_per_ip_per_hour``, in a clock hour): what one machine, or one
  IPv6 /64 network (what a single subscriber is given), may sign up;
- per email address (``sign_ups_per_address_per_day``, in a UTC day): how often one mailbox is
  written to, whoever asks; the address is compared in lower case and without a ``+tag``.

The counters are items (``SIGNUPS#{kind}#{digest}`` / window, see forum.schema) updated in the
same transaction that claims the username, each on the condition that it is still below its
limit: nothing is counted unless the claim is made, and a refused sign-up is 429 with the
seconds until the window ends. A sign-up that Cognito then refuses (a weak password) sent no
mail, and its counts are taken back. The keys hold hashes, not the addresses.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from . import schema
from .addresses import network_of
from .errors import TooManyRequests
from .i18n import _
from .models import SignUpCount
from .settings import get_settings
from .transactions import Transaction


@dataclass(frozen=True)
class Counter:
    """One limit's counter for the window a sign-up falls in."""

    item: SignUpCount
    limit: int
    window_end: datetime
    refusal: str

    def retry_after(self, moment: datetime) -> int:
        return max(1, math.ceil((self.window_end - moment).total_seconds()))

    def refuse(self, moment: datetime) -> TooManyRequests:
        return TooManyRequests(self.refusal, self.retry_after(moment))


def mailbox_of(email: str) -> str:
    """The mailbox an address reaches, for counting: lower case, without a ``+tag``."""
    local, _at, domain = email.strip().casefold().rpartition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def counters(email: str, network: str, moment: datetime) -> list[Counter]:
    """The counters a sign-up at ``moment`` adds to, for the limits that are on.

    ``network`` is the caller's (forum.addresses); an address given instead counts as its
    network."""
    settings = get_settings()
    found: list[Counter] = []
    if settings.sign_ups_per_ip_per_hour:
        hour = moment.replace(minute=0, second=0, microsecond=0)
        found.append(
            _counter(
                "ip",
                network_of(network) or network,
                hour.strftime("%Y-%m-%dT%H"),
                settings.sign_ups_per_ip_per_hour,
                hour + timedelta(hours=1),
                _("Too many accounts were made from your network in the last hour."),
            )
        )
    if settings.sign_ups_per_address_per_day:
        day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
        found.append(
            _counter(
                "email",
                mailbox_of(email),
                day.strftime("%Y-%m-%d"),
                settings.sign_ups_per_address_per_day,
                day + timedelta(days=1),
                _("Too many sign-ups used this email address today."),
            )
        )
    return found


def _counter(
    kind: str, value: str, window: str, limit: int, window_end: datetime, refusal: str
) -> Counter:
    item = SignUpCount(schema.sign_ups_pk(kind, _digest(value)), window)
    return Counter(item=item, limit=limit, window_end=window_end, refusal=refusal)


def count(tx: Transaction, name: str, counter: Counter) -> None:
    """Add one to the counter in ``tx`` (as ``name``), on the condition that it is below its
    limit."""
    tx.update(
        name,
        counter.item,
        actions=[
            SignUpCount.kind.set(SignUpCount),
            SignUpCount.sign_ups.add(1),
            SignUpCount.expires_at.set(counter.window_end + timedelta(hours=1)),
        ],
        condition=SignUpCount.sign_ups.does_not_exist() | (SignUpCount.sign_ups < counter.limit),
    )


def uncount(tx: Transaction, name: str, counter: Counter) -> None:
    """Take one back: the sign-up it counted made no account (and sent no mail)."""
    tx.update(
        name,
        counter.item,
        actions=[SignUpCount.sign_ups.add(-1)],
        condition=SignUpCount.sign_ups > 0,
    )
