"""What each page shows: the domain's answers shaped for the templates.

Every view reads the forum through the same domain functions as the JSON API and returns a
``Page``; the handler only turns it into a response. Nothing here depends on who is asking:
pages are identical for everyone, so that they can be cached.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from forum import boards, profiles, topics
from forum.errors import BadRequest, NotFound
from forum.models import Board, LastPost, Post, Profile, Topic
from forum.settings import get_settings

from . import optional
from .render import count, plain_text
from .urls import (
    board_url,
    login_url,
    member_url,
    new_topic_url,
    post_url,
    topic_url,
)

SITE_NAME = "Forum"
ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.@+-]{1,128}$")
PAGE_NUMBER = re.compile(r"^[1-9][0-9]{0,8}$")
CURSOR_MAX = 400

# Pages are the same for everyone: browsers keep them a few seconds, CloudFront a few more.
PAGE_CACHE = "public, max-age=5, s-maxage=10"
# Forms that never change but for a deployment.
FORM_CACHE = "public, max-age=60, s-maxage=300"
# A missing page may exist a moment later (a new reply's page): cached only briefly.
MISSING_CACHE = "public, max-age=0, s-maxage=5"
NO_STORE = "no-store"


@dataclass(frozen=True)
class Head:
    """The page's title, description and canonical address (a path; the origin is added)."""

    title: str
    description: str
    path: str
    og_type: str = "website"
    # Pages that are no use in a search engine (forms, errors) say so.
    indexable: bool = True
    prev_path: str | None = None
    next_path: str | None = None


@dataclass
class Page:
    template: str
    head: Head
    context: dict[str, Any] = field(default_factory=dict)
    status: int = 200
    cache: str = PAGE_CACHE
    # Set on the <body> for the scripts: which page this is and what it is about.
    data: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LastPostView:
    url: str
    topic_title: str
    author: str
    created_at: str


def _last_post(last: LastPost | None) -> LastPostView | None:
    if last is None:
        return None
    return LastPostView(
        url=post_url(last.topic_id, last.topic_title, int(last.number)),
        topic_title=last.topic_title,
        author=last.author.name,
        created_at=last.created_at,
    )


def _require_id(value: str, what: str) -> str:
    if not ID_PATTERN.match(value):
        raise NotFound(f"There is no {what} with that id.")
    return value


def page_number(raw: str | None) -> int:
    """``?page=``: absent is 1; anything but a whole number from 1 is a page that is not there."""
    if raw is None or raw == "":
        return 1
    if not PAGE_NUMBER.match(raw):
        raise NotFound("There is no such page.")
    return int(raw)


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


# --- the board index -------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardRow:
    url: str
    name: str
    description: str
    topic_count: int
    post_count: int
    last_post: LastPostView | None
    new_topic_url: str


def _board_row(board: Board) -> BoardRow:
    return BoardRow(
        url=board_url(board.board_id),
        name=board.name,
        description=board.description or "",
        topic_count=int(board.topic_count or 0),
        post_count=int(board.post_count or 0),
        last_post=_last_post(board.last_post),
        new_topic_url=new_topic_url(board.board_id),
    )


def index() -> Page:
    rows = [_board_row(board) for board in boards.list_boards()]
    names = ", ".join(row.name for row in rows[:6])
    description = f"A forum with {count(len(rows), 'board')}" + (f": {names}." if names else ".")
    return Page(
        "index.html",
        Head(title=SITE_NAME, description=description, path="/"),
        {"boards": rows},
        data={"page": "index"},
    )


# --- a board's topics ------------------------------------------------------------------------


@dataclass(frozen=True)
class TopicRow:
    url: str
    title: str
    started_by: str
    started_by_url: str
    started_at: str
    reply_count: int
    view_count: int
    pinned: bool
    locked: bool
    last_post_url: str
    last_post_author: str
    last_post_at: str
    page_count: int


def _topic_row(topic: Topic) -> TopicRow:
    return TopicRow(
        url=topic_url(topic.topic_id, topic.title),
        title=topic.title,
        started_by=topic.started_by.name,
        started_by_url=member_url(topic.started_by.name),
        started_at=topic.started_at,
        reply_count=int(topic.reply_count or 0),
        view_count=int(topic.view_count or 0),
        pinned=bool(topic.pinned),
        locked=bool(topic.locked),
        last_post_url=post_url(topic.topic_id, topic.title, int(topic.last_post.number)),
        last_post_author=topic.last_post.author.name,
        last_post_at=topic.last_post.created_at,
        page_count=topics.page_count(topic),
    )


def board(board_id: str, cursor: str | None) -> Page:
    _require_id(board_id, "board")
    if cursor is not None and (not cursor or len(cursor) > CURSOR_MAX):
        raise NotFound("There is no such page of this board.")
    try:
        found, listed, next_cursor = boards.board_page(board_id, cursor)
    except BadRequest as error:  # a cursor that was not made here names no page
        raise NotFound("There is no such page of this board.") from error
    description = found.description or f"Topics in {found.name}."
    path = board_url(board_id, cursor)
    head = Head(
        title=found.name if cursor is None else f"{found.name} (more topics)",
        description=description,
        path=path,
        next_path=board_url(board_id, next_cursor) if next_cursor else None,
    )
    return Page(
        "board.html",
        head,
        {
            "board": _board_row(found),
            "topics": [_topic_row(topic) for topic in listed],
            "next_url": board_url(board_id, next_cursor) if next_cursor else None,
            "first_url": board_url(board_id) if cursor is not None else None,
        },
        data={"page": "board", "board-id": board_id},
    )


# --- a topic page ----------------------------------------------------------------------------


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
    author_url: str
    created_at: str
    edited_at: str | None
    edited_by: str | None
    removed: bool
    body_html: Markup
    version: int
    pictures: list[optional.Picture]


def _post_view(topic: Topic, post: Post, cards: dict[str, AuthorCard]) -> PostView:
    removed = bool(post.removed)
    # A member who never wrote since profiles exist has none: their name is all there is.
    card = cards.get(post.author.id) or AuthorCard(
        post.author.id, post.author.name, post.author.name
    )
    return PostView(
        number=int(post.number),
        url=post_url(topic.topic_id, topic.title, int(post.number)),
        author=card,
        author_url=member_url(card.username),
        created_at=post.created_at,
        edited_at=post.edited_at,
        edited_by=post.edited_by.name if post.edited_by else None,
        removed=removed,
        # Sanitized when the post was written (forum.markup); never the Markdown source.
        body_html=Markup("") if removed else Markup(post.body_html),
        version=int(post.version or 0),
        pictures=[] if removed else optional.pictures(post),
    )


def topic(topic_id: str, raw_page: str | None) -> Page:
    _require_id(topic_id, "topic")
    page = page_number(raw_page)
    # Two requests: the page's posts, then the header and the authors' profiles in one batch.
    found, posts, authors = topics.topic_page_with_authors(topic_id, page)
    total = topics.page_count(found)
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
        },
        data={
            "page": "topic",
            "topic-id": topic_id,
            "board-id": found.board_id,
            "topic-title": found.title,
            "page-number": str(page),
            "page-count": str(total),
            "per-page": str(get_settings().posts_per_page),
            "locked": "true" if found.locked else "false",
            "pinned": "true" if found.pinned else "false",
            "last-number": str(int(found.last_number)),
        },
    )


def neighbour(topic_id: str, direction: topics.Direction) -> str:
    """Where "previous topic" / "next topic" leads: the neighbour's address."""
    _require_id(topic_id, "topic")
    found = topics.neighbour(topic_id, direction)
    return topic_url(found.topic_id, found.title)


# --- a member's profile ----------------------------------------------------------------------


@dataclass(frozen=True)
class MemberPost:
    url: str
    topic_title: str
    number: int
    created_at: str
    body_html: Markup


def member(username: str, cursor: str | None) -> Page:
    if not USERNAME_PATTERN.match(username):
        raise NotFound("There is no member with that name.")
    if cursor is not None and (not cursor or len(cursor) > CURSOR_MAX):
        raise NotFound("There is no such page of this member's posts.")
    try:
        found = profiles.member_page(username, cursor)
    except BadRequest as error:
        raise NotFound("There is no such page of this member's posts.") from error
    profile = found.profile
    name = str(profile.display_name or profile.username)
    posts = [
        MemberPost(
            url=post_url(post.topic_id, shown_topic.title, int(post.number)),
            topic_title=shown_topic.title,
            number=int(post.number),
            created_at=post.created_at,
            body_html=Markup(post.body_html),
        )
        for post, shown_topic in found.posts
    ]
    path = member_url(profile.username)
    next_path = f"{path}?cursor={found.next_cursor}" if found.next_cursor else None
    about = Markup(profile.about_html or "")
    summary = plain_text(about) if about else ""
    description = summary or (
        f"{name} ({profile.username}) has written {count(int(profile.post_count or 0), 'post')}."
    )
    return Page(
        "member.html",
        Head(
            title=f"{name} ({profile.username})" if name != profile.username else name,
            description=description,
            path=path if cursor is None else f"{path}?cursor={cursor}",
            og_type="profile",
            next_path=next_path,
        ),
        {
            "profile": profile,
            "name": name,
            "about_html": about,
            "avatar_url": optional.avatar_display_url(profile),
            "banned": profiles.is_banned(profile),
            "posts": posts,
            "next_url": next_path,
            "first_url": path if cursor is not None else None,
        },
        data={"page": "member", "username": str(profile.username)},
    )


# --- forms -----------------------------------------------------------------------------------


def safe_next(raw: str | None) -> str:
    """Where to go after signing in: a path of this site, never another site."""
    # Browsers drop tabs and line breaks from an address and read "\" as "/", so "/\t/host"
    # and "/\\host" mean "//host", another site. Control characters have no place in a path.
    if (
        not raw
        or not raw.startswith("/")
        or raw.startswith("//")
        or "\\" in raw
        or any(ord(char) < 0x20 or ord(char) == 0x7F for char in raw)
    ):
        return "/"
    return raw[:500]


def login(next_path: str | None) -> Page:
    return Page(
        "login.html",
        Head(
            title="Sign in",
            description=f"Sign in to {SITE_NAME} to write.",
            path="/login",
            indexable=False,
        ),
        {"register_url": "/register"},
        cache=FORM_CACHE,
        data={"page": "login", "next": safe_next(next_path)},
    )


def register() -> Page:
    return Page(
        "register.html",
        Head(
            title="Register",
            description=f"Become a member of {SITE_NAME}.",
            path="/register",
            indexable=False,
        ),
        {"login_url": "/login"},
        cache=FORM_CACHE,
        data={"page": "register"},
    )


def new_topic(board_id: str | None) -> Page:
    if board_id is None or board_id == "":
        rows = [_board_row(board) for board in boards.list_boards()]
        return Page(
            "choose_board.html",
            Head(
                title="Start a topic",
                description="Choose the board for a new topic.",
                path="/new-topic",
                indexable=False,
            ),
            {"boards": rows},
            data={"page": "choose-board"},
        )
    _require_id(board_id, "board")
    found = boards.get_board(board_id)
    path = new_topic_url(board_id)
    return Page(
        "new_topic.html",
        Head(
            title=f"New topic in {found.name}",
            description=f"Start a topic in {found.name}.",
            path=path,
            indexable=False,
        ),
        {"board": _board_row(found), "login_url": login_url(path)},
        data={"page": "new-topic", "board-id": board_id},
    )


def not_found(detail: str | None = None) -> Page:
    return Page(
        "error.html",
        Head(
            title="Not found",
            description="There is nothing at this address.",
            path="/",
            indexable=False,
        ),
        {
            "heading": "Not found",
            "detail": detail or "There is nothing at this address.",
        },
        status=404,
        cache=MISSING_CACHE,
        data={"page": "error"},
    )


def error_page(status: int, heading: str, detail: str) -> Page:
    return Page(
        "error.html",
        Head(title=heading, description=detail, path="/", indexable=False),
        {"heading": heading, "detail": detail},
        status=status,
        cache=NO_STORE,
        data={"page": "error"},
    )
