"""The rules for titles and bodies, and reading identity from authorizer claims."""

from __future__ import annotations

import pytest

from forum import cursors
from forum.content import clean_body, clean_title
from forum.errors import BadRequest, Invalid
from forum.identity import member_from_claims, parse_groups


def test_titles_are_trimmed_and_bounded() -> None:
    assert clean_title("  Hello  ") == "Hello"
    assert clean_title("é" * 200) == "é" * 200
    for bad in ("", "   ", "x" * 201, "tab\there", "new\nline", "nul\x00", "bell\x07"):
        with pytest.raises(Invalid):
            clean_title(bad)


INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u200e"


def test_nothing_but_invisible_characters_is_empty() -> None:
    for text in (INVISIBLE, f" {INVISIBLE} \n", "\u200b"):
        with pytest.raises(Invalid, match="must not be empty"):
            clean_title(text)
        with pytest.raises(Invalid, match="must not be empty"):
            clean_body(text)
    # joiners inside visible text are part of it (a family emoji, a Persian word)
    assert clean_title("👨\u200d👩\u200d👧") == "👨\u200d👩\u200d👧"
    assert clean_body("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645") != ""


def test_one_line_texts_refuse_direction_overrides() -> None:
    for text in ("\u202eevil", "a\u202db", "x\u2066y\u2069"):
        with pytest.raises(Invalid, match="direction"):
            clean_title(text)
    # right-to-left text itself is welcome
    assert clean_title("שלום עולם") == "שלום עולם"


def test_bodies_keep_newlines_and_refuse_controls() -> None:
    assert clean_body("line one\n\nline two\n\n") == "line one\n\nline two"
    assert len(clean_body("b" * 50_000)) == 50_000
    for bad in ("", " \n\t ", "b" * 50_001, "esc\x1b[31m"):
        with pytest.raises(Invalid):
            clean_body(bad)


@pytest.mark.parametrize(
    ("value", "groups"),
    [
        ("[admins moderators]", {"admins", "moderators"}),
        ("[moderators]", {"moderators"}),
        ("[]", set()),
        ('["admins"]', {"admins"}),
        (["admins"], {"admins"}),
        ("admins,moderators", {"admins", "moderators"}),
        (None, set()),
    ],
)
def test_groups_in_every_form_the_authorizer_sends(value: object, groups: set[str]) -> None:
    assert parse_groups(value) == groups


def test_members_from_claims() -> None:
    member = member_from_claims(
        {"sub": "abc", "cognito:username": "Ann", "cognito:groups": "[moderators]"}
    )
    assert member is not None
    assert (member.user_id, member.name, member.is_moderator, member.is_admin) == (
        "abc",
        "Ann",
        True,
        False,
    )
    assert member_from_claims({"sub": "abc", "username": "Ann"}) is not None
    assert member_from_claims({}) is None
    assert member_from_claims({"sub": "abc"}) is None
    assert member_from_claims(None) is None


def test_cursors_round_trip_and_refuse_tampering() -> None:
    key = "0#2026-11-27T23:58:37.123456Z#abcDEF_-12"
    assert cursors.decode(cursors.encode(key)) == key
    for bad in ("", "!!!", cursors.encode("1#not-a-date#x"), "eyJhIjogMX0"):
        with pytest.raises(BadRequest):
            cursors.decode(bad)
