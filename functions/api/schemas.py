"""Request and response bodies of the JSON API (snake_case), as pydantic models.

They document themselves in /api/openapi.json. Requests refuse unknown fields.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PersonOut(BaseModel):
    id: str
    name: str


class BoardLastPost(BaseModel):
    topic_id: str
    topic_title: str
    number: int
    author: PersonOut
    created_at: str


class BoardOut(BaseModel):
    id: str
    name: str
    description: str
    topic_count: int
    post_count: int
    last_post: BoardLastPost | None


class BoardList(BaseModel):
    boards: list[BoardOut]


class BoardIn(Request):
    name: str = Field(max_length=1000, description="1-80 characters after trimming.")
    description: str = Field(default="", max_length=5000, description="At most 500 characters.")


class TopicLastPost(BaseModel):
    number: int
    author: PersonOut
    created_at: str


class TopicSummary(BaseModel):
    id: str
    title: str
    started_by: PersonOut
    started_at: str
    reply_count: int
    view_count: int
    pinned: bool
    locked: bool
    last_post: TopicLastPost


class BoardPage(BaseModel):
    board: BoardOut
    topics: list[TopicSummary]
    next_cursor: str | None = Field(
        description="Pass as ?cursor= for the next page; null at the end."
    )


class BoardRef(BaseModel):
    id: str
    name: str


class TopicHeader(BaseModel):
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


class PostOut(BaseModel):
    number: int
    author: PersonOut
    created_at: str
    edited_at: str | None
    edited_by: PersonOut | None
    removed: bool
    body: str = Field(description="The Markdown source; empty when the post was removed.")
    body_html: str = Field(description="Sanitized HTML rendered from body.")
    version: int = Field(description="Send back with an edit to detect concurrent edits.")


class TopicPage(BaseModel):
    topic: TopicHeader
    posts: list[PostOut]


class TopicIn(Request):
    title: str = Field(max_length=10_000, description="1-200 characters after trimming.")
    body: str = Field(description="Markdown, 1-50,000 characters.")


class NeighbourOut(BaseModel):
    id: str
    title: str


class ReplyIn(Request):
    body: str = Field(description="Markdown, 1-50,000 characters.")


class ReplyOut(BaseModel):
    post: PostOut
    page: int = Field(description="The topic page the new post is on.")
    page_count: int
    reply_count: int


class EditIn(Request):
    body: str = Field(description="Markdown, 1-50,000 characters.")
    version: int | None = Field(
        default=None, description="The version you edited; a different current version is 409."
    )


class RemovalUnderWay(BaseModel):
    """202: a long topic's posts are still being removed; repeat the request to finish."""

    detail: str


VIEWER_ID_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"


class HeartbeatIn(Request):
    viewer_id: str = Field(
        pattern=VIEWER_ID_PATTERN,
        description="A random id the guest's browser keeps (8-64 of A-Z a-z 0-9 _ -).",
    )


class MemberHeartbeatIn(Request):
    pass


class PresenceOut(BaseModel):
    members: int
    guests: int


class FieldProblem(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem document (application/problem+json)."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] | None = None
