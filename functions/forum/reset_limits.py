"""How many password resets the forum asks Cognito for, and lets it mail.

A reset mails a code to an account's address, whoever asks: without a limit anybody could fill
a member's mailbox, or spend the pool's mail quota, with a loop. Two places count:

- ``POST /api/password-resets`` (forum.password_resets), which knows the caller's network:
  per IP address (``password_resets_per_ip_per_hour``, in a clock hour) and per name asked for
  (``password_resets_per_account_per_day``, in a UTC day; a username by its skeleton, an
  address in lower case without ``+tag``), in one transaction, before Cognito is asked. Both
  count a name whether an account has it or not, so a refusal (429) says nothing about one.
- Cognito's custom message trigger (functions/custommessage), for every reset mail Cognito is
  about to send, however it was asked (the browser's app client may call ForgotPassword
  straight): per account (its ``sub``), with the same daily limit. Beyond it the trigger
  raises and Cognito sends nothing.

The counters are items (``RESETS#{kind}#{digest}`` / window, see forum.schema), each added to
on the condition that it is still below its limit; the keys hold hashes, not names or
addresses.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from . import schema, usernames
from .addresses import network_of
from .errors import TooManyRequests
from .i18n import _
from .models import PasswordResetCount
from .settings import get_settings
from .sign_up_limits import mailbox_of
from .transactions import Cancelled, transaction


class TooManyResets(Exception):
    """The account was mailed as many reset codes today as the forum allows."""


@dataclass(frozen=True)
class Counter:
    """One limit's counter for the window a reset falls in."""

    item: PasswordResetCount
    limit: int
    window_end: datetime
    refusal: str

    def refuse(self, moment: datetime) -> TooManyRequests:
        seconds = max(1, math.ceil((self.window_end - moment).total_seconds()))
        return TooManyRequests(self.refusal, seconds)


def name_counted(name: str) -> str:
    """The form of a name two requests for one account share: an address's mailbox, or a
    username's skeleton (case and look-alikes folded)."""
    if "@" in name:
        return "email:" + mailbox_of(name)
    return "username:" + usernames.skeleton(name.strip())


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def _hour(moment: datetime) -> tuple[str, datetime]:
    hour = moment.replace(minute=0, second=0, microsecond=0)
    return hour.strftime("%Y-%m-%dT%H"), hour + timedelta(hours=1)


def _day(moment: datetime) -> tuple[str, datetime]:
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return day.strftime("%Y-%m-%d"), day + timedelta(days=1)


def _counter(
    kind: str, value: str, window: tuple[str, datetime], limit: int, refusal: str
) -> Counter:
    item = PasswordResetCount(schema.password_resets_pk(kind, _digest(value)), window[0])
    return Counter(item=item, limit=limit, window_end=window[1], refusal=refusal)


def request_counters(name: str, network: str, moment: datetime) -> list[Counter]:
    """The counters a reset asked for ``name`` from ``network`` at ``moment`` adds to."""
    settings = get_settings()
    found: list[Counter] = []
    if settings.password_resets_per_ip_per_hour:
        found.append(
            _counter(
                "ip",
                network_of(network) or network,
                _hour(moment),
                settings.password_resets_per_ip_per_hour,
                _("Too many password resets were asked from your network in the last hour."),
            )
        )
    if settings.password_resets_per_account_per_day:
        found.append(
            _counter(
                "name",
                name_counted(name),
                _day(moment),
                settings.password_resets_per_account_per_day,
                _("Too many password resets were asked for this name today."),
            )
        )
    return found


def _add_one(counter: Counter) -> tuple[list[Action], Condition]:
    actions: list[Action] = [
        PasswordResetCount.kind.set(PasswordResetCount),
        PasswordResetCount.resets.add(1),
        PasswordResetCount.expires_at.set(counter.window_end + timedelta(hours=1)),
    ]
    condition: Condition = PasswordResetCount.resets.does_not_exist() | (
        PasswordResetCount.resets < counter.limit
    )
    return actions, condition


def count_request(name: str, network: str, moment: datetime) -> None:
    """Count a reset asked for ``name`` from ``network``; TooManyRequests (429) beyond a limit,
    and then nothing is counted."""
    counters = request_counters(name, network, moment)
    if not counters:
        return
    try:
        with transaction() as tx:
            for index, counter in enumerate(counters):
                actions, condition = _add_one(counter)
                tx.update(f"limit-{index}", counter.item, actions=actions, condition=condition)
    except Cancelled as error:
        for index, counter in enumerate(counters):
            if error.failed(f"limit-{index}"):
                raise counter.refuse(moment) from error
        raise


def count_mail(account: str, moment: datetime) -> None:
    """Count a reset mail about to go to ``account`` (its sub); TooManyResets beyond the limit."""
    limit = get_settings().password_resets_per_account_per_day
    if not limit:
        return
    counter = _counter("account", account, _day(moment), limit, "")
    actions, condition = _add_one(counter)
    try:
        counter.item.update(actions=actions, condition=condition)
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            # Cognito passes these words on to whoever called ForgotPassword: no account in them.
            raise TooManyResets(
                _("Too many password reset codes were mailed to this account today.")
            ) from error
        raise
