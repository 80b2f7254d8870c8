"""Ids, cursors and names from outside are checked whole and in ASCII.

Python's ``\\d`` takes any script's digits and ``$`` takes a final line break: a forged cursor
or id must never get past the check to become a DynamoDB key."""

from __future__ import annotations

import base64

import pytest

from forum import cursors
from forum.errors import BadRequest, Invalid
from forum.ids import ID_SCHEMA_PATTERN, is_id
from forum.profiles import clean_username

ORDER_KEY = "0#2026-11-28T09:05:00.123456Z#AbC_d-12xyz9"
USER_POST_KEY = "2026-11-28T09:05:00.123456Z#AbC_d-12xyz9#0000000042"
ARABIC_INDIC = str.maketrans("0123456789", "".join(map(chr, range(0x660, 0x66A))))


def raw_cursor(text: str) -> str:
    """A cursor as a forger would make it: any JSON, base64url without padding."""
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def test_ids_are_the_forums_own_alphabet_whole() -> None:
    for good in ("a", "AbC_d-12xyz9", "x" * 64, "KJv1sS1cF0eE4o8xA9lVrQ"):
        assert is_id(good)
    for bad in ("", "x" * 65, "abc\n", "ab c", "ab/c", "abc\u0661", "\uff41\uff42\uff43", "a.b"):
        assert not is_id(bad), repr(bad)
    assert ID_SCHEMA_PATTERN == "^[A-Za-z0-9_-]{1,64}$"


def test_the_cursors_made_here_come_back() -> None:
    assert cursors.decode(cursors.encode(ORDER_KEY)) == ORDER_KEY
    assert cursors.decode_user_post(cursors.encode(USER_POST_KEY)) == USER_POST_KEY
    assert cursors.user_post_of(USER_POST_KEY) == ("AbC_d-12xyz9", 42)


@pytest.mark.parametrize(
    "forged",
    [
        cursors.encode(ORDER_KEY.translate(ARABIC_INDIC)),
        cursors.encode(ORDER_KEY[:2] + ORDER_KEY[2:6].translate(ARABIC_INDIC) + ORDER_KEY[6:]),
        cursors.encode(ORDER_KEY + "\n"),
        cursors.encode(ORDER_KEY.replace("AbC", "Ab\u0131")),
        cursors.encode(ORDER_KEY) + "\n",
        cursors.encode(ORDER_KEY) + "=",
        cursors.encode(ORDER_KEY) + "==",
        " " + cursors.encode(ORDER_KEY),
        raw_cursor(f'[ "{ORDER_KEY}"]'),  # JSON with a space: not what encode makes
        raw_cursor('["' + ORDER_KEY.replace("#", "\\u0023") + '"]'),  # JSON escapes
    ],
)
def test_a_forged_board_cursor_is_refused(forged: str) -> None:
    with pytest.raises(BadRequest):
        cursors.decode(forged)


@pytest.mark.parametrize(
    "forged",
    [
        cursors.encode(USER_POST_KEY.translate(ARABIC_INDIC)),
        cursors.encode(USER_POST_KEY[:-2] + "\u0664\u0662"),
        cursors.encode(USER_POST_KEY + "\n"),
        cursors.encode(USER_POST_KEY[:-10] + "00000000042"),
        cursors.encode(USER_POST_KEY) + "\n",
    ],
)
def test_a_forged_member_cursor_is_refused(forged: str) -> None:
    with pytest.raises(BadRequest):
        cursors.decode_user_post(forged)


def test_a_username_with_a_final_line_break_is_no_username() -> None:
    assert clean_username("alice_1") == "alice_1"
    for bad in ("alice\n", "alice\u0661", "al"):
        with pytest.raises(Invalid):
            clean_username(bad)
