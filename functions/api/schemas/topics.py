"""Topics: a topic's header and page, its summary in a board, starting and changing one."""

from __future__ import annotations

from pydantic import ConfigDict, Field, StrictBool

from forum.content import TITLE_MAX
from forum.ids import ID_SCHEMA_PATTERN

from .attachments import ATTACHMENT_IDS_DESCRIPTION, AttachmentId
from .common import PersonOut, Request, Schema, at_least_one, line, post_body
from .posts import PagePostOut


class TopicLastPost(Schema):
    number: int
    author: PersonOut
    created_at: str


class TopicSummary(Schema):
    id: str
    title: str
    started_by: PersonOut
    started_at: str
    reply_count: int
    view_count: int
    pinned: bool
    locked: bool
    last_post: TopicLastPost


class BoardRef(Schema):
    id: str
    name: str


class TopicHeader(Schema):
    id: str
    title: str
    board: BoardRef
    started_by: PersonOut
    started_at: str
    reply_count: int
    view_count: int
    pinned: bool
    locked: bool
    page: int
    page_count: int
    per_page: int


class TopicPage(Schema):
    topic: TopicHeader
    posts: list[PagePostOut]


class TopicIn(Request):
    title: str = Field(
        max_length=10_000,
        description="1-200 characters after trimming.",
        json_schema_extra=line(TITLE_MAX),
    )
    body: str = post_body()
    attachment_ids: list[AttachmentId] = Field(
        default_factory=list, max_length=10, description=ATTACHMENT_IDS_DESCRIPTION
    )


class NeighbourOut(Schema):
    id: str
    title: str


class TopicChangeIn(Request):
    """Moderators: any of these; the others stay as they are."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra=at_least_one("locked", "pinned", "board_id", "title")
    )

    locked: StrictBool | None = None
    pinned: StrictBool | None = Field(default=None, description="Pinned topics head their board.")
    board_id: str | None = Field(
        default=None, pattern=ID_SCHEMA_PATTERN, description="Move the topic to this board."
    )
    title: str | None = Field(
        default=None,
        max_length=10_000,
        description="1-200 characters.",
        json_schema_extra=line(TITLE_MAX),
    )
    reason: str | None = Field(
        default=None,
        max_length=10_000,
        description="Why (1-500 characters); the starter is told it when the topic is locked "
        "or moved.",
        json_schema_extra=line(500),
    )
