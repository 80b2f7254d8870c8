"""The forum's mail: what an unsubscribe link stops."""

from __future__ import annotations

from .common import Schema


class UnsubscribeOut(Schema):
    kind: str
    unsubscribed: bool
