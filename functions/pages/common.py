"""What every view shares: the page a view returns, its head, how long it may be kept, the
checks of what an address names, and the pages for what is missing or went wrong.

Every view reads the forum through the same domain functions as the JSON API and returns a
``Page``; the handler only turns it into a response. Nothing here depends on who is asking:
pages are identical for everyone, so that they can be cached.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from forum import paging
from forum.cursors import CURSOR_MAX
from forum.deleted import shown_name
from forum.errors import NotFound
from forum.i18n import _
from forum.ids import is_id
from forum.models import Board, LastPost

from .urls import board_url, new_topic_url, post_url

SITE_NAME = "Forum"

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


# --- what an address may name ------------------------------------------------------------------


def require_id(value: str, what: str) -> str:
    if not is_id(value):
        raise NotFound(f"There is no {what} with that id.")
    return value


def page_number(raw: str | None) -> int:
    """``?page=``: absent is 1; anything but a whole number from 1 is a page that is not there."""
    if raw is None or raw == "":
        return 1
    page = paging.parse_page(raw)
    if page is None:
        raise NotFound("There is no such page.")
    return page


def check_cursor(cursor: str | None, missing: str) -> None:
    """A ``?cursor=`` too long or empty names no page (the domain checks the rest)."""
    if cursor is not None and (not cursor or len(cursor) > CURSOR_MAX):
        raise NotFound(missing)


# --- shown on several pages --------------------------------------------------------------------


@dataclass(frozen=True)
class LastPostView:
    url: str
    topic_title: str
    author: str
    created_at: str


def last_post_view(last: LastPost | None) -> LastPostView | None:
    if last is None:
        return None
    return LastPostView(
        url=post_url(last.topic_id, last.topic_title, int(last.number)),
        topic_title=last.topic_title,
        author=shown_name(last.author.name),
        created_at=last.created_at,
    )


@dataclass(frozen=True)
class BoardRow:
    url: str
    name: str
    description: str
    topic_count: int
    post_count: int
    last_post: LastPostView | None
    new_topic_url: str
    # For the scripts (a member's unread markers: web/js/unread.js).
    board_id: str = ""


def board_row(board: Board) -> BoardRow:
    return BoardRow(
        url=board_url(board.board_id),
        name=board.name,
        description=board.description or "",
        topic_count=int(board.topic_count or 0),
        post_count=int(board.post_count or 0),
        last_post=last_post_view(board.last_post),
        new_topic_url=new_topic_url(board.board_id),
        board_id=board.board_id,
    )


# --- missing, refused, failed ------------------------------------------------------------------


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
            "retry_url": None,
        },
        status=404,
        cache=MISSING_CACHE,
        data={"page": "error"},
    )


def error_page(status: int, heading: str, detail: str, retry_url: str | None = None) -> Page:
    return Page(
        "error.html",
        Head(title=heading, description=detail, path="/", indexable=False),
        {"heading": heading, "detail": detail, "retry_url": retry_url},
        status=status,
        cache=NO_STORE,
        data={"page": "error"},
    )


def busy_page(retry_url: str) -> Page:
    """503: the table is throttled or unreachable for a moment; the same address soon works."""
    return error_page(
        503,
        _("The forum is busy"),
        _("Too many requests reached the forum at once. Please try again in a moment."),
        retry_url,
    )
