"""The username rules and the skeleton that makes look-alike names one name."""

from __future__ import annotations

import pytest

from forum import schema, usernames
from forum.errors import Invalid


@pytest.mark.parametrize("name", ["abc", "Alice_1", "bob-the-2nd", "a" * 20, "___", "0-0"])
def test_names_of_ascii_letters_digits_and_dashes_keep_the_rules(name: str) -> None:
    assert usernames.problem(name) is None
    assert usernames.clean(name) == name


@pytest.mark.parametrize(
    "name",
    [
        "ab",
        "a" * 21,
        "two words",
        "dot.ted",
        "émile",
        "\u0430dmin",  # Cyrillic a
        "\uff41dmin",  # fullwidth a
        "admin\u200b",  # zero-width space
        "admin\n",  # a regular expression's "$" would let this one through
        "",
    ],
)
def test_anything_else_is_refused_in_words(name: str) -> None:
    assert "3 to 20 characters" in (usernames.problem(name) or "")
    with pytest.raises(Invalid) as refused:
        usernames.clean(name)
    assert refused.value.field == "username"


@pytest.mark.parametrize(
    "look_alike",
    [
        "Admin",
        "ADMIN",
        "adm1n",
        "admIn",
        "ADMlN",
        "adrnin",
        "\u0430dmin",  # Cyrillic a
        "\uff41dmin",  # fullwidth a
        "\u0391dmin",  # Greek capital alpha
    ],
)
def test_look_alikes_share_a_skeleton(look_alike: str) -> None:
    assert usernames.skeleton(look_alike) == usernames.skeleton("admin")
    # and so claim the same item
    assert schema.username_pk(look_alike) == schema.username_pk("admin")


@pytest.mark.parametrize(
    ("one", "other"),
    [("b0b", "bob"), ("rnary", "mary"), ("vvill", "will"), ("l1ly", "lily"), ("ALICE", "al1ce")],
)
def test_more_look_alikes(one: str, other: str) -> None:
    assert usernames.skeleton(one) == usernames.skeleton(other)


@pytest.mark.parametrize(("one", "other"), [("alice", "alicia"), ("bob", "bab"), ("a_b", "a-b")])
def test_names_that_read_differently_stay_apart(one: str, other: str) -> None:
    assert usernames.skeleton(one) != usernames.skeleton(other)


def test_a_lookup_by_name_is_of_that_name_in_any_case() -> None:
    assert usernames.same_name("Alice", "aLICE")
    assert not usernames.same_name("alice", "al1ce")
