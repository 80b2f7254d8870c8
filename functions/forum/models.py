"""PynamoDB models of the one table (see schema.py for the key layout).

All item kinds share one base model with a ``kind`` discriminator, so a single Query over the
board index can return the board and its topics as the right classes. Which table they reach
(its name, region and endpoint) is set by ``configure(settings)`` at a function's cold start,
not when this module is imported.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

from pynamodb.attributes import (
    Attribute,
    BooleanAttribute,
    DiscriminatorAttribute,
    JSONAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.constants import BINARY
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from . import schema
from .settings import Settings


class BoardTopicsIndex(GlobalSecondaryIndex["ForumItem"]):
    class Meta:
        index_name = schema.BOARD_TOPICS_INDEX
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class UserPostsIndex(GlobalSecondaryIndex["ForumItem"]):
    class Meta:
        index_name = schema.USER_POSTS_INDEX
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class RecentTopicsIndex(GlobalSecondaryIndex["ForumItem"]):
    class Meta:
        index_name = schema.RECENT_TOPICS_INDEX
        projection = AllProjection()

    gsi3pk = UnicodeAttribute(hash_key=True)
    last_activity = UnicodeAttribute(range_key=True, attr_name=schema.RECENT_TOPICS_SK)


class ForumItem(Model):
    class Meta:
        # The table, its region and endpoint: set by configure(), from the settings.
        table_name: str | None = None
        region: str | None = None
        host: str | None = None

    pk = UnicodeAttribute(hash_key=True, attr_name=schema.PARTITION_KEY)
    sk = UnicodeAttribute(range_key=True, attr_name=schema.SORT_KEY)
    kind = DiscriminatorAttribute()

    gsi1pk = UnicodeAttribute(null=True, attr_name=schema.BOARD_TOPICS_PK)
    gsi1sk = UnicodeAttribute(null=True, attr_name=schema.BOARD_TOPICS_SK)
    gsi2pk = UnicodeAttribute(null=True, attr_name=schema.USER_POSTS_PK)
    gsi2sk = UnicodeAttribute(null=True, attr_name=schema.USER_POSTS_SK)
    gsi3pk = UnicodeAttribute(null=True, attr_name=schema.RECENT_TOPICS_PK)

    board_topics = BoardTopicsIndex()
    user_posts = UserPostsIndex()
    recent_topics = RecentTopicsIndex()


class Person(MapAttribute[str, Any]):
    """Who wrote something, as shown beside it: the user's id (Cognito sub) and name."""

    id = UnicodeAttribute()
    name = UnicodeAttribute()


class LastPost(MapAttribute[str, Any]):
    topic_id = UnicodeAttribute()
    topic_title = UnicodeAttribute()
    number = NumberAttribute()
    author = Person()
    created_at = UnicodeAttribute()


class Board(ForumItem, discriminator="board"):
    board_id = UnicodeAttribute()
    name = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    position = NumberAttribute(default=0)
    topic_count = NumberAttribute(default=0)
    post_count = NumberAttribute(default=0)
    last_post = LastPost(null=True)
    created_at = UnicodeAttribute()


class Topic(ForumItem, discriminator="topic"):
    topic_id = UnicodeAttribute()
    board_id = UnicodeAttribute()
    # Copied from the board so that a topic page needs no read of the board.
    board_name = UnicodeAttribute()
    title = UnicodeAttribute()
    started_by = Person()
    started_at = UnicodeAttribute()
    # The number of the newest post: posts are numbered 1..last_number with no gap.
    last_number = NumberAttribute(default=1)
    # Replies that are not removed (the opening post is not a reply).
    reply_count = NumberAttribute(default=0)
    view_count = NumberAttribute(default=0)
    pinned = BooleanAttribute(default=False)
    locked = BooleanAttribute(default=False)
    removed = BooleanAttribute(default=False)
    # Set when the topic is removed, until each of its posts is removed too (and its author's
    # post_count lowered); see removal.remove_topic.
    removing_posts = BooleanAttribute(null=True)
    last_post = LastPost()
    # Also the sort key of the recent_topics index (with gsi3pk, the topic's shard).
    last_activity = UnicodeAttribute(attr_name=schema.RECENT_TOPICS_SK)
    # Raised by every write that computes from the topic it read (a reply, a removal, a move, a
    # pin, a lock, a new title), each on the condition that it is still the one read: so none
    # of them works from a stale copy (a reply on a topic just moved or locked, a count lowered
    # twice). Views are counted without it, so readers never make writers retry.
    revision = NumberAttribute(null=True)

    def unchanged(self) -> Any:
        """The condition that the topic is the one read, and not removed."""
        same = (
            Topic.revision.does_not_exist()
            if self.revision is None
            else Topic.revision == self.revision
        )
        return same & (Topic.removed == False)  # noqa: E712

    @staticmethod
    def revised() -> Any:
        """The action that marks a topic changed (an update adds it to its other actions)."""
        return Topic.revision.add(1)


class PostAttachment(MapAttribute[str, Any]):
    """What a page shows of one attachment of a post: a copy of its attachment item's fields,
    made when the post is written and brought up to date when the images are made."""

    id = UnicodeAttribute()
    filename = UnicodeAttribute()
    status = UnicodeAttribute()
    reason = UnicodeAttribute(null=True)
    width = NumberAttribute(null=True)
    height = NumberAttribute(null=True)
    thumb_width = NumberAttribute(null=True)
    thumb_height = NumberAttribute(null=True)
    thumb_key = UnicodeAttribute(null=True)
    display_key = UnicodeAttribute(null=True)


class PostText(Attribute[tuple[str, str]]):
    """A post's Markdown and its HTML, compressed together into one binary attribute.

    DynamoDB bills a write unit per started KB of an item, twice in a transaction, and a read
    unit per 4 KB read; the HTML repeats the Markdown's words, so the two deflated together
    take a third to a quarter of their size (a typical reply fits in one unit instead of two).
    """

    attr_type = BINARY

    def serialize(self, value: tuple[str, str]) -> bytes:
        text = json.dumps(list(value), ensure_ascii=False, separators=(",", ":"))
        return zlib.compress(text.encode(), 9)

    def deserialize(self, value: bytes) -> tuple[str, str]:
        body, html = json.loads(zlib.decompress(value))
        return str(body), str(html)


class Post(ForumItem, discriminator="post"):
    topic_id = UnicodeAttribute()
    number = NumberAttribute()
    author = Person()
    created_at = UnicodeAttribute()
    text = PostText()
    # Posts written before the text was compressed; read, never written (an edit removes them).
    legacy_body = UnicodeAttribute(null=True, attr_name="body")
    legacy_body_html = UnicodeAttribute(null=True, attr_name="body_html")
    edited_at = UnicodeAttribute(null=True)
    edited_by = Person(null=True)
    removed = BooleanAttribute(default=False)
    removed_by = Person(null=True)
    # The post's image attachments, in the order the author gave them (see forum.attachments).
    attachments = ListAttribute(of=PostAttachment, null=True)
    version = VersionAttribute()

    def __init__(
        self,
        hash_key: Any = None,
        range_key: Any = None,
        _user_instantiated: bool = True,
        *,
        body: str | None = None,
        body_html: str | None = None,
        **attributes: Any,
    ) -> None:
        if body is not None:
            attributes["text"] = (body, body_html or "")
        super().__init__(hash_key, range_key, _user_instantiated, **attributes)

    @property
    def body(self) -> str:
        """The Markdown the author wrote."""
        return self.text[0] if self.text is not None else self.legacy_body or ""

    @property
    def body_html(self) -> str:
        """The sanitized HTML rendered from it."""
        return self.text[1] if self.text is not None else self.legacy_body_html or ""

    @staticmethod
    def text_actions(body: str, html: str) -> list[Any]:
        """The update actions that set a post's text."""
        return [
            Post.text.set((body, html)),
            Post.legacy_body.remove(),
            Post.legacy_body_html.remove(),
        ]


class Profile(ForumItem, discriminator="profile"):
    """A member as the forum shows them (see schema.py: USER#{user_id} / PROFILE)."""

    user_id = UnicodeAttribute()
    username = UnicodeAttribute()
    display_name = UnicodeAttribute()
    about = UnicodeAttribute(default="")
    about_html = UnicodeAttribute(default="")
    # An attachment of the member's (the images issue turns it into a thumbnail address).
    avatar_attachment_id = UnicodeAttribute(null=True)
    # The avatar's image keys in the media bucket, once its images are made (forum.avatars).
    avatar_thumb_key = UnicodeAttribute(null=True)
    avatar_display_key = UnicodeAttribute(null=True)
    joined_at = UnicodeAttribute()
    # Posts and topics of theirs that are not removed, kept exact by the transactions that
    # write and remove them.
    post_count = NumberAttribute(default=0)
    topic_count = NumberAttribute(default=0)
    # "member", "moderator" or "admin", as last granted here or seen in the member's token.
    role = UnicodeAttribute(default="member")
    role_changed_at = NumberAttribute(null=True)
    # ISO date until which every write of theirs is refused; schema.BANNED_FOREVER for no end.
    banned_until = UnicodeAttribute(null=True)
    ban_reason = UnicodeAttribute(null=True)
    banned_by = Person(null=True)
    banned_at = UnicodeAttribute(null=True)
    # Flood control (forum.flood): when they last posted, and their posts in the hour
    # ``posting_hour`` (kept up to date only while their account is younger than a day).
    last_posted_at = UnicodeAttribute(null=True)
    posting_hour = UnicodeAttribute(null=True)
    posts_this_hour = NumberAttribute(null=True)
    # Their uploads in the hour ``upload_hour`` (forum.flood).
    upload_hour = UnicodeAttribute(null=True)
    uploads_this_hour = NumberAttribute(null=True)
    # The account's deletion (forum.deletion): set when it begins, and from then on every write
    # of theirs is refused; the step it is at ("done" when finished), the posts' choice ("keep"
    # or "remove"), how far the sweep of their posts got, and who deleted it and why.
    deleted_at = UnicodeAttribute(null=True)
    deleted_by = Person(null=True)
    deletion_reason = UnicodeAttribute(null=True)
    deletion_posts = UnicodeAttribute(null=True)
    deletion_stage = UnicodeAttribute(null=True)
    deletion_cursor = UnicodeAttribute(null=True)
    deletion_posts_done = NumberAttribute(null=True)
    # Whether they watch the topics they start or reply to (forum.watching); unset means yes.
    auto_watch = BooleanAttribute(null=True)


class UsernameClaim(ForumItem, discriminator="username"):
    """Who holds a username; written only if absent (see schema.py: USERNAME#{name})."""

    username = UnicodeAttribute()
    # The holder's Cognito sub; missing while their sign-up is under way.
    user_id = UnicodeAttribute(null=True)
    claimed_at = UnicodeAttribute()
    # Set by a sign-up in progress, so that only that sign-up may release the claim again.
    claim_token = UnicodeAttribute(null=True)
    # A pending claim lapses if the sign-up never finished (a crash between the two writes).
    expires_at = TTLAttribute(null=True, attr_name=schema.TTL_ATTRIBUTE)


class SignUpCount(ForumItem, discriminator="sign_up_count"):
    """Sign-ups from one IP address or to one email address in one window (forum.sign_up_limits)."""

    sign_ups = NumberAttribute()
    # Only to tidy up: a new window is a new item, so an old one is never read again.
    expires_at = TTLAttribute(attr_name=schema.TTL_ATTRIBUTE)


class PasswordResetCount(ForumItem, discriminator="password_reset_count"):
    """Password resets asked from one IP address or for one name, or mailed to one account, in
    one window (forum.reset_limits)."""

    resets = NumberAttribute()
    # Only to tidy up: a new window is a new item, so an old one is never read again.
    expires_at = TTLAttribute(attr_name=schema.TTL_ATTRIBUTE)


class Attachment(ForumItem, discriminator="attachment"):
    """An uploaded image and what became of it (see schema.py: ATTACHMENT#{id})."""

    attachment_id = UnicodeAttribute()
    owner = UnicodeAttribute()  # the uploader's user id (Cognito sub)
    filename = UnicodeAttribute()
    # What the uploader declared; the thumbnail function checks the bytes themselves.
    content_type = UnicodeAttribute()
    size = NumberAttribute()
    # "post" or "avatar" (a square crop); not "kind", which names the item's class.
    purpose = UnicodeAttribute()
    status = UnicodeAttribute()  # "pending", "ready" or "failed"
    reason = UnicodeAttribute(null=True)  # why it failed, for the uploader
    failure = UnicodeAttribute(null=True)  # the kind of failure, for logs and metrics
    width = NumberAttribute(null=True)  # of the display image
    height = NumberAttribute(null=True)
    thumb_width = NumberAttribute(null=True)
    thumb_height = NumberAttribute(null=True)
    thumb_key = UnicodeAttribute(null=True)
    display_key = UnicodeAttribute(null=True)
    media_type = UnicodeAttribute(null=True)  # the content type of both derived images
    created_at = UnicodeAttribute()
    processed_at = UnicodeAttribute(null=True)
    attached_to = UnicodeAttribute(null=True)  # "{topic_id}/{number}" or "avatar"
    expires_at = TTLAttribute(null=True, attr_name=schema.TTL_ATTRIBUTE)


class Receipt(ForumItem, discriminator="receipt"):
    """What a request sent with an Idempotency-Key made, written in the transaction that made it
    (forum.receipts; schema.py: IDEMPOTENCY#{user_id} / RECEIPT#{operation}#{key digest})."""

    # The reference to what was made ({"number": n}, {"topic_id": id}...), never its content.
    made = JSONAttribute()
    # A hash of the request's parameters and body: the same key with another body is refused.
    payload_digest = UnicodeAttribute()
    created_at = UnicodeAttribute()
    expires_at = TTLAttribute(attr_name=schema.TTL_ATTRIBUTE)


class PresenceWindow(ForumItem, discriminator="presence"):
    """How many distinct members and guests were seen on a topic in one presence window."""

    window = NumberAttribute()
    members = NumberAttribute(default=0)
    guests = NumberAttribute(default=0)
    expires_at = TTLAttribute(attr_name=schema.TTL_ATTRIBUTE)


class Viewer(ForumItem, discriminator="viewer"):
    """When one viewer was last seen on a topic, and in which presence window."""

    last_seen = NumberAttribute()
    window = NumberAttribute()
    expires_at = TTLAttribute(attr_name=schema.TTL_ATTRIBUTE)


class ReadPosition(ForumItem, discriminator="read"):
    """How far a member has read a topic (schema.py: USER#{user_id} / READ#{topic_id})."""

    topic_id = UnicodeAttribute()
    # The highest post number a page of theirs showed; it only grows (forum.reading).
    number = NumberAttribute()
    read_at = UnicodeAttribute()


class ReadMarks(ForumItem, discriminator="read_marks"):
    """A member's "mark all read" time and the boards they marked read (USER#{user_id} /
    READMARKS). Each board's mark is an attribute of its own, ``mark#{board_id}``, so marking
    a board is one write that needs no map to exist first. PynamoDB reads only declared
    attributes: ``forum.reading.fetch`` fills ``boards`` from the raw item."""

    all_read_at = UnicodeAttribute(null=True)

    @property
    def boards(self) -> dict[str, str]:
        return self.__dict__.setdefault("_boards", {})

    @boards.setter
    def boards(self, value: dict[str, str]) -> None:
        self.__dict__["_boards"] = value


def configure(settings: Settings) -> None:
    """Point the models at the table the settings name, in their region, at their endpoint.

    Called once at a function's cold start (each handler module does it, as do the local
    runtime, the tests' fixtures and the bench), never at import: so whoever starts the code
    decides which settings it runs with, whatever was imported first. Until then a model refuses
    to reach DynamoDB. Configuring again with the same settings keeps the connection made.
    """
    meta = ForumItem.Meta
    wanted = (settings.table_name, settings.region, settings.dynamodb_endpoint)
    if (meta.table_name, meta.region, meta.host) == wanted:
        return
    meta.table_name, meta.region, meta.host = wanted
    # PynamoDB makes a model's connection at its first use and keeps it on the class; every
    # item class inherits the base's (one botocore client for the table). Drop the old ones.
    ForumItem._connection = None
    pending: list[type[ForumItem]] = list(ForumItem.__subclasses__())
    while pending:
        model = pending.pop()
        if "_connection" in vars(model):
            del model._connection
        pending.extend(model.__subclasses__())
    # Made now (no request is sent: botocore's client comes at the first call), so that every
    # item class finds the base's: a class used first would otherwise make one of its own.
    ForumItem._get_connection()


def person(user_id: str, name: str) -> Person:
    return Person(id=user_id, name=name)
