"""The board index and a board's topics, page by page."""

from __future__ import annotations

from dataclasses import dataclass

from forum import boards, paging
from forum.deleted import shown_name
from forum.errors import BadRequest, NotFound
from forum.i18n import _
from forum.models import Topic

from .common import SITE_NAME, Head, Page, board_row, check_cursor, require_id
from .render import count
from .urls import board_url, member_url, post_url, topic_url


def index() -> Page:
    rows = [board_row(board) for board in boards.list_boards()]
    names = ", ".join(row.name for row in rows[:6])
    description = f"A forum with {count(len(rows), 'board')}" + (f": {names}." if names else ".")
    return Page(
        "index.html",
        Head(title=SITE_NAME, description=description, path="/"),
        {"boards": rows},
        data={"page": "index"},
    )


@dataclass(frozen=True)
class TopicRow:
    url: str
    title: str
    started_by: str
    started_by_url: str | None  # none for a deleted member
    started_at: str
    reply_count: int
    view_count: int
    pinned: bool
    locked: bool
    last_post_url: str
    last_post_author: str
    last_post_at: str
    page_count: int
    # For the scripts (a member's unread markers: web/js/unread.js).
    topic_id: str = ""


def _topic_row(topic: Topic) -> TopicRow:
    return TopicRow(
        url=topic_url(topic.topic_id, topic.title),
        title=topic.title,
        started_by=shown_name(topic.started_by.name),
        started_by_url=member_url(topic.started_by.name),
        started_at=topic.started_at,
        reply_count=int(topic.reply_count or 0),
        view_count=int(topic.view_count or 0),
        pinned=bool(topic.pinned),
        locked=bool(topic.locked),
        last_post_url=post_url(topic.topic_id, topic.title, int(topic.last_post.number)),
        last_post_author=shown_name(topic.last_post.author.name),
        last_post_at=topic.last_post.created_at,
        page_count=paging.page_count(int(topic.last_number)),
        topic_id=topic.topic_id,
    )


def board(board_id: str, cursor: str | None) -> Page:
    require_id(board_id, "board")
    missing = "There is no such page of this board."
    check_cursor(cursor, missing)
    try:
        found, listed, next_cursor = boards.board_page(board_id, cursor)
    except BadRequest as error:  # a cursor that was not made here names no page
        raise NotFound(missing) from error
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
            "board": board_row(found),
            "topics": [_topic_row(topic) for topic in listed],
            "next_url": board_url(board_id, next_cursor) if next_cursor else None,
            "first_url": board_url(board_id) if cursor is not None else None,
            "board_id": board_id,
        },
        data={"page": "board", "board-id": board_id},
    )


def unread(show: str | None) -> Page:
    """/unread: the topics with posts the member has not read, and (``?show=replies``) those
    they posted in with new replies. The page is the same for everyone and names nobody; its
    script fills the list in from the member's own call (GET /api/me/unread)."""
    replies = show == "replies"
    title = _("Replies to you") if replies else _("Unread topics")
    return Page(
        "unread.html",
        Head(
            title=title,
            description=_("What was posted since you last read."),
            path="/unread?show=replies" if replies else "/unread",
            indexable=False,
        ),
        {"replies": replies, "login_url": "/login?next=/unread"},
        data={"page": "unread", "unread-list": "replies" if replies else "unread"},
    )
