"""Who is viewing a topic, and how often it was viewed, from the pages' heartbeats.

Counting distinct viewers exactly over a sliding window would mean reading one item per viewer.
Instead time is cut into fixed windows (5 minutes by default): each viewer is counted once per
window in a small counter item, and the answer is the current window's count, or during the
first heartbeat interval of a window (half a window), when not everyone has checked in yet, the
larger of the current and the previous window. A heartbeat therefore costs the same four small
requests whether one person or ten thousand are reading.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from pynamodb.exceptions import UpdateError

from . import clock, schema
from .errors import Busy, NotFound
from .models import ForumItem, PresenceWindow, Topic, Viewer
from .settings import get_settings

# The pages beat twice per window, so that every window of a viewer's stay sees them; the
# answer tells the page when to beat next (half a window: 150 s by default).
MIN_HEARTBEAT_SECONDS = 30


def heartbeat_seconds(window_seconds: int) -> int:
    return max(MIN_HEARTBEAT_SECONDS, window_seconds // 2)


ViewerKind = Literal["member", "guest"]


@dataclass(frozen=True)
class Presence:
    members: int
    guests: int
    # When the page should send its next heartbeat.
    next_beat_seconds: int


def _viewer_sk(kind: ViewerKind, viewer_id: str) -> str:
    # Members and guests live in separate key spaces, so a guest cannot pose as a member.
    return f"{schema.VIEWER_SK_PREFIX}{kind[0]}#{viewer_id}"


def _window_sk(window: int) -> str:
    return f"{schema.PRESENCE_SK_PREFIX}{window:012d}"


def heartbeat(topic_id: str, kind: ViewerKind, viewer_id: str) -> Presence:
    window_seconds = get_settings().presence_window_seconds
    now = clock.epoch_seconds()
    window = now // window_seconds
    expires = datetime.fromtimestamp(now + 2 * window_seconds, UTC)
    pk = schema.topic_pk(topic_id)

    # 1. The topic and the presence counters of this and the previous window, in one Query:
    #    "PRESENCE#…" and "TOPIC" sort next to each other, after every "POST#…".
    items = ForumItem.query(pk, ForumItem.sk.between(_window_sk(window - 1), schema.TOPIC_SK))
    topic: Topic | None = None
    windows: dict[int, PresenceWindow] = {}
    for item in items:
        if isinstance(item, Topic):
            topic = item
        elif isinstance(item, PresenceWindow):
            windows[int(item.window)] = item
    if topic is None or topic.removed:
        raise NotFound(f"There is no topic with the id {topic_id!r}.")

    # 2. Record the viewer, learning when they were last seen and in which window.
    try:
        response = Viewer._get_connection().update_item(
            pk,
            _viewer_sk(kind, viewer_id),
            actions=[
                Viewer.kind.set(Viewer),
                Viewer.last_seen.set(now),
                Viewer.window.set(window),
                Viewer.expires_at.set(expires),
            ],
            return_values="ALL_OLD",
        )
    except UpdateError as error:
        raise Busy("The forum is busy; please try again.") from error
    old = response.get("Attributes", {})
    previous_seen = int(old["last_seen"]["N"]) if "last_seen" in old else None
    previous_window = int(old["window"]["N"]) if "window" in old else None

    members = _count(windows.get(window), "members")
    guests = _count(windows.get(window), "guests")
    # 3. First heartbeat of this viewer in this window: count them in it.
    if previous_window != window:
        field = PresenceWindow.members if kind == "member" else PresenceWindow.guests
        counter = PresenceWindow(pk, _window_sk(window))
        counter.update(
            actions=[
                # An update creates the item: name its kind, as a save would.
                PresenceWindow.kind.set(PresenceWindow),
                field.add(1),
                PresenceWindow.window.set(window),
                PresenceWindow.expires_at.set(expires),
            ]
        )
        members, guests = int(counter.members or 0), int(counter.guests or 0)

    # 4. A view is counted once per visit: the first heartbeat after a window's absence.
    if previous_seen is None or now - previous_seen >= window_seconds:
        _count_view(topic)

    every = heartbeat_seconds(window_seconds)
    if now - window * window_seconds < every:
        before = windows.get(window - 1)
        members = max(members, _count(before, "members"))
        guests = max(guests, _count(before, "guests"))
    return Presence(members=members, guests=guests, next_beat_seconds=every)


def _count(item: PresenceWindow | None, field: str) -> int:
    return int(getattr(item, field) or 0) if item is not None else 0


def _count_view(topic: Topic) -> None:
    try:
        topic.update(actions=[Topic.view_count.add(1)], condition=Topic.pk.exists())
    except UpdateError:
        # The topic vanished between the read and this write; nothing to count.
        return
