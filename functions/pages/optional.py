"""Parts of the domain that other parts of the forum provide: used when they are there.

Members' profiles (author cards, profile pages) and image attachments arrive with their own
modules; the pages show them as soon as those modules offer them and do without until then,
so that every page renders whatever is deployed.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any


def _module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _function(module_name: str, name: str) -> Any:
    module = _module(module_name)
    return getattr(module, name, None) if module is not None else None


@dataclass(frozen=True)
class AuthorCard:
    """What the page shows beside a post about its author."""

    user_id: str
    username: str
    display_name: str
    avatar_url: str | None = None
    post_count: int | None = None
    role: str | None = None


def author_cards(authors: Mapping[str, str]) -> dict[str, AuthorCard]:
    """Cards for these authors (user id → username); plain names where no profile is known."""
    cards = {user_id: AuthorCard(user_id, name, name) for user_id, name in authors.items()}
    lookup = _function("forum.profiles", "author_cards")
    if lookup is None or not authors:
        return cards
    avatar = _function("forum.profiles", "avatar_thumb_url")
    for user_id, profile in lookup(list(authors)).items():
        if user_id not in cards:
            continue
        cards[user_id] = AuthorCard(
            user_id=user_id,
            username=str(getattr(profile, "username", "") or cards[user_id].username),
            display_name=str(
                getattr(profile, "display_name", "") or getattr(profile, "username", "")
            )
            or cards[user_id].display_name,
            avatar_url=avatar(profile) if avatar is not None else None,
            post_count=_int_or_none(getattr(profile, "post_count", None)),
            role=getattr(profile, "role", None),
        )
    return cards


def member_page(username: str, cursor: str | None) -> Any | None:
    """A member's profile and a page of their posts, or None while profiles do not exist."""
    find = _function("forum.profiles", "member_page")
    return find(username, cursor) if find is not None else None


def avatar_display_url(profile: Any) -> str | None:
    for name in ("avatar_display_url", "avatar_thumb_url"):
        find = _function("forum.profiles", name)
        if find is not None:
            url = find(profile)
            if url:
                return str(url)
    return None


@dataclass(frozen=True)
class Picture:
    """An image attachment: its thumbnail, shown in the post, opens the display image."""

    thumb_url: str
    display_url: str
    alt: str
    width: int | None = None
    height: int | None = None


def _field(item: Any, name: str) -> Any:
    if isinstance(item, Mapping):
        return item.get(name)
    return getattr(item, name, None)


def pictures(post: Any) -> list[Picture]:
    """The ready image attachments of a post, in the form the page shows them."""
    describe = _function("forum.attachments", "shown")
    items: Iterable[Any] = describe(post) if describe is not None else []
    if describe is None:
        items = _field(post, "attachments") or []
    found = []
    for item in items:
        thumb = _field(item, "thumb_url")
        display = _field(item, "display_url") or thumb
        if not thumb:
            continue
        found.append(
            Picture(
                thumb_url=str(thumb),
                display_url=str(display),
                alt=str(_field(item, "alt") or _field(item, "filename") or "Attached image"),
                width=_int_or_none(_field(item, "thumb_width")),
                height=_int_or_none(_field(item, "thumb_height")),
            )
        )
    return found


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None
