"""Accounts and members: signing up, profiles, a member's posts, bans and roles."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from forum.accounts import EMAIL_MAX, PASSWORD_MAX
from forum.moderation import REASON_MAX
from forum.password_resets import NAME_MAX, NAME_PATTERN
from forum.profiles import ABOUT_MAX, DISPLAY_NAME_MAX
from forum.usernames import SCHEMA_PATTERN as USERNAME_PATTERN

from .common import TEXT_PATTERN, PersonOut, Request, Schema, line

# forum.accounts' loose check, with the control characters Python counts as white space too.
_NOT_IN_EMAIL = r"[^@\s\x00-\x20\x7f-\x9f]+"
EMAIL_PATTERN = f"^{_NOT_IN_EMAIL}@{_NOT_IN_EMAIL}\\.{_NOT_IN_EMAIL}$"


class SignUpIn(Request):
    username: str = Field(
        max_length=1000,
        description=(
            "3-20 characters: ASCII letters, digits, '_' and '-'; unique in any case and "
            "among look-alikes (l, I and 1; O and 0; rn and m; vv and w are one)."
        ),
        json_schema_extra={"pattern": USERNAME_PATTERN},
    )
    email: str = Field(
        max_length=1000,
        description="Where the confirmation code is sent.",
        json_schema_extra={"maxLength": EMAIL_MAX, "pattern": EMAIL_PATTERN},
    )
    password: str = Field(
        max_length=1000,
        description=(
            "As the user pool's password policy asks: at least 10 characters, with a lowercase "
            "and an uppercase letter and a digit."
        ),
        json_schema_extra={
            "minLength": 10,
            "maxLength": PASSWORD_MAX,
            "pattern": "^(?=.*[a-z])(?=.*[A-Z])(?=.*[0-9])",
        },
    )


class CodeDelivery(Schema):
    destination: str | None = Field(description="The masked address the code went to.")
    medium: str | None = Field(description="EMAIL (or SMS).")


class SignUpOut(Schema):
    username: str
    user_id: str
    confirmed: bool = Field(description="False until the code is confirmed with Cognito.")
    confirmation: CodeDelivery | None


class MemberOut(Schema):
    """A member's public profile."""

    username: str
    display_name: str
    avatar_url: str | None = Field(description="The avatar's thumbnail; null without one.")
    about: str = Field(description="Markdown source.")
    about_html: str = Field(description="Sanitized HTML rendered from about.")
    joined_at: str
    post_count: int
    topic_count: int
    role: str = Field(description="member, moderator or admin.")


class TopicRef(Schema):
    id: str
    title: str


class MemberPostOut(Schema):
    topic: TopicRef
    number: int
    page: int = Field(description="The topic page the post is on.")
    created_at: str
    edited_at: str | None
    body_html: str


class MemberPage(Schema):
    member: MemberOut
    posts: list[MemberPostOut] = Field(description="Their latest posts, newest first.")
    next_cursor: str | None = Field(
        description="Pass as ?cursor= for older posts; null at the end."
    )


class BanOut(Schema):
    banned_until: str = Field(description='An ISO date, or "forever".')
    reason: str
    banned_by: PersonOut | None
    banned_at: str | None


class MeOut(MemberOut):
    """The signed-in member's own profile, with what only they (and moderators) see."""

    id: str
    avatar_attachment_id: str | None
    ban: BanOut | None = Field(description="Set while the member is banned from writing.")


class MeIn(Request):
    """Any of these; the others stay as they are."""

    display_name: str | None = Field(
        default=None,
        max_length=1000,
        description="1-40 characters, no control characters.",
        json_schema_extra=line(DISPLAY_NAME_MAX),
    )
    about: str | None = Field(
        default=None,
        max_length=10_000,
        description="Markdown, at most 1,000 characters; empty clears it.",
        json_schema_extra={"maxLength": ABOUT_MAX, "pattern": f"^\\s*$|{TEXT_PATTERN}"},
    )
    avatar_attachment_id: str | None = Field(
        default=None,
        max_length=1000,
        description="An image attachment of yours; null removes the avatar.",
    )


class BanIn(Request):
    reason: str = Field(
        max_length=5000,
        description="1-500 characters, shown to the member.",
        json_schema_extra=line(REASON_MAX),
    )
    until: datetime | None = Field(
        default=None, description="When the ban ends (ISO 8601; UTC if no zone); omit for ever."
    )


class ModeratedMember(Schema):
    """A member as moderators see them after a ban, an unban or a change of role."""

    member: MemberOut
    ban: BanOut | None


class PasswordResetIn(Request):
    name: str = Field(
        max_length=1000,
        description="The username, or the account's verified email address.",
        json_schema_extra={"minLength": 1, "maxLength": NAME_MAX, "pattern": NAME_PATTERN},
    )


class PasswordResetOut(Schema):
    detail: str = Field(
        description="The same words for every name, whether an account has it or not."
    )
