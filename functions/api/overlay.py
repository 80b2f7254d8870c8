"""/api/me/overlay: everything personal a page shows, in one call from the page's script.

Pages are the same for everyone (cached at the edge); what is the member's own is added by the
page's script from this one answer. The page says what it is (``?index=true``, ``?board=…``
with its ``cursor``, ``?topic=…&page=…``, or nothing for a page of no such kind); the overlay
reads what that page reads (the index's Query, the board page's Query), then every section
names the keys it needs and all of them come in **one BatchGetItem**. Each section answers its
part of ``OverlayOut`` from what was read.

A feature adds a section: a class with ``keys`` and ``answer`` in ``SECTIONS``, and its field in
``OverlayOut``. Nothing else changes, and the call still costs the page's reads and one
BatchGetItem; with ``count=true`` (the header's counts, once a minute) the Unread list's
first page and the notifications' unread count (one Query) come too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, Protocol

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from forum import boards, reading
from forum.errors import Invalid, NotFound
from forum.i18n import _
from forum.identity import Member
from forum.ids import ID_SCHEMA_PATTERN
from forum.models import Board, ForumItem, Topic

from .auth import require_member
from .params import Cursor, Page
from .responses import answers, ok
from .schemas.unread import OverlayOut

router = Router()


@dataclass
class Scene:
    """The page an overlay is for, with what the page itself reads."""

    member: Member
    # The board index's boards (index=true).
    boards: list[Board] | None = None
    # A board page's topics (board=…).
    topics: list[Topic] | None = None
    # A topic page (topic=…&page=…).
    topic_id: str | None = None
    page: int | None = None
    # Sections' options from the query string (count=true...).
    options: dict[str, Any] = field(default_factory=dict)


class Section(Protocol):
    name: str

    def keys(self, scene: Scene) -> list[reading.Key]: ...

    def answer(self, scene: Scene, found: dict[reading.Key, ForumItem]) -> Any: ...


def _sections() -> tuple[Section, ...]:
    # Imported here: each section's module imports this one for Scene.
    from .notices import NotificationsSection
    from .unread import UnreadSection

    # One entry per feature, in the order of OverlayOut's fields.
    return (UnreadSection(), NotificationsSection())


def compose(scene: Scene) -> OverlayOut:
    sections = _sections()
    keys: list[reading.Key] = []
    for section in sections:
        keys += section.keys(scene)
    # One request's worth: on a forum of more than 99 boards the index's later boards are
    # judged by the marks alone (their newest topics' read positions are not read).
    found = reading.fetch(list(dict.fromkeys(keys))[: reading.BATCH_LIMIT])
    return OverlayOut(**{section.name: section.answer(scene, found) for section in sections})


BoardQuery = Annotated[
    str | None, Query(pattern=ID_SCHEMA_PATTERN, description="A board page: the board's id.")
]
TopicQuery = Annotated[
    str | None, Query(pattern=ID_SCHEMA_PATTERN, description="A topic page: the topic's id.")
]
Flag = Annotated[bool, Query(description="true or false.")]


@router.get(
    "/api/me/overlay",
    summary="What is personal on a page (unread markers...), in one call",
    responses=answers(ok(), problems=(401, 404)),
)
def overlay(
    index: Flag = False,
    board: BoardQuery = None,
    cursor: Cursor = None,
    topic: TopicQuery = None,
    page: Page = 1,
    count: Annotated[
        bool, Query(description="Also count the Unread list's first page (3 requests more).")
    ] = False,
) -> OverlayOut:
    member = require_member(router.current_event)
    if sum((index, board is not None, topic is not None)) > 1:
        raise Invalid(_("Give one of index, board and topic: an overlay is for one page."))
    scene = Scene(member, options={"count": count})
    if index:
        scene.boards = boards.list_boards()
    elif board is not None:
        try:
            _board, scene.topics, _next = boards.board_page(board, cursor or None)
        except NotFound:
            scene.topics = []
    elif topic is not None:
        scene.topic_id, scene.page = topic, page
    return compose(scene)
