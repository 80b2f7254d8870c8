"""The notifier: the notifications a new post or a new topic makes, made off the write path.

It is handed table changes (forum.changes) and reads what each item is now, never a copy in
the message. So a message about a post removed before it went out, or a topic removed since,
tells nobody; a member banned before their post went out tells nobody either.

A new post (INSERT of ``TOPIC#…`` / ``POST#…``):
  - its author watches the topic (unless their profile's ``auto_watch`` is off, or they watch or
    mute it already: forum.watching.watch_as_author);
  - each member it mentions (the links forum.mentions rendered) and each member it quotes (the
    composer's ``> **name** wrote in [#N](/t/{topic}/…#msgN):``) gets an entry, at most
    ``mentions.LIMIT`` and ``QUOTE_LIMIT`` of them;
  - a reply (number > 1) tells the topic's watchers, Queried a page at a time: each watcher's
    unread entry for the topic counts one reply more ("3 new replies in …"), or a new one is
    made. The watcher item remembers the numbers it was told of (the last ``NOTIFIED_KEPT``)
    and its open entry, so a message delivered twice, or after a later one, adds nothing twice.
A new topic (INSERT of ``TOPIC#…`` / ``TOPIC``) tells the board's watchers.

Nobody is told of their own post, nor of a topic they muted (mentions and quotes included), nor
twice of one post (a mention or quote is not also a reply). Entries are written in batches
(BatchWriteItem, 25 items a request), two items a watcher for a reply (the entry and the
watcher's memory), one for a new topic, after one BatchGetItem per page asking which exist
(a duplicate never marks a read entry unread again).

Who may read a topic: anyone, while it is not removed (boards have no readers' lists); the
check is ``readable`` alone, for the day they do.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from . import changes, mentions, notifications, schema, watching
from .models import ForumItem, Person, Post, Profile, Topic, UsernameClaim
from .notice_items import MUTED, Notification, OpenEntry, Watch
from .profiles import is_banned

QUOTE_LIMIT = 10
NOTIFIED_KEPT = 50
# An open entry keeps the numbers of the replies it counts, up to this many (the count goes on).
OPEN_NUMBERS_KEPT = 100
WATCHERS_PAGE = 100
# The composer's quote header (web/js/topic.js): the quoted post's topic and number.
QUOTE = re.compile(
    r"^> \*\*.+?\*\* wrote in \[#[0-9]{1,10}\]\((?:https?://[^/\s)]+)?"
    r"/t/([A-Za-z0-9_-]{1,64})[^)\s#]*#msg([0-9]{1,10})\):",
    re.MULTILINE | re.ASCII,
)


@dataclass
class Outcome:
    """What one change made: how many entries, for logs, metrics and the bench."""

    entries: int = 0
    watchers: int = 0
    skipped: str | None = None
    requests: dict[str, int] = field(default_factory=dict)


def readable(topic: Topic | None) -> bool:
    return topic is not None and not topic.removed


def handle(change: changes.Change) -> Outcome:
    if change.event != changes.INSERT or change.expired:
        return Outcome(skipped="not a new item")
    topic_id = change.pk.removeprefix(schema.TOPIC_PK_PREFIX)
    if change.kind == "post":
        number = int(change.sk.removeprefix(schema.POST_SK_PREFIX))
        return new_post(topic_id, number)
    if change.kind == "topic":
        return new_topic(topic_id)
    return Outcome(skipped="not a post or a topic")


def _banned(user_id: str) -> tuple[bool, Profile | None]:
    try:
        profile = Profile.get(schema.user_pk(user_id), schema.PROFILE_SK, consistent_read=True)
    except Profile.DoesNotExist:
        return False, None
    return is_banned(profile), profile


def quoted(body: str) -> list[tuple[str, int]]:
    """The posts a body quotes in the composer's form, once each, at most QUOTE_LIMIT."""
    found = dict.fromkeys((m.group(1), int(m.group(2))) for m in QUOTE.finditer(body))
    return list(found)[:QUOTE_LIMIT]


def new_post(topic_id: str, number: int) -> Outcome:
    keys = [
        (schema.topic_pk(topic_id), schema.TOPIC_SK),
        (schema.topic_pk(topic_id), schema.post_sk(number)),
    ]
    read = {(item.pk, item.sk): item for item in ForumItem.batch_get(keys, consistent_read=True)}
    topic, post = read.get(keys[0]), read.get(keys[1])
    if not isinstance(topic, Topic) or not isinstance(post, Post) or not readable(topic):
        return Outcome(skipped="topic or post gone")
    if post.removed:
        return Outcome(skipped="post removed")
    author = post.author.id
    # The author's profile (a ban, auto_watch) and their watch of the topic: one BatchGetItem.
    theirs = [
        (schema.user_pk(author), schema.PROFILE_SK),
        (schema.watchers_pk("topic", topic_id), author),
    ]
    found = {(i.pk, i.sk): i for i in ForumItem.batch_get(theirs, consistent_read=True)}
    profile, watch = found.get(theirs[0]), found.get(theirs[1])
    if isinstance(profile, Profile) and is_banned(profile):
        return Outcome(skipped="author banned")
    wants = not isinstance(profile, Profile) or profile.auto_watch is not False
    if wants and watch is None:
        watching.watch_as_author(author, topic_id, topic.title)
    outcome = Outcome()
    told = _mentions_and_quotes(topic, post, outcome)
    if number > 1:
        _replies(topic, post, told | {author}, outcome)
    return outcome


def _mentions_and_quotes(topic: Topic, post: Post, outcome: Outcome) -> set[str]:
    """Entries for the members the post mentions and quotes; their ids (told, or muted)."""
    names = mentions.linked_names(post.body_html)
    quotes = [(t, n) for t, n in quoted(post.body) if (t, n) != (topic.topic_id, post.number)]
    keys: list[tuple[str, str]] = [(schema.username_pk(n), schema.USERNAME_SK) for n in names]
    keys += [(schema.topic_pk(t), schema.post_sk(n)) for t, n in quotes]
    if not keys:
        return set()
    wanted: dict[str, str] = {}  # user id → kind
    for item in ForumItem.batch_get(keys):
        if isinstance(item, UsernameClaim) and item.user_id:
            wanted.setdefault(str(item.user_id), notifications.MENTION)
        elif isinstance(item, Post) and not item.removed:
            wanted[item.author.id] = notifications.QUOTE  # a quote says more than a mention
    wanted.pop(post.author.id, None)
    if not wanted:
        return set()
    entries = {
        user_id: notifications.new(
            user_id,
            kind,
            post.created_at,
            topic.topic_id,
            topic.title,
            int(post.number),
            post.author,
        )
        for user_id, kind in wanted.items()
    }
    watch_keys = [(schema.watchers_pk("topic", topic.topic_id), user_id) for user_id in wanted]
    muted, existing = set(), set()
    for item in ForumItem.batch_get(watch_keys + [(e.pk, e.sk) for e in entries.values()]):
        if isinstance(item, Watch) and item.level == MUTED:
            muted.add(item.user_id)
        elif isinstance(item, Notification):
            existing.add(item.pk)
    fresh = [
        entry
        for user_id, entry in entries.items()
        if user_id not in muted and entry.pk not in existing
    ]
    _write(fresh)
    outcome.entries += len(fresh)
    return set(wanted)


def _watchers(what: str, thing_id: str) -> Iterator[list[Watch]]:
    """A thing's watchers, WATCHERS_PAGE at a time, as the Query's pages bring them (DynamoDB
    pages at 1 MB, about 6,000 watchers: ten thousand are two requests)."""
    page: list[Watch] = []
    for item in Watch.query(schema.watchers_pk(what, thing_id)):
        if isinstance(item, Watch):
            page.append(item)
        if len(page) == WATCHERS_PAGE:
            yield page
            page = []
    if page:
        yield page


def _replies(topic: Topic, post: Post, skip: set[str], outcome: Outcome) -> None:
    number = int(post.number)
    for page in _watchers("topic", topic.topic_id):
        writes: list[ForumItem] = []
        for watch in page:
            outcome.watchers += 1
            if watch.user_id in skip or watch.level == MUTED:
                continue
            told = [int(n) for n in cast(list[Any], watch.notified or [])]
            if number in told:
                continue  # delivered before
            entry = _collapsed(watch, topic, post)
            watch.notified = cast(Any, sorted([*told, number])[-NOTIFIED_KEPT:])
            writes += [entry, watch]
        _write(writes)
        outcome.entries += len(writes) // 2


def _collapsed(watch: Watch, topic: Topic, post: Post) -> Notification:
    """The watcher's unread entry for the topic with this reply counted in (made if none)."""
    number = int(post.number)
    current = watch.open
    if current is None:
        entry = notifications.new(
            watch.user_id,
            notifications.REPLY,
            post.created_at,
            topic.topic_id,
            topic.title,
            number,
            post.author,
        )
        watch.open = OpenEntry(notification_id=entry.notification_id, numbers=[number], replies=1)
        return entry
    numbers = sorted({*(int(n) for n in cast(list[Any], current.numbers)), number})
    count = int(current.replies) + 1
    entry_id = str(current.notification_id)
    created = _created_at(entry_id) or post.created_at
    entry = notifications.new(
        watch.user_id,
        notifications.REPLY,
        created,
        topic.topic_id,
        topic.title,
        numbers[0],
        post.author,
    )
    # The same key as before, whatever the first reply's number (it is in the id).
    entry.sk, entry.notification_id = schema.notification_sk(entry_id), entry_id
    entry.replies, entry.updated_at = count, post.created_at
    watch.open = OpenEntry(
        notification_id=entry_id, numbers=numbers[:OPEN_NUMBERS_KEPT], replies=count
    )
    return entry


def _created_at(entry_id: str) -> str | None:
    """The ISO time an id's compact time stands for."""
    stamp = entry_id.split(".", 1)[0]
    if len(stamp) != 22:
        return None
    d, t = stamp[:8], stamp[9:21]
    return f"{d[:4]}-{d[4:6]}-{d[6:]}T{t[:2]}:{t[2:4]}:{t[4:6]}.{t[6:]}Z"


def new_topic(topic_id: str) -> Outcome:
    try:
        topic = Topic.get(schema.topic_pk(topic_id), schema.TOPIC_SK, consistent_read=True)
    except Topic.DoesNotExist:
        return Outcome(skipped="topic gone")
    if not readable(topic):
        return Outcome(skipped="topic removed")
    starter: Person = topic.started_by
    if _banned(starter.id)[0]:
        return Outcome(skipped="author banned")
    outcome = Outcome()
    for page in _watchers("board", topic.board_id):
        outcome.watchers += len(page)
        entries = [
            notifications.new(
                watch.user_id,
                notifications.NEW_TOPIC,
                topic.started_at,
                topic_id,
                topic.title,
                1,
                starter,
                board_name=topic.board_name,
            )
            for watch in page
            if watch.user_id != starter.id and watch.level != MUTED
        ]
        existing = _existing(entries)
        fresh = [entry for entry in entries if (entry.pk, entry.sk) not in existing]
        _write(fresh)
        outcome.entries += len(fresh)
    return outcome


def _existing(entries: Sequence[Notification]) -> set[tuple[str, str]]:
    if not entries:
        return set()
    return {(i.pk, i.sk) for i in Notification.batch_get([(e.pk, e.sk) for e in entries])}


def _write(items: Iterable[ForumItem]) -> None:
    """Put the items, 25 to a BatchWriteItem (PynamoDB sends again what DynamoDB left)."""
    items = list(items)
    if not items:
        return
    with ForumItem.batch_write() as batch:
        for item in items:
            batch.save(item)
