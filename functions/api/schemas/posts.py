"""Posts: as shown, with their author's card, and replying and editing."""

from __future__ import annotations

from pydantic import Field

from .attachments import ATTACHMENT_IDS_DESCRIPTION, AttachmentId, AttachmentOut
from .common import Integer, PersonOut, Request, Schema, post_body


class PostOut(Schema):
    number: int
    author: PersonOut
    created_at: str
    edited_at: str | None
    edited_by: PersonOut | None
    removed: bool
    body: str = Field(description="The Markdown source; empty when the post was removed.")
    body_html: str = Field(description="Sanitized HTML rendered from body.")
    version: int = Field(description="Send back with an edit to detect concurrent edits.")
    attachments: list[AttachmentOut] = Field(
        default_factory=list, description="Its image attachments; none once removed."
    )


class AuthorCard(Schema):
    """What a topic page shows beside each post about its author (from their profile)."""

    id: str
    name: str = Field(description='The username; "deleted member" for a deleted account.')
    display_name: str
    avatar_url: str | None = Field(description="The avatar's thumbnail; null without one.")
    post_count: int
    role: str = Field(description="member, moderator or admin.")


class PagePostOut(PostOut):
    author_card: AuthorCard | None = Field(
        default=None,
        description=(
            "The author's card. Filled on topic pages (GET /api/topics/{topic_id}); null in the "
            "answer to starting a topic, and for an author without a profile."
        ),
    )


class ReplyIn(Request):
    body: str = post_body()
    attachment_ids: list[AttachmentId] = Field(
        default_factory=list, max_length=10, description=ATTACHMENT_IDS_DESCRIPTION
    )


class ReplyOut(Schema):
    post: PostOut
    page: int = Field(description="The topic page the new post is on.")
    page_count: int
    reply_count: int


class EditIn(Request):
    body: str = post_body()
    version: Integer | None = Field(
        default=None, description="The version you edited; a different current version is 409."
    )
    attachment_ids: list[AttachmentId] | None = Field(
        default=None,
        max_length=10,
        description=ATTACHMENT_IDS_DESCRIPTION + " Leave out to keep the post's attachments.",
    )
