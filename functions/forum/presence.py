"""Who is viewing a topic, and how often it was viewed, from the pages' heartbeats.

Counting distinct viewers exactly over a sliding window would mean reading one item per viewer.
Instead time is cut into fixed windows (5 minutes by default): each viewer is counted once per
window in a small counter item, and the answer is the current window's count, or during the
first heartbeat interval of a window (half a window), when not everyone has checked in yet, the
larger of the current and the previous window. A heartbeat therefore costs the same four small
requests whether one person or ten thousand are reading.

Each answer names its window, and the page sends it back with its next beat (``counted_in``).
A beat from a page already counted in the current window then writes nothing at all. Any other
beat is recorded per viewer, so that what it adds is bounded: a member by their account, a
guest by their address (``guest_id``: the viewer's IP address as CloudFront saw it, an IPv6
address by its /64 network, hashed, never stored as it is). A guest's own id and what its page
says are the browser's inventions: a script sending ``counted_in: 0`` with a new id every time
would add a guest and a view each, as many as it liked. So one address is at most one guest
and one visit per topic and window, however many pages or tabs it has open there (guests behind
one NAT are counted once); a viewer makes a new view when counted in neither this window nor
the previous one.

Each answer also names the topic's newest post number (``last_number``), read by the same
Query: a page on the topic's last page learns of new replies from it (live replies). The topic
page itself prints the viewers line from the counters of ``current_window_keys``, read in its
own BatchGetItem (``viewing`` applies the heartbeat's rule to them).
"""

from __future__ import annotations

import hashlib
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
    # The window this answer counted the viewer in (the page sends it back as counted_in).
    window: int
    # The topic's newest post number, from the same Query: a page on the topic's last page
    # learns of new replies from it (live replies), at no extra request.
    last_number: int = 0


def guest_id(network: str) -> str:
    """The id a guest is counted by: their network (forum.addresses), hashed, so that the
    table keeps no reader's address; the items expire with their window."""
    return "a-" + hashlib.sha256(network.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _viewer_sk(kind: ViewerKind, viewer_id: str) -> str:
    # Members and guests live in separate key spaces, so a guest cannot pose as a member.
    return f"{schema.VIEWER_SK_PREFIX}{kind[0]}#{viewer_id}"


def _window_sk(window: int) -> str:
    return f"{schema.PRESENCE_SK_PREFIX}{window:012d}"


def heartbeat(
    topic_id: str, kind: ViewerKind, viewer_id: str, counted_in: int | None = None
) -> Presence:
    """Count the viewer in the current window (once) and answer who is viewing.

    ``counted_in`` is the window the page's previous answer named (0 before its first answer),
    or None from a page that does not say. A guest's ``viewer_id`` is their ``guest_id``.
    """
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

    members = _count(windows.get(window), "members")
    guests = _count(windows.get(window), "guests")
    # 2. Whether the viewer is new to this window, and to the topic: from what the page says,
    #    or from the viewer's own item, which learns when they were last seen.
    if counted_in == window:
        # This page was counted in this window already: nothing to write.
        first_in_window = new_visit = False
    else:
        first_in_window, new_visit = _record_viewer(pk, kind, viewer_id, now, window, expires)

    # 3. First heartbeat of this viewer in this window: count them in it.
    if first_in_window:
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

    # 4. A view is counted once per visit.
    if new_visit:
        _count_view(topic)

    every = heartbeat_seconds(window_seconds)
    if now - window * window_seconds < every:
        before = windows.get(window - 1)
        members = max(members, _count(before, "members"))
        guests = max(guests, _count(before, "guests"))
    return Presence(
        members=members,
        guests=guests,
        next_beat_seconds=every,
        window=window,
        last_number=int(topic.last_number),
    )


def current_window_keys(topic_id: str) -> list[tuple[str, str]]:
    """The keys of the presence counters a topic page reads with its header (the current and
    the previous window), so that it can print the viewers line with no request of its own."""
    window = clock.epoch_seconds() // get_settings().presence_window_seconds
    pk = schema.topic_pk(topic_id)
    return [(pk, _window_sk(window)), (pk, _window_sk(window - 1))]


def viewing(windows: list[PresenceWindow]) -> tuple[int, int]:
    """Members and guests viewing, from the counters ``current_window_keys`` named, by the rule
    the heartbeat answers with (the previous window counts during the current one's first half)."""
    window_seconds = get_settings().presence_window_seconds
    now = clock.epoch_seconds()
    window = now // window_seconds
    by_window = {int(item.window): item for item in windows}
    members = _count(by_window.get(window), "members")
    guests = _count(by_window.get(window), "guests")
    if now - window * window_seconds < heartbeat_seconds(window_seconds):
        before = by_window.get(window - 1)
        members = max(members, _count(before, "members"))
        guests = max(guests, _count(before, "guests"))
    return members, guests


def _record_viewer(
    pk: str, kind: ViewerKind, viewer_id: str, now: int, window: int, expires: datetime
) -> tuple[bool, bool]:
    """Record the viewer; whether this is their first beat in the window, and whether it starts
    a visit: they were counted in neither this window nor the previous one, the rule pages
    that say where they were counted follow too (a page beats twice a window, so a reader who
    stays is counted in every window; their beats in a window already counted write nothing,
    so the time last seen cannot tell)."""
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
        raise Busy() from error
    old = response.get("Attributes", {})
    previous_window = int(old["window"]["N"]) if "window" in old else None
    new_visit = previous_window is None or previous_window < window - 1
    return previous_window != window, new_visit


def _count(item: PresenceWindow | None, field: str) -> int:
    return int(getattr(item, field) or 0) if item is not None else 0


def _count_view(topic: Topic) -> None:
    try:
        topic.update(actions=[Topic.view_count.add(1)], condition=Topic.pk.exists())
    except UpdateError:
        # The topic vanished between the read and this write; nothing to count.
        return
