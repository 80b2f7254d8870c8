"""What an id of the forum looks like: one definition for the API, the pages and the cursors.

Boards, topics and attachments get ids of ``secrets.token_urlsafe`` (12 and 22 characters of
the URL-safe base64 alphabet); an id from outside is checked against that alphabet, at most 64
characters, before anything is looked up. The check is ASCII only and covers the whole text:
Python's ``\\d`` and ``\\w`` take any Unicode digit or letter, and ``$`` takes a trailing line
break, so those are not used here.
"""

from __future__ import annotations

import re

# The characters of an id (token_urlsafe's alphabet), for composing larger patterns.
ID = "[A-Za-z0-9_-]{1,64}"
# For JSON Schema (pydantic's Rust regex engine, OpenAPI's ECMA-262): there ``$`` is the end of
# the text, not "the end or a final line break" as in Python.
ID_SCHEMA_PATTERN = f"^{ID}$"

_ID = re.compile(ID, re.ASCII)


def is_id(value: str) -> bool:
    """Whether ``value`` is, all of it, an id of the forum's form."""
    return _ID.fullmatch(value) is not None
