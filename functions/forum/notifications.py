"""A member's notifications: what they are, listing them, counting and marking the unread.

Each is one item in the member's own partition (``NOTIFY#{sub}`` / ``N#{id}``), its id
``{at}.{topic_id}.{number}.{kind}`` with ``at`` the compact UTC time it was made, so the newest
come first from one descending Query and a notification about the same post and kind always has
the same key (made twice, it is one). Another member's id names nothing in the caller's
partition: 404, never theirs. Entries expire after 90 days (TTL).

Kinds: ``reply`` (in a watched topic; several collapse into one entry until it is read, which
the topic's watcher item keeps track of: forum.notifier), ``topic`` (new in a watched board),
``mention``, ``quote``, and the moderator's ``removed``, ``moved`` and ``locked`` with their reason,
written here by the moderation write path itself (one recipient: one put).

The unread count looks at the newest ``UNREAD_WINDOW`` entries only (one Query whatever the
member's history): unread ones are the newest, and past that number the header says "99+".
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from pynamodb.exceptions import UpdateError

from . import clock, cursors, schema
from .content import clean_line
from .errors import Busy, Invalid, NotFound
from .i18n import _, ngettext
from .identity import Member
from .models import Person, Topic, person
from .notice_items import Notification, Watch

REPLY = "reply"
NEW_TOPIC = "topic"
MENTION = "mention"
QUOTE = "quote"
REMOVED = "removed"
MOVED = "moved"
LOCKED = "locked"
MODERATION = (REMOVED, MOVED, LOCKED)
KINDS = (REPLY, NEW_TOPIC, MENTION, QUOTE, *MODERATION)
KEPT_DAYS = 90
PAGE_SIZE = 20
UNREAD_WINDOW = 100
# As long as a ban's reason (forum.moderation).
REASON_MAX = 500


def compact(at: str) -> str:
    """An ISO time of clock.iso as the id writes it: digits only, still in time order."""
    return at.replace("-", "").replace(":", "").replace(".", "")


def notification_id(at: str, topic_id: str, number: int, kind: str) -> str:
    return f"{compact(at)}.{topic_id}.{number}.{kind}"


def is_notification_id(value: str) -> bool:
    return cursors.NOTIFICATION_KEY.fullmatch(schema.notification_sk(value)) is not None


def new(
    user_id: str,
    kind: str,
    at: str,
    topic_id: str,
    topic_title: str,
    number: int,
    actor: Person,
    **fields: Any,
) -> Notification:
    """A notification to write (not written: the notifier writes them in batches)."""
    entry_id = notification_id(at, topic_id, number, kind)
    expires = clock.now() + timedelta(days=KEPT_DAYS)
    return Notification(
        schema.notify_pk(user_id),
        schema.notification_sk(entry_id),
        notification_id=entry_id,
        what=kind,
        topic_id=topic_id,
        topic_title=topic_title,
        number=number,
        actor=person(actor.id, actor.name),
        created_at=at,
        updated_at=at,
        read=False,
        expires_at=expires,
        **fields,
    )


def describe(entry: Notification) -> str:
    """What the entry says, in words (gettext; the count of collapsed replies by ngettext)."""
    actor, title = entry.actor.name, entry.topic_title
    count = int(entry.replies or 1)
    if entry.what == REPLY:
        if count > 1:
            return ngettext(
                "{count} new reply in {title}", "{count} new replies in {title}", count
            ).format(count=count, title=title)
        return _("{actor} replied in {title}").format(actor=actor, title=title)
    texts = {
        NEW_TOPIC: _("{actor} started {title} in {board}"),
        MENTION: _("{actor} mentioned you in {title}"),
        QUOTE: _("{actor} quoted you in {title}"),
        REMOVED: _("A moderator removed your post in {title}"),
        MOVED: _("A moderator moved your topic {title} to {board}"),
        LOCKED: _("A moderator locked your topic {title}"),
    }
    text = texts.get(str(entry.what), "{title}")
    return text.format(actor=actor, title=title, board=entry.board_name or "")


@dataclass(frozen=True)
class NotificationPage:
    entries: list[Notification]
    next_cursor: str | None


def page(member: Member, cursor: str | None) -> NotificationPage:
    """The member's notifications, newest first, a page at a time: one Query."""
    after = cursors.decode_notification(cursor) if cursor is not None else None
    start: dict[str, Any] | None = None
    if after is not None:
        start = {
            schema.PARTITION_KEY: {"S": schema.notify_pk(member.user_id)},
            schema.SORT_KEY: {"S": after},
        }
    found = Notification.query(
        schema.notify_pk(member.user_id),
        Notification.sk.startswith(schema.NOTIFICATION_SK_PREFIX),
        scan_index_forward=False,
        limit=PAGE_SIZE + 1,
        last_evaluated_key=start,
    )
    now = clock.epoch_seconds()
    entries = [item for item in found if isinstance(item, Notification)]
    next_cursor = None
    if len(entries) > PAGE_SIZE:
        entries = entries[:PAGE_SIZE]
        next_cursor = cursors.encode(entries[-1].sk)
    # moto never deletes expired items, and DynamoDB deletes them late.
    entries = [entry for entry in entries if _epoch(entry.expires_at) > now]
    return NotificationPage(entries, next_cursor)


def _epoch(value: Any) -> int:
    return int(value.timestamp()) if hasattr(value, "timestamp") else int(value or 0)


def _unread(user_id: str) -> list[Notification]:
    found = Notification.query(
        schema.notify_pk(user_id),
        Notification.sk.startswith(schema.NOTIFICATION_SK_PREFIX),
        scan_index_forward=False,
        limit=UNREAD_WINDOW,
        page_size=UNREAD_WINDOW,
    )
    now = clock.epoch_seconds()
    return [
        item
        for item in found
        if isinstance(item, Notification) and not item.read and _epoch(item.expires_at) > now
    ]


def unread_count(user_id: str) -> int:
    """How many of the member's newest notifications are unread: one Query, at most
    UNREAD_WINDOW entries (the personal overlay calls this)."""
    return len(_unread(user_id))


def _close_open_entry(user_id: str, entry: Notification) -> None:
    """A read reply entry collapses no more replies: its topic's watcher item forgets it (if it
    still names this one; a new one made meanwhile stays)."""
    if entry.what != REPLY:
        return
    watch = Watch(schema.watchers_pk("topic", str(entry.topic_id)), user_id)
    try:
        watch.update(
            actions=[Watch.open.remove()],
            condition=cast(Any, Watch.open).notification_id == entry.notification_id,
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise Busy() from error


def mark_read(member: Member, entry_id: str) -> Notification:
    """Mark one of the member's notifications read; 404 when they have none with that id."""
    missing = NotFound(_("You have no notification with that id."))
    if not is_notification_id(entry_id):
        raise missing
    entry = Notification(schema.notify_pk(member.user_id), schema.notification_sk(entry_id))
    try:
        entry.update(actions=[Notification.read.set(True)], condition=Notification.pk.exists())
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            raise missing from error
        raise Busy() from error
    _close_open_entry(member.user_id, entry)
    return entry


def mark_all_read(member: Member) -> int:
    """Mark every unread notification of the member's newest UNREAD_WINDOW read; how many."""
    unread = _unread(member.user_id)
    with Notification.batch_write() as batch:
        for entry in unread:
            entry.read = True
            batch.save(entry)
    for entry in unread:
        _close_open_entry(member.user_id, entry)
    return len(unread)


def clean_reason(reason: str | None) -> str | None:
    """A moderator's reason: one line of 1-REASON_MAX characters (forum.content.clean_line),
    with no control character anywhere, not even at an end that trimming would drop."""
    if reason is None:
        return None
    if any(unicodedata.category(char) == "Cc" for char in reason):
        raise Invalid(_("The reason must be one line, without control characters."), "reason")
    return clean_line(reason, "reason", REASON_MAX)


def notify_moderation(
    moderator: Member,
    recipient: Person,
    kind: str,
    topic: Topic,
    number: int,
    reason: str | None,
    board_name: str | None = None,
) -> None:
    """Tell a member a moderator removed their post, or moved or locked their topic: one put,
    in the moderation's own write path. Nothing when they did it to themselves."""
    if recipient.id == moderator.user_id:
        return
    at = clock.now_iso()
    new(
        recipient.id,
        kind,
        at,
        topic.topic_id,
        topic.title,
        number,
        person(moderator.user_id, moderator.name),
        reason=reason or None,
        board_name=board_name,
    ).save()
