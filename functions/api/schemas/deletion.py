"""Deleting an account: one's own, or another member's (moderators)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from forum.deletion import REASON_MAX

from .common import Request, Schema, line

PostsChoice = Literal["keep", "remove"]

_POSTS = (
    'What becomes of the posts: "keep" (the default) leaves them, by "deleted member"; '
    '"remove" removes every one, as a moderator would (removing a topic\'s first post removes '
    "the topic)."
)


class OwnDeletionIn(Request):
    """Sent with a token from a sign-in with the password in the last five minutes."""

    posts: PostsChoice = Field(default="keep", description=_POSTS)


class DeletionIn(Request):
    reason: str = Field(
        max_length=5000,
        description="1-500 characters, kept on the profile.",
        json_schema_extra=line(REASON_MAX),
    )
    posts: PostsChoice = Field(default="keep", description=_POSTS)


class DeletionOut(Schema):
    """How far the deletion got: 200 when it is finished, 202 while work remains (send the
    same request again)."""

    status: Literal["deleted", "deleting"]
    step: str = Field(
        description="The step it is at: account, posts, removed posts, boards, name or done."
    )
    posts: PostsChoice
    posts_done: int = Field(description="The member's posts dealt with so far.")
    detail: str
