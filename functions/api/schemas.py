"""Request and response bodies of the JSON API (snake_case), as pydantic models.

They document themselves in /api/openapi.json. Requests refuse unknown fields.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from forum.ids import ID_SCHEMA_PATTERN


class Schema(BaseModel):
    # Validators and serializers are built when a model is first used rather than when the
    # module loads: a cold start pays only for the models of the route it serves.
    model_config = ConfigDict(defer_build=True)


class Request(Schema):
    model_config = ConfigDict(extra="forbid")


class PersonOut(Schema):
    id: str
    name: str


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


class BoardIn(Request):
    name: str = Field(max_length=1000, description="1-80 characters after trimming.")
    description: str = Field(default="", max_length=5000, description="At most 500 characters.")


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


class BoardPage(Schema):
    board: BoardOut
    topics: list[TopicSummary]
    next_cursor: str | None = Field(
        description="Pass as ?cursor= for the next page; null at the end."
    )


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


# --- attachments ------------------------------------------------------------------------------


class AttachmentOut(Schema):
    """An image attachment. The thumbnail opens the display image; both are set once ready."""

    id: str
    status: str = Field(
        description="pending until the images are made, then ready (or failed, with a reason)."
    )
    reason: str | None = Field(description="Why the upload could not be used, when failed.")
    filename: str
    width: int | None = Field(description="Of the display image.")
    height: int | None
    thumb_url: str | None = Field(description="The thumbnail: at most 320 px on a side.")
    display_url: str | None = Field(description="The display image: at most 1600 px on a side.")
    thumb_width: int | None
    thumb_height: int | None


AttachmentId = Annotated[str, Field(max_length=64)]
ATTACHMENT_IDS_DESCRIPTION = (
    "Ids of your uploads (POST /api/uploads) to show with the post, in this order: at most 10, "
    "each pending or ready and not attached to another post."
)


class UploadIn(Request):
    filename: str = Field(
        max_length=1000, description="The file's name, shown cleaned (at most 200 characters)."
    )
    content_type: str = Field(
        max_length=200,
        description="image/jpeg, image/png, image/webp, image/gif, image/heic or image/heif.",
    )
    size: int = Field(ge=0, le=2**53, description="In bytes: 1 up to the upload limit (10 MB).")
    purpose: Literal["post", "avatar"] = Field(
        default="post", description="avatar: the images are square crops, for PATCH /api/me."
    )


class AttachmentRef(Schema):
    id: str
    status: str


class PresignedPost(Schema):
    """Post a multipart/form-data form to url: every field, then the file as "file"."""

    url: str
    fields: dict[str, str]


class UploadOut(Schema):
    attachment: AttachmentRef
    upload: PresignedPost


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
    name: str = Field(description="The username.")
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


class TopicPage(Schema):
    topic: TopicHeader
    posts: list[PagePostOut]


class TopicIn(Request):
    title: str = Field(max_length=10_000, description="1-200 characters after trimming.")
    body: str = Field(description="Markdown, 1-50,000 characters.")
    attachment_ids: list[AttachmentId] = Field(
        default_factory=list, max_length=10, description=ATTACHMENT_IDS_DESCRIPTION
    )


class NeighbourOut(Schema):
    id: str
    title: str


class ReplyIn(Request):
    body: str = Field(description="Markdown, 1-50,000 characters.")
    attachment_ids: list[AttachmentId] = Field(
        default_factory=list, max_length=10, description=ATTACHMENT_IDS_DESCRIPTION
    )


class ReplyOut(Schema):
    post: PostOut
    page: int = Field(description="The topic page the new post is on.")
    page_count: int
    reply_count: int


class EditIn(Request):
    body: str = Field(description="Markdown, 1-50,000 characters.")
    version: int | None = Field(
        default=None, description="The version you edited; a different current version is 409."
    )
    attachment_ids: list[AttachmentId] | None = Field(
        default=None,
        max_length=10,
        description=ATTACHMENT_IDS_DESCRIPTION + " Leave out to keep the post's attachments.",
    )


class UnderWay(Schema):
    """202: the change is made but not finished everywhere; send the same request again."""

    detail: str


class TopicChangeIn(Request):
    """Moderators: any of these; the others stay as they are."""

    locked: StrictBool | None = None
    pinned: StrictBool | None = Field(default=None, description="Pinned topics head their board.")
    board_id: str | None = Field(
        default=None, pattern=ID_SCHEMA_PATTERN, description="Move the topic to this board."
    )
    title: str | None = Field(default=None, max_length=10_000, description="1-200 characters.")


class BoardChangeIn(Request):
    """Admins: any of these; the others stay as they are."""

    name: str | None = Field(default=None, max_length=1000, description="1-80 characters.")
    description: str | None = Field(default=None, max_length=5000, description="At most 500.")
    position: int | None = Field(
        default=None, description="Boards are listed by position, then name (0 to 10^12)."
    )


# --- accounts and members ---------------------------------------------------------------------


class SignUpIn(Request):
    username: str = Field(
        max_length=1000,
        description=(
            "3-20 characters: ASCII letters, digits, '_' and '-'; unique in any case and "
            "among look-alikes (l, I and 1; O and 0; rn and m; vv and w are one)."
        ),
    )
    email: str = Field(max_length=1000, description="Where the confirmation code is sent.")
    password: str = Field(max_length=1000, description="As the user pool's password policy asks.")


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
        default=None, max_length=1000, description="1-40 characters, no control characters."
    )
    about: str | None = Field(
        default=None,
        max_length=10_000,
        description="Markdown, at most 1,000 characters; empty clears it.",
    )
    avatar_attachment_id: str | None = Field(
        default=None,
        max_length=1000,
        description="An image attachment of yours; null removes the avatar.",
    )


class BanIn(Request):
    reason: str = Field(max_length=5000, description="1-500 characters, shown to the member.")
    until: datetime | None = Field(
        default=None, description="When the ban ends (ISO 8601; UTC if no zone); omit for ever."
    )


class ModeratedMember(Schema):
    """A member as moderators see them after a ban, an unban or a change of role."""

    member: MemberOut
    ban: BanOut | None


VIEWER_ID_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"


COUNTED_IN = Field(
    default=None,
    ge=0,
    le=10**12,
    description=(
        "The `window` of this page's previous answer, or 0 when it has none yet. A page counted"
        " in the current window already is not counted again, and its beat writes nothing; a"
        " guest's page that sends it is counted without a record of its own."
    ),
)


class HeartbeatIn(Request):
    viewer_id: str = Field(
        pattern=VIEWER_ID_PATTERN,
        description="A random id the guest's browser keeps (8-64 of A-Z a-z 0-9 _ -).",
    )
    counted_in: int | None = COUNTED_IN


class MemberHeartbeatIn(Request):
    counted_in: int | None = COUNTED_IN


class PresenceOut(Schema):
    members: int
    guests: int
    next_beat_seconds: int = Field(
        description="When to send the next heartbeat: half a presence window (150 s by default)."
    )
    window: int = Field(
        description="The presence window the viewer is counted in: send it back as `counted_in`."
    )


class FieldProblem(Schema):
    field: str
    message: str


class Problem(Schema):
    """An RFC 9457 problem document (application/problem+json)."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] | None = None
