"""Opaque paging cursors: a board's topic list, a member's posts, and a member's export.

A cursor names the last item of the page before, by its place in the index's order. It is
checked strictly on the way back in: a cursor that was not made here is a 400, never a 500.
Strictly means exactly what ``encode`` makes: unpadded URL-safe base64 (the decoder would
otherwise skip characters outside its alphabet) of a JSON list holding one key of the index's
form, in ASCII digits (Python's ``\\d`` takes any script's) and with nothing after it (``$``
takes a final line break), so a forged cursor never reaches DynamoDB.

A cursor of a document made of sections (forum.export) names the section it is in and the key
it points after there (none at a section's start): ``{section}:{key}``, each section's key
checked against that section's own form.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping

from .errors import BadRequest
from .i18n import _
from .ids import ID
from .schema import POST_NUMBER_DIGITS

CURSOR_MAX = 400
_ISO = r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z"
# schema.topic_order_key: {pinned}#{last activity}#{topic_id}
_ORDER_KEY = re.compile(rf"[01]#{_ISO}#{ID}", re.ASCII)
# schema.user_post_key: {created_at}#{topic_id}#{number:010d}
USER_POST_KEY = re.compile(rf"{_ISO}#{ID}#[0-9]{{{POST_NUMBER_DIGITS}}}", re.ASCII)
_SECTION_NAME = re.compile(r"[a-z_]+", re.ASCII)
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+", re.ASCII)


def encode(key: str) -> str:
    raw = json.dumps([key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, pattern: re.Pattern[str], where: str) -> str:
    invalid = BadRequest(
        _("The cursor is not valid; start again from {where}.").format(where=where)
    )
    if len(cursor) > CURSOR_MAX or not _BASE64URL.fullmatch(cursor):
        raise invalid
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value = json.loads(raw)
    except (binascii.Error, ValueError) as error:
        raise invalid from error
    if not (isinstance(value, list) and len(value) == 1 and isinstance(value[0], str)):
        raise invalid
    key = value[0]
    # Only the cursor made from the key is that key's cursor (no other spacing, escaping or
    # spare bits in the last base64 character).
    if not pattern.fullmatch(key) or encode(key) != cursor:
        raise invalid
    return key


def decode(cursor: str) -> str:
    """The board-order key the cursor points after."""
    return _decode(cursor, _ORDER_KEY, _("the board's first page"))


def topic_id_of(order_key: str) -> str:
    return order_key.rsplit("#", 1)[1]


def decode_user_post(cursor: str) -> str:
    """The user_posts key (created_at#topic_id#number) the cursor points after."""
    return _decode(cursor, USER_POST_KEY, _("the member's first page of posts"))


def user_post_of(key: str) -> tuple[str, int]:
    """The topic id and post number a user_posts key names."""
    _created, topic_id, number = key.rsplit("#", 2)
    return topic_id, int(number)


def encode_section(section: str, key: str | None) -> str:
    """The cursor of a place in a sectioned document: after ``key`` in ``section``."""
    if not _SECTION_NAME.fullmatch(section):
        raise ValueError(f"not a section name: {section!r}")
    return encode(f"{section}:{key or ''}")


def decode_section(
    cursor: str, keys: Mapping[str, re.Pattern[str]], where: str
) -> tuple[str, str | None]:
    """The section a cursor of ``encode_section`` names and the key in it (None: its start).

    ``keys`` holds each section's form of key: a cursor naming another section, or a key of
    another form, is not valid.
    """
    pattern = re.compile(
        "|".join(f"(?:{re.escape(name)}:(?:{key.pattern})?)" for name, key in keys.items()),
        re.ASCII,
    )
    section, key = _decode(cursor, pattern, where).split(":", 1)
    return section, key or None


# forum.unread's lists: {last activity}#{topic_id} in the recent_topics order.
_RECENT_KEY = re.compile(rf"{_ISO}#{ID}", re.ASCII)


def decode_recent(cursor: str) -> tuple[str, str]:
    """The (last activity, topic id) an Unread page's cursor points after."""
    key = _decode(cursor, _RECENT_KEY, _("the first page of unread topics"))
    at, topic_id = key.split("#", 1)
    return at, topic_id


# schema.watch_sk: WATCH#{topic|board}#{id}
WATCH_KEY = re.compile(rf"WATCH#(?:topic|board)#{ID}", re.ASCII)
# schema.notification_sk: N#{compact time}.{topic_id}.{number}.{kind}
NOTIFICATION_ID = rf"[0-9]{{8}}T[0-9]{{12}}Z\.{ID}\.[0-9]{{1,{POST_NUMBER_DIGITS}}}\.[a-z]{{1,12}}"
NOTIFICATION_KEY = re.compile(rf"N#{NOTIFICATION_ID}", re.ASCII)


def decode_watch(cursor: str) -> str:
    """The Watched list's key (WATCH#…) the cursor points after."""
    return _decode(cursor, WATCH_KEY, _("the first page of what you watch"))


def decode_notification(cursor: str) -> str:
    """The notification key (N#…) the cursor points after."""
    return _decode(cursor, NOTIFICATION_KEY, _("your newest notifications"))
