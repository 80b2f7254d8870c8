"""The username rules, and the skeleton that decides when two names are one.

A username has 3 to 20 characters, each an ASCII letter, a digit, ``_`` or ``-``. The same
rules hold wherever an account is made: ``POST /api/accounts`` (forum.accounts) and Cognito's
pre sign-up trigger (functions/presignup), which refuses what the API would refuse.

Two names that a reader cannot tell apart belong to one member: the name's claim in the table
is keyed by its **skeleton** (``schema.username_pk``), so claiming "AIice" when "alice" is held
fails on the claim's own condition, atomically. The skeleton folds case and the ASCII
look-alikes that matter in the fonts pages are read in (``l``, ``I``, ``i`` and ``1``; ``O`` and
``0``; ``rn`` and ``m``; ``vv`` and ``w``). New names are ASCII, so no other script needs a
fold; a name Cognito holds from before the rules (an account made straight through Cognito) may
not be, so the skeleton also folds compatibility forms (NFKC) and the Cyrillic and Greek letters
that look like Latin ones: such a name collides with the member it imitates when it first
comes to the forum, and gets no profile.

Standard library only: ``forum.schema`` (imported by the CDK app) depends on this module.
"""

from __future__ import annotations

import re
import unicodedata

from .errors import Invalid
from .i18n import _

MIN_LENGTH = 3
MAX_LENGTH = 20
# The rule as a JSON schema pattern (the API's OpenAPI document); clean() is what enforces it.
SCHEMA_PATTERN = f"^[A-Za-z0-9_-]{{{MIN_LENGTH},{MAX_LENGTH}}}$"
_ALLOWED = re.compile(r"[A-Za-z0-9_-]+")

# After case folding. Sequences first: "rn" reads as "m" before "r" or "n" are looked at.
_SEQUENCES = (("rn", "m"), ("vv", "w"))
_LOOK_ALIKES = str.maketrans({"0": "o", "1": "l", "i": "l", "|": "l"})
# Cyrillic and Greek letters drawn like Latin ones (lower case, after case folding): the ones
# Unicode's confusables list maps to a single Latin letter of a username.
_OTHER_SCRIPTS = str.maketrans(
    {
        # Cyrillic
        "\u0430": "a",  # a
        "\u0432": "b",  # ve
        "\u0441": "c",  # es
        "\u0501": "d",  # komi de
        "\u0435": "e",  # ie
        "\u04bb": "h",  # shha
        "\u0456": "i",  # byelorussian-ukrainian i
        "\u0458": "j",  # je
        "\u043a": "k",  # ka
        "\u04cf": "l",  # palochka
        "\u043c": "m",  # em
        "\u043d": "h",  # en
        "\u043e": "o",  # o
        "\u0440": "p",  # er
        "\u051b": "q",  # qa
        "\u0455": "s",  # dze
        "\u0442": "t",  # te
        "\u0475": "v",  # izhitsa
        "\u051d": "w",  # we
        "\u0445": "x",  # ha
        "\u0443": "y",  # u
        "\u04af": "y",  # straight u
        # Greek
        "\u03b1": "a",  # alpha
        "\u03b2": "b",  # beta
        "\u03b5": "e",  # epsilon
        "\u03b7": "n",  # eta
        "\u03b9": "i",  # iota
        "\u03ba": "k",  # kappa
        "\u03bc": "u",  # mu
        "\u03bd": "v",  # nu
        "\u03bf": "o",  # omicron
        "\u03c1": "p",  # rho
        "\u03c4": "t",  # tau
        "\u03c5": "u",  # upsilon
        "\u03c7": "x",  # chi
        "\u03b3": "y",  # gamma
    }
)


def problem(username: str) -> str | None:
    """What is wrong with ``username`` as a new member's name, in words; None when it is fine."""
    if not MIN_LENGTH <= len(username) <= MAX_LENGTH or not _ALLOWED.fullmatch(username):
        return _("A username has 3 to 20 characters: letters, digits, '_' and '-'.")
    return None


def clean(username: str) -> str:
    """``username`` if it keeps the rules; 422 (on the field ``username``) otherwise."""
    broken = problem(username)
    if broken is not None:
        raise Invalid(broken, "username")
    return username


def skeleton(username: str) -> str:
    """The form two look-alike names share: "Admin", "adm1n" and "ADMlN" are all "admln"."""
    folded = unicodedata.normalize("NFKC", username).casefold()
    folded = folded.translate(_OTHER_SCRIPTS)
    for sequence, reads_as in _SEQUENCES:
        folded = folded.replace(sequence, reads_as)
    return folded.translate(_LOOK_ALIKES)


def same_name(one: str, other: str) -> bool:
    """Whether two names are the same name, as lookups by name see it: in any case."""
    return one.casefold() == other.casefold()
