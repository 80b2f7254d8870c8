"""What a member has read: the overlay's unread section, the Unread lists, the marks."""

from __future__ import annotations

from pydantic import Field

from forum.ids import ID_SCHEMA_PATTERN

from .common import Request, Schema


class TopicReadOut(Schema):
    topic_id: str
    unread: bool = Field(description="The topic has posts the member has not read.")
    read: int = Field(description="The member's read position: the highest post number seen.")
    first_unread: int | None = Field(
        description=(
            "The first post the member has not read, when known without reading the topic;"
            " null when unread and not known: /t/{id}/new leads to the last page."
        )
    )
    first_unread_page: int | None = Field(description="The page that shows first_unread.")


class UnreadOverlay(Schema):
    """The unread section of a page's overlay; what the page asked for is filled in."""

    boards: list[str] | None = Field(
        default=None, description="On the board index: the boards whose newest post is unread."
    )
    topics: list[TopicReadOut] | None = Field(
        default=None, description="On a board page: each topic of the page."
    )
    topic: TopicReadOut | None = Field(default=None, description="On a topic page: the topic.")
    mark: str | None = Field(
        default=None,
        description=(
            "On a topic page: posts older than this (ISO time) count as read, by the member's"
            " mark all read or mark board read; null for none."
        ),
    )
    count: int | None = Field(
        default=None,
        description="With count=true: unread topics on the first page of the Unread list.",
    )
    more: bool | None = Field(default=None, description="With count=true: the list has more.")


class NotificationsOverlay(Schema):
    """How many of the member's newest notifications are unread (forum.notifications)."""

    unread: int


class OverlayOut(Schema):
    """Everything personal a page shows, from one call: one section per feature. A section
    that does not concern the page is null; later features add sections beside these."""

    unread: UnreadOverlay | None = None
    # With count=true only, as the Unread count: the header's number, once a minute.
    notifications: NotificationsOverlay | None = None


class ListedTopicOut(Schema):
    topic_id: str
    title: str
    board_id: str
    board_name: str
    last_number: int
    last_activity: str
    last_post_author: str
    reply_count: int
    read: TopicReadOut


class UnreadListOut(Schema):
    topics: list[ListedTopicOut]
    next_cursor: str | None = Field(description="Give it as cursor for the next page.")


class MarkReadIn(Request):
    board_id: str | None = Field(
        default=None,
        pattern=ID_SCHEMA_PATTERN,
        description="Mark only this board read; without it, everything is marked read.",
    )


class MarkReadOut(Schema):
    marked_at: str = Field(description="Posts until this time (ISO) now count as read.")
    board_id: str | None = None
