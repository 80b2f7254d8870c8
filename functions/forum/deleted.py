"""How a deleted member is shown: by no name, linked nowhere (forum.deletion makes them so).

Their profile and every copy of their name (a post's author, a topic's starter, a last post)
keep ``schema.DELETED_MEMBER`` in place of the name; pages and API answers show the words below.
"""

from __future__ import annotations

from . import schema
from .i18n import _


def is_deleted_name(name: str | None) -> bool:
    return name == schema.DELETED_MEMBER


def shown_name(name: str) -> str:
    """The name as a reader sees it: a deleted member's is "deleted member"."""
    return _("deleted member") if is_deleted_name(name) else name
