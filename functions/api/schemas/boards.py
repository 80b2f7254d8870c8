"""Boards: the index, a board's page of topics, creating and changing boards."""

from __future__ import annotations

from pydantic import Field

from .common import PersonOut, Request, Schema
from .topics import TopicSummary


class BoardLastPost(Schema):
    topic_id: str
    topic_title: str
    number: int
    author: PersonOut
    created_at: str


class BoardOut(Schema):
    id: str
    name: str
    description: str
    topic_count: int
    post_count: int
    last_post: BoardLastPost | None


class BoardList(Schema):
    boards: list[BoardOut]


class BoardPage(Schema):
    board: BoardOut
    topics: list[TopicSummary]
    next_cursor: str | None = Field(
        description="Pass as ?cursor= for the next page; null at the end."
    )


class BoardIn(Request):
    name: str = Field(max_length=1000, description="1-80 characters after trimming.")
    description: str = Field(default="", max_length=5000, description="At most 500 characters.")


class BoardChangeIn(Request):
    """Admins: any of these; the others stay as they are."""

    name: str | None = Field(default=None, max_length=1000, description="1-80 characters.")
    description: str | None = Field(default=None, max_length=5000, description="At most 500.")
    position: int | None = Field(
        default=None, description="Boards are listed by position, then name (0 to 10^12)."
    )
