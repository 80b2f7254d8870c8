"""A topic page, as SMF shows it: the header, a page of posts with their authors' cards and
images, page links with a jump to any page; and where "previous / next topic" leads."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from forum import paging, presence, profiles, schema, topics
from forum.attachments import Shown, shown
from forum.deleted import shown_name
from forum.i18n import _, ngettext
from forum.models import Post, PresenceWindow, Profile, Topic

from .common import Head, Page, page_number, require_id
from .render import plain_text
from .urls import board_url, login_url, member_url, post_url, topic_url


def page_links(current: int, total: int, around: int = 2) -> list[int | None]:
    """Page numbers to link: the first, the last and those around the current; None is a gap."""
    wanted = {1, total, *range(max(1, current - around), min(total, current + around) + 1)}
    links: list[int | None] = []
    previous = 0
    for number in sorted(wanted):
        if number - previous == 2:
            links.append(number - 1)
        elif number - previous > 2:
            links.append(None)
        links.append(number)
        previous = number
    return links


@dataclass(frozen=True)
class AuthorCard:
    """What the page shows beside a post about its author (from their profile)."""

    user_id: str
    username: str
    display_name: str
    avatar_url: str | None = None
    post_count: int | None = None
    role: str | None = None


def _card(profile: Profile) -> AuthorCard:
    if profiles.is_deleted(profile):
        # No name, no picture, no role: only the count, so the boards' sums still read true.
        return AuthorCard(
            user_id=profile.user_id,
            username=schema.DELETED_MEMBER,
            display_name=shown_name(schema.DELETED_MEMBER),
            post_count=int(profile.post_count or 0),
        )
    return AuthorCard(
        user_id=profile.user_id,
        username=profile.username,
        display_name=profile.display_name or profile.username,
        avatar_url=profiles.avatar_thumb_url(profile),
        post_count=int(profile.post_count or 0),
        role=profile.role,
    )


@dataclass(frozen=True)
class PostView:
    number: int
    url: str
    author: AuthorCard
    author_url: str | None  # none for a deleted member
    created_at: str
    edited_at: str | None
    edited_by: str | None
    removed: bool
    body_html: Markup
    version: int
    # The ready images: each thumbnail opens its display image.
    pictures: list[Shown]


def _post_view(topic: Topic, post: Post, cards: dict[str, AuthorCard]) -> PostView:
    removed = bool(post.removed)
    # A member who never wrote since profiles exist has none: their name is all there is.
    card = cards.get(post.author.id) or AuthorCard(
        post.author.id, post.author.name, shown_name(post.author.name)
    )
    return PostView(
        number=int(post.number),
        url=post_url(topic.topic_id, topic.title, int(post.number)),
        author=card,
        author_url=member_url(card.username),
        created_at=post.created_at,
        edited_at=post.edited_at,
        edited_by=shown_name(post.edited_by.name) if post.edited_by else None,
        removed=removed,
        # Sanitized when the post was written (forum.markup); never the Markdown source.
        body_html=Markup("") if removed else Markup(post.body_html),
        version=int(post.version or 0),
        pictures=shown(post),
    )


def topic(topic_id: str, raw_page: str | None) -> Page:
    require_id(topic_id, "topic")
    page = page_number(raw_page)
    # Two requests: the page's posts, then the header, the authors' profiles and the presence
    # counters of the current window in one batch.
    found, posts, authors, also = topics.topic_page_with(
        topic_id, page, presence.current_window_keys(topic_id)
    )
    members, guests = presence.viewing([item for item in also if isinstance(item, PresenceWindow)])
    total = paging.page_count(int(found.last_number))
    cards = {user_id: _card(profile) for user_id, profile in authors.items()}
    views = [_post_view(found, post, cards) for post in posts]
    first_text = next((plain_text(view.body_html) for view in views if not view.removed), "")
    if page == 1:
        title = found.title
        description = first_text or f"A topic in {found.board_name}."
    else:
        title = f"{found.title} (page {page})"
        description = f"Page {page} of {total} of “{found.title}”, in {found.board_name}."
    canonical = topic_url(topic_id, found.title, page)
    head = Head(
        title=title,
        description=description,
        path=canonical,
        og_type="article",
        prev_path=topic_url(topic_id, found.title, page - 1) if page > 1 else None,
        next_path=topic_url(topic_id, found.title, page + 1) if page < total else None,
    )
    base = topic_url(topic_id, found.title)
    return Page(
        "topic.html",
        head,
        {
            "topic": found,
            "board_url": board_url(found.board_id),
            "started_by": shown_name(found.started_by.name),
            "started_by_url": member_url(found.started_by.name),
            "posts": views,
            "page": page,
            "page_count": total,
            "page_links": [
                (number, topic_url(topic_id, found.title, number) if number else "")
                for number in page_links(page, total)
            ],
            "jump_action": base.split("?", 1)[0],
            "previous_url": f"/t/{topic_id}/previous",
            "next_url": f"/t/{topic_id}/next",
            "reply_login_url": login_url(f"{canonical}#reply"),
            "last_page_url": topic_url(topic_id, found.title, total),
            "viewers_line": viewers_line(members, guests),
            "viewing_members": members,
            "viewing_guests": guests,
        },
        data={
            "page": "topic",
            "topic-id": topic_id,
            "board-id": found.board_id,
            "topic-title": found.title,
            # Every post this page shows is on this page; a reply's page comes from the API.
            "page-number": str(page),
            "page-count": str(total),
            "locked": "true" if found.locked else "false",
            "pinned": "true" if found.pinned else "false",
            "last-number": str(int(found.last_number)),
        },
    )


def viewers_line(members: int, guests: int) -> str:
    """SMF's "N Members and M Guests are viewing this topic." (web/js/presence.js says it the
    same way when a heartbeat answers)."""
    who = ngettext("{count} Member", "{count} Members", members).format(count=members)
    also = ngettext("{count} Guest", "{count} Guests", guests).format(count=guests)
    # "and" makes the verb plural whatever the counts.
    return _("{members} and {guests} are viewing this topic.").format(members=who, guests=also)


def new_posts(topic_id: str) -> str:
    """Where ``/t/{id}/new`` leads without knowing the reader: the topic's last page, marked
    ``#new`` so that a member's script moves on to their first unread post (forum.unread)."""
    require_id(topic_id, "topic")
    found = topics.get_topic(topic_id)
    return topic_url(topic_id, found.title, paging.page_count(int(found.last_number))) + "#new"


def neighbour(topic_id: str, direction: topics.Direction) -> str:
    """Where "previous topic" / "next topic" leads: the neighbour's address."""
    require_id(topic_id, "topic")
    found = topics.neighbour(topic_id, direction)
    return topic_url(found.topic_id, found.title)
