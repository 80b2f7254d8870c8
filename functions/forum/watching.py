"""Watching topics and boards (SMF's "notify", phpBB's "watch"), and muting a topic.

A watch is two items written together: one in the watched thing's partition
(``WATCHERS#{what}#{id}`` / sub), which the notifier Queries page by page to find whom to tell,
and the member's own copy (``USER#{sub}`` / ``WATCH#{what}#{id}``), which lists what they watch.
A muted topic is a watch at level "muted": nothing from it reaches the member, not even a
mention or a quote. No index is needed: each side has its own key.

A member watches the topics they start or reply to unless they turned that off (the profile's
``auto_watch``); the notifier makes that watch when it handles their post, off the reply's write
path (``watch_as_author``), and never over a mute or a watch that exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import DoesNotExist

from . import clock, cursors, schema
from .boards import get_board
from .errors import Invalid
from .i18n import _
from .identity import Member
from .models import Profile
from .notice_items import LEVELS, WATCHING, Watch, WatchedEntry
from .profiles import ensure_profile
from .topics import get_topic
from .transactions import Cancelled, transaction

TOPIC = "topic"
BOARD = "board"
WATCHED_PAGE = 50


def _items(what: str, thing_id: str, user_id: str) -> tuple[Watch, WatchedEntry]:
    return (
        Watch(schema.watchers_pk(what, thing_id), user_id),
        WatchedEntry(schema.user_pk(user_id), schema.watch_sk(what, thing_id)),
    )


def _write(member: Member, what: str, thing_id: str, title: str, level: str) -> WatchedEntry:
    if level not in LEVELS:
        raise Invalid(_("A watch's level is 'watching' or 'muted'."), "level")
    watch, entry = _items(what, thing_id, member.user_id)
    at = clock.now_iso()
    with transaction() as tx:
        # Updates, not puts: a topic's watcher keeps what it was last told when its level changes.
        tx.update(
            "watch",
            watch,
            actions=[
                Watch.kind.set(Watch),
                Watch.user_id.set(member.user_id),
                Watch.level.set(level),
                Watch.since.set(Watch.since | at),
                Watch.auto.remove(),
            ],
        )
        tx.update(
            "entry",
            entry,
            actions=[
                WatchedEntry.kind.set(WatchedEntry),
                WatchedEntry.what.set(what),
                WatchedEntry.thing_id.set(thing_id),
                WatchedEntry.title.set(title),
                WatchedEntry.level.set(level),
                WatchedEntry.since.set(WatchedEntry.since | at),
            ],
        )
    return WatchedEntry(
        entry.pk, entry.sk, what=what, thing_id=thing_id, title=title, level=level, since=at
    )


def _delete(member: Member, what: str, thing_id: str) -> None:
    watch, entry = _items(what, thing_id, member.user_id)
    with transaction() as tx:
        tx.delete("watch", watch)
        tx.delete("entry", entry)


def watch_topic(member: Member, topic_id: str, level: str = WATCHING) -> WatchedEntry:
    """Watch or mute a topic that exists (a removed one is 404)."""
    topic = get_topic(topic_id)
    return _write(member, TOPIC, topic_id, topic.title, level)


def stop_watching_topic(member: Member, topic_id: str) -> None:
    """No longer watching nor muting it; nothing to do when there was no watch."""
    _delete(member, TOPIC, topic_id)


def watch_board(member: Member, board_id: str) -> WatchedEntry:
    board = get_board(board_id)
    return _write(member, BOARD, board_id, board.name, WATCHING)


def stop_watching_board(member: Member, board_id: str) -> None:
    _delete(member, BOARD, board_id)


def level_of(user_id: str, what: str, thing_id: str) -> str | None:
    """The member's watch of it ("watching", "muted"), None without one: one small GetItem."""
    try:
        watch = Watch.get(schema.watchers_pk(what, thing_id), user_id)
    except DoesNotExist:
        return None
    return str(watch.level)


@dataclass(frozen=True)
class WatchedPage:
    entries: list[WatchedEntry]
    next_cursor: str | None
    auto_watch: bool


def watched(member: Member, cursor: str | None) -> WatchedPage:
    """What the member watches or mutes, topics and boards, a page at a time (one Query), and
    whether they watch what they post in (the profile, one GetItem)."""
    after = cursors.decode_watch(cursor) if cursor is not None else None
    start: dict[str, Any] | None = None
    if after is not None:
        start = {
            schema.PARTITION_KEY: {"S": schema.user_pk(member.user_id)},
            schema.SORT_KEY: {"S": after},
        }
    found = WatchedEntry.query(
        schema.user_pk(member.user_id),
        WatchedEntry.sk.startswith(schema.WATCH_SK_PREFIX),
        limit=WATCHED_PAGE + 1,
        last_evaluated_key=start,
    )
    entries = [item for item in found if isinstance(item, WatchedEntry)]
    next_cursor = None
    if len(entries) > WATCHED_PAGE:
        entries = entries[:WATCHED_PAGE]
        next_cursor = cursors.encode(entries[-1].sk)
    profile = ensure_profile(member)
    return WatchedPage(entries, next_cursor, profile.auto_watch is not False)


def set_auto_watch(member: Member, enabled: bool) -> bool:
    """Whether the member watches the topics they start or reply to from now on."""
    ensure_profile(member)
    Profile(schema.user_pk(member.user_id), schema.PROFILE_SK).update(
        actions=[Profile.auto_watch.set(enabled)], condition=Profile.pk.exists()
    )
    return enabled


def watch_as_author(user_id: str, topic_id: str, title: str) -> bool:
    """The watch a member gets on a topic they posted in (the notifier's write): only when
    they have no watch of it yet, so a mute stays a mute. True when it was made."""
    watch, entry = _items(TOPIC, topic_id, user_id)
    at = clock.now_iso()
    watch.user_id, watch.level, watch.since, watch.auto = user_id, WATCHING, at, True
    entry.what, entry.thing_id, entry.title = TOPIC, topic_id, title
    entry.level, entry.since = WATCHING, at
    try:
        with transaction() as tx:
            tx.save("watch", watch, condition=Watch.pk.does_not_exist())
            tx.save("entry", entry, condition=WatchedEntry.pk.does_not_exist())
    except Cancelled as cancelled:
        if cancelled.names_failed:
            return False  # watched or muted already (or stopped halfway: left as it is)
        raise
    return True
