"""Watching and notifications: a member's watches, their Watched list, their notifications."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, StrictBool

from .common import PersonOut, Request, Schema


class WatchIn(Request):
    level: Literal["watching", "muted"] = Field(
        default="watching",
        description="'watching': tell me of new replies; 'muted': tell me nothing of it.",
    )


class WatchOut(Schema):
    """The member's watch of a topic or board; level null when there is none."""

    level: Literal["watching", "muted"] | None


class WatchedOut(Schema):
    what: Literal["topic", "board"]
    id: str
    title: str
    level: Literal["watching", "muted"]
    since: str
    url: str


class WatchedPage(Schema):
    auto_watch: bool = Field(description="Whether you watch the topics you start or reply to.")
    watched: list[WatchedOut]
    next_cursor: str | None


class AutoWatchIn(Request):
    enabled: StrictBool = Field(description="Watch the topics you start or reply to.")


class AutoWatchOut(Schema):
    auto_watch: bool


class NotificationOut(Schema):
    id: str
    kind: Literal["reply", "topic", "mention", "quote", "removed", "moved", "locked"]
    text: str = Field(description="What happened, in words.")
    topic_id: str
    topic_title: str
    number: int = Field(description="The post it is about (the first of collapsed replies).")
    count: int = Field(description="How many replies a collapsed entry stands for.")
    actor: PersonOut
    board_name: str | None
    reason: str | None = Field(description="The moderator's reason, for their actions.")
    read: bool
    created_at: str
    updated_at: str
    url: str = Field(description="The post on its page.")


class NotificationPage(Schema):
    notifications: list[NotificationOut]
    next_cursor: str | None


class UnreadCount(Schema):
    unread: int = Field(description="Unread among your newest 100 notifications.")


class MarkedRead(Schema):
    marked: int
