"""Opaque paging cursors: a board's topic list and a member's posts.

A cursor names the last item of the page before, by its place in the index's order. It is
checked strictly on the way back in: a cursor that was not made here is a 400, never a 500.
"""

from __future__ import annotations

import base64
import binascii
import json
import re

from .errors import BadRequest

_ISO = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z"
_ID = r"[A-Za-z0-9_-]{1,64}"
# schema.topic_order_key: {pinned}#{last activity}#{topic_id}
_ORDER_KEY = re.compile(rf"^[01]#{_ISO}#{_ID}$")
# schema.user_post_key: {created_at}#{topic_id}#{number:010d}
_USER_POST_KEY = re.compile(rf"^{_ISO}#{_ID}#\d{{10}}$")


def encode(key: str) -> str:
    raw = json.dumps([key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, pattern: re.Pattern[str], where: str) -> str:
    invalid = BadRequest(f"The cursor is not valid; start again from {where}.")
    if len(cursor) > 400:
        raise invalid
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value = json.loads(raw)
    except (binascii.Error, ValueError) as error:
        raise invalid from error
    if not (isinstance(value, list) and len(value) == 1 and isinstance(value[0], str)):
        raise invalid
    if not pattern.match(value[0]):
        raise invalid
    return value[0]


def decode(cursor: str) -> str:
    """The board-order key the cursor points after."""
    return _decode(cursor, _ORDER_KEY, "the board's first page")


def topic_id_of(order_key: str) -> str:
    return order_key.rsplit("#", 1)[1]


def decode_user_post(cursor: str) -> str:
    """The user_posts key (created_at#topic_id#number) the cursor points after."""
    return _decode(cursor, _USER_POST_KEY, "the member's first page of posts")


def user_post_of(key: str) -> tuple[str, int]:
    """The topic id and post number a user_posts key names."""
    _, topic_id, number = key.rsplit("#", 2)
    return topic_id, int(number)
