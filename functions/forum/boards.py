"""Boards: the index of boards and a board's page of topics."""

from __future__ import annotations

from pynamodb.exceptions import PutError

from . import clock, cursors, schema
from .content import DESCRIPTION_MAX, NAME_MAX, clean_line
from .errors import Conflict, Forbidden, NotFound
from .identity import Member
from .models import Board, ForumItem, Topic
from .settings import get_settings


def list_boards() -> list[Board]:
    """Every board with its counters and last post, in display order: one Query."""
    boards = Board.query(schema.BOARDS_PK, Board.sk.startswith(schema.BOARD_SK_PREFIX))
    return sorted(boards, key=lambda board: (board.position, board.name.casefold()))


def get_board(board_id: str) -> Board:
    try:
        return Board.get(schema.BOARDS_PK, schema.board_sk(board_id))
    except Board.DoesNotExist:
        raise NotFound(f"There is no board with the id {board_id!r}.") from None


def create_board(member: Member, name: str, description: str) -> Board:
    if not member.is_admin:
        raise Forbidden("Only admins can create boards.")
    name = clean_line(name, "name", NAME_MAX)
    description = description.strip()
    if description:
        description = clean_line(description, "description", DESCRIPTION_MAX)
    board_id = clock.new_id()
    board = Board(
        schema.BOARDS_PK,
        schema.board_sk(board_id),
        board_id=board_id,
        name=name,
        description=description,
        # New boards go last; clock time keeps them in creation order without reading the others.
        position=clock.epoch_seconds(),
        created_at=clock.now_iso(),
        gsi1pk=schema.board_gsi_pk(board_id),
        gsi1sk=schema.BOARD_HEADER_GSI_SK,
    )
    try:
        board.save(condition=Board.pk.does_not_exist())
    except PutError as error:  # pragma: no cover - a 72-bit random id collided
        raise Conflict("A board with this id exists already; try again.") from error
    return board


def board_page(board_id: str, cursor: str | None) -> tuple[Board, list[Topic], str | None]:
    """A board and one page of its topics, pinned first, then by last activity.

    The first page is one Query: the board's own item sorts above its topics in the index.
    Later pages read the board and the page of topics: two requests.
    """
    per_page = get_settings().topics_per_page
    index = ForumItem.board_topics
    gsi_pk = schema.board_gsi_pk(board_id)
    board: Board | None
    if cursor is None:
        items = list(index.query(gsi_pk, scan_index_forward=False, limit=per_page + 2))
        board = next((item for item in items if isinstance(item, Board)), None)
    else:
        after = cursors.decode(cursor)
        board = get_board(board_id)
        start_key = {
            schema.PARTITION_KEY: {"S": schema.topic_pk(cursors.topic_id_of(after))},
            schema.SORT_KEY: {"S": schema.TOPIC_SK},
            schema.BOARD_TOPICS_PK: {"S": gsi_pk},
            schema.BOARD_TOPICS_SK: {"S": after},
        }
        items = list(
            index.query(
                gsi_pk,
                scan_index_forward=False,
                limit=per_page + 1,
                last_evaluated_key=start_key,
            )
        )
    if board is None:
        raise NotFound(f"There is no board with the id {board_id!r}.")
    topics = [item for item in items if isinstance(item, Topic)]
    next_cursor = None
    if len(topics) > per_page:
        topics = topics[:per_page]
        next_cursor = cursors.encode(topics[-1].gsi1sk or "")
    return board, topics, next_cursor
