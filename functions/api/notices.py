"""Watching topics and boards, the Watched list, and a member's notifications (all signed in)."""

from __future__ import annotations

from typing import Annotated, Any, cast

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path

from forum import notifications, paging, watching
from forum.notice_items import Notification, WatchedEntry

from .auth import require_member
from .params import BoardId, Cursor, TopicId
from .responses import answers, empty, ok
from .schemas.notices import (
    AutoWatchIn,
    AutoWatchOut,
    MarkedRead,
    NotificationOut,
    NotificationPage,
    UnreadCount,
    WatchedOut,
    WatchedPage,
    WatchIn,
    WatchOut,
)
from .schemas.unread import NotificationsOverlay
from .shaping import person_out

router = Router()

NotificationId = Annotated[
    str, Path(min_length=1, max_length=200, description="The notification's id.")
]


def watch_out(level: str | None) -> WatchOut:
    return WatchOut(level=cast(Any, level))


def watched_out(entry: WatchedEntry) -> WatchedOut:
    what = str(entry.what)
    url = f"/t/{entry.thing_id}" if what == watching.TOPIC else f"/b/{entry.thing_id}"
    return WatchedOut(
        what=cast(Any, what),
        id=entry.thing_id,
        title=entry.title,
        level=cast(Any, entry.level),
        since=entry.since,
        url=url,
    )


def notification_url(entry: Notification) -> str:
    number = int(entry.number)
    page = paging.page_of(number)
    return f"/t/{entry.topic_id}" + (f"?page={page}" if page > 1 else "") + f"#msg{number}"


def notification_out(entry: Notification) -> NotificationOut:
    return NotificationOut(
        id=entry.notification_id,
        kind=cast(Any, entry.what),
        text=notifications.describe(entry),
        topic_id=entry.topic_id,
        topic_title=entry.topic_title,
        number=int(entry.number),
        count=int(entry.replies or 1),
        actor=person_out(entry.actor),
        board_name=entry.board_name,
        reason=entry.reason,
        read=bool(entry.read),
        created_at=entry.created_at,
        updated_at=entry.updated_at,
        url=notification_url(entry),
    )


# --- watching -------------------------------------------------------------------------------


@router.get(
    "/api/topics/<topic_id>/watch",
    summary="Whether you watch or muted this topic",
    responses=answers(ok(), problems=(401, 404)),
)
def topic_watch(topic_id: TopicId) -> WatchOut:
    member = require_member(router.current_event)
    return watch_out(watching.level_of(member.user_id, watching.TOPIC, topic_id))


@router.put(
    "/api/topics/<topic_id>/watch",
    summary="Watch or mute a topic",
    responses=answers(ok(), problems=(401, 404)),
)
def watch_topic(topic_id: TopicId, body: WatchIn) -> WatchOut:
    member = require_member(router.current_event)
    return watch_out(watching.watch_topic(member, topic_id, body.level).level)


@router.delete(
    "/api/topics/<topic_id>/watch",
    summary="Stop watching (or muting) a topic",
    responses=answers(empty("Not watched any more."), problems=(401, 404)),
)
def stop_watching_topic(topic_id: TopicId) -> Response[None]:
    member = require_member(router.current_event)
    watching.stop_watching_topic(member, topic_id)
    return Response(status_code=204)


@router.get(
    "/api/boards/<board_id>/watch",
    summary="Whether you watch this board",
    responses=answers(ok(), problems=(401, 404)),
)
def board_watch(board_id: BoardId) -> WatchOut:
    member = require_member(router.current_event)
    return watch_out(watching.level_of(member.user_id, watching.BOARD, board_id))


@router.put(
    "/api/boards/<board_id>/watch",
    summary="Watch a board: be told of its new topics",
    responses=answers(ok(), problems=(401, 404)),
)
def watch_board(board_id: BoardId) -> WatchOut:
    member = require_member(router.current_event)
    return watch_out(watching.watch_board(member, board_id).level)


@router.delete(
    "/api/boards/<board_id>/watch",
    summary="Stop watching a board",
    responses=answers(empty("Not watched any more."), problems=(401, 404)),
)
def stop_watching_board(board_id: BoardId) -> Response[None]:
    member = require_member(router.current_event)
    watching.stop_watching_board(member, board_id)
    return Response(status_code=204)


@router.get(
    "/api/me/watched",
    summary="What you watch or muted, topics and boards",
    responses=answers(ok(), problems=(400, 401)),
)
def watched(cursor: Cursor = None) -> WatchedPage:
    member = require_member(router.current_event)
    found = watching.watched(member, cursor or None)
    return WatchedPage(
        auto_watch=found.auto_watch,
        watched=[watched_out(entry) for entry in found.entries],
        next_cursor=found.next_cursor,
    )


@router.put(
    "/api/me/auto-watch",
    summary="Whether you watch the topics you start or reply to",
    responses=answers(ok(), problems=(401,)),
)
def auto_watch(body: AutoWatchIn) -> AutoWatchOut:
    member = require_member(router.current_event)
    return AutoWatchOut(auto_watch=watching.set_auto_watch(member, body.enabled))


# --- notifications --------------------------------------------------------------------------


@router.get(
    "/api/me/notifications",
    summary="Your notifications, newest first",
    responses=answers(ok(), problems=(400, 401)),
)
def my_notifications(cursor: Cursor = None) -> NotificationPage:
    member = require_member(router.current_event)
    found = notifications.page(member, cursor or None)
    return NotificationPage(
        notifications=[notification_out(entry) for entry in found.entries],
        next_cursor=found.next_cursor,
    )


@router.get(
    "/api/me/notifications/unread",
    summary="How many of your notifications are unread",
    responses=answers(ok(), problems=(401,)),
)
def unread() -> UnreadCount:
    member = require_member(router.current_event)
    return UnreadCount(unread=notifications.unread_count(member.user_id))


@router.post(
    "/api/me/notifications/read",
    summary="Mark all your notifications read",
    responses=answers(ok(), problems=(401,)),
)
def mark_all_read() -> MarkedRead:
    member = require_member(router.current_event)
    return MarkedRead(marked=notifications.mark_all_read(member))


@router.post(
    "/api/me/notifications/<notification_id>/read",
    summary="Mark one of your notifications read",
    responses=answers(empty("Marked read."), problems=(401, 404)),
)
def mark_read(notification_id: NotificationId) -> Response[None]:
    member = require_member(router.current_event)
    notifications.mark_read(member, notification_id)
    return Response(status_code=204)


class NotificationsSection:
    """The overlay's notifications count (api.overlay): with ``count=true`` only, one Query."""

    name = "notifications"

    def keys(self, scene: Any) -> list[Any]:
        return []

    def answer(self, scene: Any, found: dict[Any, Any]) -> NotificationsOverlay | None:
        if not scene.options.get("count"):
            return None
        return NotificationsOverlay(unread=notifications.unread_count(scene.member.user_id))
