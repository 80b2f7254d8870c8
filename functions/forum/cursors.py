"""Opaque paging cursors for a board's topic list.

A cursor names the last topic of the page before, by its place in the board's order. It is
checked strictly on the way back in: a cursor that was not made here is a 400, never a 500.
"""

from __future__ import annotations

import base64
import binascii
import json
import re

from .errors import BadRequest

_ORDER_KEY = re.compile(r"^[01]#\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z#[A-Za-z0-9_-]{1,64}$")


def encode(order_key: str) -> str:
    raw = json.dumps([order_key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str) -> str:
    """The board-order key the cursor points after."""
    invalid = BadRequest("The cursor is not valid; start again from the board's first page.")
    if len(cursor) > 400:
        raise invalid
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value = json.loads(raw)
    except (binascii.Error, ValueError) as error:
        raise invalid from error
    if not (isinstance(value, list) and len(value) == 1 and isinstance(value[0], str)):
        raise invalid
    if not _ORDER_KEY.match(value[0]):
        raise invalid
    return value[0]


def topic_id_of(order_key: str) -> str:
    return order_key.rsplit("#", 1)[1]
