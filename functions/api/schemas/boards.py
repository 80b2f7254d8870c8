"""Boards: the index, a board's page of topics, creating and changing boards."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

from forum.boards import POSITION_MAX
from forum.content import DESCRIPTION_MAX, NAME_MAX

from .common import LINE_PATTERN, Integer, PersonOut, Request, Schema, at_least_one, line
from .topics import TopicSummary

# Empty, or a line of at most 500 characters.
DESCRIPTION: dict[str, Any] = {"maxLength": DESCRIPTION_MAX, "pattern": f"^$|{LINE_PATTERN}"}


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
    name: str = Field(
        max_length=1000,
        description="1-80 characters after trimming.",
        json_schema_extra=line(NAME_MAX),
    )
    description: str = Field(
        default="",
        max_length=5000,
        description="At most 500 characters.",
        json_schema_extra=DESCRIPTION,
    )


class BoardChangeIn(Request):
    """Admins: any of these; the others stay as they are."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra=at_least_one("name", "description", "position")
    )

    name: str | None = Field(
        default=None,
        max_length=1000,
        description="1-80 characters.",
        json_schema_extra=line(NAME_MAX),
    )
    description: str | None = Field(
        default=None, max_length=5000, description="At most 500.", json_schema_extra=DESCRIPTION
    )
    position: Integer | None = Field(
        default=None,
        description="Boards are listed by position, then name (0 to 10^12).",
        json_schema_extra={"minimum": 0, "maximum": POSITION_MAX},
    )
