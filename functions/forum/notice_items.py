"""The items of watching and notifications (see schema.py for their keys).

Kept apart from forum.models, which holds what every page reads; these are read only by the
watching and notification routes and by the notifier. They are item classes of the same table
(subclasses of ``ForumItem`` with a ``kind`` of their own), so a BatchGetItem or a Query of
mixed items returns them as the right classes once this module is imported.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
)

from . import schema
from .models import ForumItem, Person

WATCHING = "watching"
MUTED = "muted"
LEVELS = (WATCHING, MUTED)


class OpenEntry(MapAttribute[str, Any]):
    """The unread notification that a watched topic's replies collapse into, as its watcher
    item remembers it: where it is and which replies it counts."""

    notification_id = UnicodeAttribute()
    numbers = ListAttribute(of=NumberAttribute)
    replies = NumberAttribute()


class Watch(ForumItem, discriminator="watch"):
    """A member watching or muting a topic, or watching a board (WATCHERS#{what}#{id} / sub)."""

    user_id = UnicodeAttribute()
    level = UnicodeAttribute(default=WATCHING)
    since = UnicodeAttribute()
    # Made by the notifier for a topic the member posted in (not asked for on the page).
    auto = BooleanAttribute(null=True)
    # A topic's watcher only: the post numbers recently notified, newest last (a bounded list,
    # so a message delivered twice or late tells nothing twice), and the unread entry.
    notified = ListAttribute(of=NumberAttribute, null=True)
    open = OpenEntry(null=True)


class WatchedEntry(ForumItem, discriminator="watched"):
    """The member's own copy of a watch, for their "Watched" list (USER#{sub} / WATCH#…)."""

    what = UnicodeAttribute()  # "topic" or "board"
    thing_id = UnicodeAttribute()
    title = UnicodeAttribute()
    level = UnicodeAttribute(default=WATCHING)
    since = UnicodeAttribute()


class Notification(ForumItem, discriminator="notification"):
    """One entry of a member's notifications (NOTIFY#{sub} / N#{id}; forum.notifications)."""

    notification_id = UnicodeAttribute()
    # reply | topic | mention | quote | removed | moved | locked
    what = UnicodeAttribute()
    topic_id = UnicodeAttribute()
    topic_title = UnicodeAttribute()
    # The post it links to (for collapsed replies, the first unread one).
    number = NumberAttribute()
    # How many replies a collapsed entry stands for.
    replies = NumberAttribute(default=1)
    # Who wrote the post, started the topic or moderated.
    actor = Person()
    board_name = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    read = BooleanAttribute(default=False)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    expires_at = TTLAttribute(attr_name=schema.TTL_ATTRIBUTE)
