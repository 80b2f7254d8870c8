"""Time and identifiers in the forms the table stores them."""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    # Fixed width (microseconds, "Z"), so that string order is time order in sort keys.
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def now_iso() -> str:
    return iso(now())


def epoch_seconds() -> int:
    return int(time.time())


def new_id() -> str:
    """A short, URL-safe, unguessable id for boards and topics."""
    return secrets.token_urlsafe(9)
