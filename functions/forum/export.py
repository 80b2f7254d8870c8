"""A member's own data, as one document read page by page ("Export my data").

The document is the member's profile (on every page) followed by sections, each a list paged
in its own order: today ``posts`` (every post they wrote, oldest first, removed ones included
with their text), with ``uploads`` beside them (the derived images of the page's posts, and
the avatar on the first page). A page serves one section from where the cursor points, at most
``POSTS_PER_PAGE`` entries and ``TEXT_BUDGET`` characters of text, so neither a Lambda's memory
nor its answer (6 MB at most) grows with the member's history; ``next_cursor`` names the place
after it (forum.cursors: the section and the key there), None after the last section.

A section is a function ``(profile, after) -> Chunk`` with the form of its cursor keys, added to
``SECTIONS``; the page answers whatever lists its chunk fills.

What a page costs in DynamoDB requests: the profile (GetItem), on the first page the avatar's
attachment (GetItem), and the section's own: for posts two Queries of the user_posts index (the
member's partition and their removed posts' one, each one request, never followed by another)
and one BatchGetItem per hundred topics for the titles.

Uploads: no index lists a member's attachments by owner, so the export names those it can
reach by key: the avatar, and the attachments named by their posts. An upload used nowhere
expires within two days of the upload (forum.attachments); listing those too would take a
sparse index on the attachment items (owner, created_at), written with them. Originals are
never named: only the derived images the forum serves.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from . import attachments, cursors, schema
from .deleted import shown_name
from .errors import Busy, Gone
from .i18n import _
from .identity import Member
from .media import media_url
from .models import ForumItem, Post, PostAttachment, Profile, Topic, UserPostsIndex
from .profiles import ensure_profile, is_deleted

T = TypeVar("T")

POSTS_PER_PAGE = 500
# Characters of Markdown a page carries at most, counted as JSON writes them (escapes
# included); a page holds at least one post, which is at most 50,000 characters.
TEXT_BUDGET = 3_000_000
# DynamoDB's limit on the keys of one BatchGetItem.
BATCH_GET_KEYS = 100


@dataclass(frozen=True)
class ExportedPost:
    topic_id: str
    topic_title: str
    number: int
    body: str  # the Markdown the member wrote
    created_at: str
    edited_at: str | None
    edited_by: str | None  # the name of whoever last edited it
    removed: bool


@dataclass(frozen=True)
class ExportedUpload:
    id: str
    filename: str
    status: str
    # "avatar", or the post it is shown with: "{topic_id}/{number}".
    used_by: str
    thumb_url: str | None
    display_url: str | None


@dataclass
class Chunk:
    """What a section gives one page, and the key in it the next page starts after."""

    posts: list[ExportedPost] = field(default_factory=list)
    uploads: list[ExportedUpload] = field(default_factory=list)
    after: str | None = None  # None: the section is done


@dataclass(frozen=True)
class Section:
    name: str
    key: re.Pattern[str]  # the form of its cursor keys, checked strictly (forum.cursors)
    read: Callable[[Profile, str | None], Chunk]


@dataclass(frozen=True)
class ExportPage:
    profile: Profile
    posts: list[ExportedPost]
    uploads: list[ExportedUpload]
    next_cursor: str | None


# --- the page ---------------------------------------------------------------------------------


def export_page(member: Member, cursor: str | None) -> ExportPage:
    """One page of the member's document, from ``cursor`` (None: the first page)."""
    section, after = _place(cursor)
    profile = ensure_profile(member)
    if is_deleted(profile):
        raise Gone(_("This account was deleted; nothing of it is left to export."))
    chunk = section.read(profile, after)
    uploads = chunk.uploads
    if cursor is None:
        uploads = [*_avatar(profile), *uploads]
    return ExportPage(
        profile=profile, posts=chunk.posts, uploads=uploads, next_cursor=_next(section, chunk)
    )


def _place(cursor: str | None) -> tuple[Section, str | None]:
    if cursor is None:
        return SECTIONS[0], None
    name, after = cursors.decode_section(
        cursor,
        {section.name: section.key for section in SECTIONS},
        _("the first page of your data"),
    )
    return next(section for section in SECTIONS if section.name == name), after


def _next(section: Section, chunk: Chunk) -> str | None:
    if chunk.after is not None:
        return cursors.encode_section(section.name, chunk.after)
    later = SECTIONS[SECTIONS.index(section) + 1 :]
    return cursors.encode_section(later[0].name, None) if later else None


def _avatar(profile: Profile) -> list[ExportedUpload]:
    if not profile.avatar_attachment_id:
        return []
    attachment_id = str(profile.avatar_attachment_id)
    found = attachments.find(attachment_id)
    return [
        ExportedUpload(
            id=attachment_id,
            filename=found.filename if found is not None else "",
            status=found.status if found is not None else attachments.READY,
            used_by=attachments.AVATAR_USE,
            thumb_url=media_url(profile.avatar_thumb_key),
            display_url=media_url(profile.avatar_display_key),
        )
    ]


# --- posts ------------------------------------------------------------------------------------


def _posts(profile: Profile, after: str | None) -> Chunk:
    """The member's posts after ``after`` (a user_posts key), oldest first.

    Live posts and removed ones lie in two partitions of the index under the same sort key
    (forum.removal moves a post at its removal), so one key orders both: each is read once
    from the cursor on, and the two are merged up to where both are known. A post removed
    between two pages moves under the same key, so it is still exported exactly once.
    """
    reads = [
        _query(partition, after)
        for partition in (
            schema.user_gsi_pk(profile.user_id),
            schema.removed_posts_gsi_pk(profile.user_id),
        )
    ]
    taken, more = in_order(
        reads,
        key=lambda post: str(post.gsi2sk),
        size=lambda post: len(json.dumps(post.body)),
        limit=POSTS_PER_PAGE,
        budget=TEXT_BUDGET,
    )
    titles = _titles(post.topic_id for post in taken)
    return Chunk(
        posts=[_exported(post, titles.get(post.topic_id, "")) for post in taken],
        uploads=[upload for post in taken for upload in _uploads_of(post)],
        after=str(taken[-1].gsi2sk) if more else None,
    )


def in_order(
    reads: Sequence[tuple[Sequence[T], bool]],
    *,
    key: Callable[[T], str],
    size: Callable[[T], int],
    limit: int,
    budget: int,
) -> tuple[list[T], bool]:
    """Merge reads of partitions in one key order (each: its items from the cursor on, in
    order, and whether it has more) into one page: at most ``limit`` items and ``budget`` of
    their sizes (but at least one), and whether anything is left after it.

    A partition that has more is known only up to its last item: past the first such bound the
    others' items are left for the next page, which starts after the last item given here.
    """
    if any(more and not found for found, more in reads):
        # More, but nothing given (DynamoDB does not, without a filter): where it stands is not
        # known, so nothing after the cursor can be given in order. Try again.
        raise Busy()
    bounds = [key(found[-1]) for found, more in reads if more]
    candidates = sorted((item for found, _more in reads for item in found), key=key)
    if bounds:
        candidates = [item for item in candidates if key(item) <= min(bounds)]
    taken: list[T] = []
    used = 0
    for item in candidates[:limit]:
        cost = size(item)
        if taken and used + cost > budget:
            break
        taken.append(item)
        used += cost
    return taken, len(taken) < len(candidates) or bool(bounds)


def _query(partition: str, after: str | None) -> tuple[list[Post], bool]:
    """One Query request of a user_posts partition from ``after`` on: its posts, and whether it
    has more (the page's limit, or DynamoDB's 1 MB to a response, was reached)."""
    condition = UserPostsIndex.gsi2sk > after if after is not None else None
    found = ForumItem.user_posts.query(
        partition, condition, limit=POSTS_PER_PAGE + 1, page_size=POSTS_PER_PAGE + 1
    )
    # One request, not PynamoDB's following of LastEvaluatedKey: the page bounds its reads.
    page: dict[str, Any] = next(found.page_iter)
    items = [ForumItem.from_raw_data(raw) for raw in page.get("Items", [])]
    posts = [item for item in items if isinstance(item, Post)]
    return posts, page.get("LastEvaluatedKey") is not None


def _titles(topic_ids: Iterable[str]) -> dict[str, str]:
    keys = [(schema.topic_pk(topic_id), schema.TOPIC_SK) for topic_id in dict.fromkeys(topic_ids)]
    titles: dict[str, str] = {}
    # PynamoDB sends at most a hundred keys a request: a page of 500 posts is five at most.
    for topic in Topic.batch_get(keys) if keys else ():
        titles[topic.topic_id] = topic.title
    return titles


def _exported(post: Post, title: str) -> ExportedPost:
    return ExportedPost(
        topic_id=post.topic_id,
        topic_title=title,
        number=int(post.number),
        body=post.body,
        created_at=post.created_at,
        edited_at=post.edited_at,
        edited_by=shown_name(post.edited_by.name) if post.edited_by else None,
        removed=bool(post.removed),
    )


def _uploads_of(post: Post) -> list[ExportedUpload]:
    # A removed post's attachments were released with it (forum.removal): it names none.
    return [
        _upload(item, attachments.post_use(post.topic_id, int(post.number)))
        for item in post.attachments or []
    ]


def _upload(item: PostAttachment, used_by: str) -> ExportedUpload:
    ready = item.status == attachments.READY
    return ExportedUpload(
        id=item.id,
        filename=item.filename,
        status=item.status,
        used_by=used_by,
        thumb_url=media_url(item.thumb_key) if ready else None,
        display_url=media_url(item.display_key) if ready else None,
    )


# The document's sections, in order. A new one (watches, notifications, reactions, messages) is
# a function of (profile, after) giving a Chunk, with its key's form, added here (and its list
# to Chunk and the page's schema).
SECTIONS: tuple[Section, ...] = (Section("posts", cursors.USER_POST_KEY, _posts),)
