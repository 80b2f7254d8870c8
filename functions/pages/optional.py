"""Parts of the forum that arrive with other work: shown when their modules offer them.

Image attachments (``forum.attachments``) and the larger avatar come with the images work; the
pages show them as soon as the domain offers them and do without until then, so every page
renders whatever is deployed.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from forum import profiles
from forum.models import Profile


def _function(module_name: str, name: str) -> Any:
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    return getattr(module, name, None)


def avatar_display_url(profile: Profile) -> str | None:
    """The member's larger avatar for their own page (the thumbnail where there is no other)."""
    find = getattr(profiles, "avatar_display_url", None) or profiles.avatar_thumb_url
    url = find(profile)
    return str(url) if url else None


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


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def pictures(post: Any) -> list[Picture]:
    """The ready image attachments of a post, in the form the page shows them."""
    describe = _function("forum.attachments", "shown")
    if describe is None:
        return []
    items: Iterable[Any] = describe(post)
    found = []
    for item in items:
        thumb = _field(item, "thumb_url")
        if not thumb:
            continue
        found.append(
            Picture(
                thumb_url=str(thumb),
                display_url=str(_field(item, "display_url") or thumb),
                alt=str(_field(item, "alt") or _field(item, "filename") or "Attached image"),
                width=_int_or_none(_field(item, "thumb_width")),
                height=_int_or_none(_field(item, "thumb_height")),
            )
        )
    return found
