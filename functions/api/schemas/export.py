"""A member's own data, page by page (GET /api/me/export)."""

from __future__ import annotations

from pydantic import Field

from .common import Schema
from .members import MeOut


class ExportTopic(Schema):
    id: str
    title: str


class ExportPostOut(Schema):
    """A post the member wrote, removed or not."""

    topic: ExportTopic
    number: int = Field(description="The post's number in its topic.")
    body: str = Field(description="The Markdown they wrote (kept for a removed post too).")
    created_at: str
    edited_at: str | None
    edited_by: str | None = Field(description="Who last edited it (a username); null if never.")
    removed: bool


class ExportUploadOut(Schema):
    """An image of theirs the forum serves: the derived images, never the original."""

    id: str
    filename: str
    status: str = Field(description="pending, ready or failed.")
    used_by: str = Field(
        description='"avatar", or the post it is shown with: "{topic_id}/{number}".'
    )
    thumb_url: str | None = Field(description="Set once ready.")
    display_url: str | None = Field(description="Set once ready.")


class ExportPage(Schema):
    """One page of the document; fetch ?cursor=next_cursor until next_cursor is null."""

    member: MeOut = Field(description="The member's profile, on every page.")
    posts: list[ExportPostOut] = Field(description="Their posts, oldest first, at most 500.")
    uploads: list[ExportUploadOut] = Field(
        description="The images of this page's posts; the avatar on the first page."
    )
    next_cursor: str | None = Field(
        description="Pass as ?cursor= for the next page; null after the last."
    )
