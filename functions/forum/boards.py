"""Boards: the index of boards, a board's page of topics, and the admins' board management."""

from __future__ import annotations

import time
from typing import Any

from pynamodb.exceptions import DeleteError, PutError, UpdateError

from . import clock, cursors, schema
from .content import DESCRIPTION_MAX, NAME_MAX, clean_line
from .errors import Busy, Conflict, Forbidden, Invalid, NotFound
from .identity import Member
from .models import Board, ForumItem, Topic
from .profiles import require_writer
from .settings import get_settings
from .transactions import Cancelled, transaction

# Renaming a board renames its topics' copy of the name in transactions of this many, for up to
# this long in one request; a board with more topics is finished by repeating the request.
RENAME_BATCH = 25
RENAME_SECONDS = 6.0
POSITION_MAX = 10**12
_monotonic = time.monotonic


def list_boards() -> list[Board]:
    """Every board with its counters and last post, in display order: one Query."""
    boards = Board.query(schema.BOARDS_PK, Board.sk.startswith(schema.BOARD_SK_PREFIX))
    return sorted(boards, key=lambda board: (board.position, board.name.casefold()))


def get_board(board_id: str, consistent: bool = False) -> Board:
    try:
        return Board.get(schema.BOARDS_PK, schema.board_sk(board_id), consistent_read=consistent)
    except Board.DoesNotExist:
        raise NotFound(f"There is no board with the id {board_id!r}.") from None


def create_board(member: Member, name: str, description: str) -> Board:
    if not member.is_admin:
        raise Forbidden("Only admins can create boards.")
    name = clean_line(name, "name", NAME_MAX)
    description = _clean_description(description)
    require_writer(member)
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


def _clean_description(description: str) -> str:
    description = description.strip()
    return clean_line(description, "description", DESCRIPTION_MAX) if description else ""


def change_board(
    member: Member,
    board_id: str,
    *,
    name: str | None = None,
    description: str | None = None,
    position: int | None = None,
) -> tuple[Board, bool]:
    """Rename, describe or reorder a board (admins); returns it and whether all is done.

    Topics carry their board's name, so that a topic page needs no read of the board; a rename
    therefore renames them too, through the board's index, in transactions of a few dozen. A
    board with very many topics may need more than one request: the second value is then False,
    and repeating the request (with the same name) carries on where it stopped.
    """
    if not member.is_admin:
        raise Forbidden("Only admins can change boards.")
    actions: list[Any] = []
    if name is not None:
        name = clean_line(name, "name", NAME_MAX)
        actions.append(Board.name.set(name))
    if description is not None:
        actions.append(Board.description.set(_clean_description(description)))
    if position is not None:
        if not 0 <= position <= POSITION_MAX:
            raise Invalid(f"The position is a whole number from 0 to {POSITION_MAX}.", "position")
        actions.append(Board.position.set(position))
    if not actions:
        raise Invalid("Give at least one of name, description and position.")
    require_writer(member)
    board = Board(schema.BOARDS_PK, schema.board_sk(board_id))
    try:
        board.update(actions=actions, condition=Board.pk.exists())
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            raise NotFound(f"There is no board with the id {board_id!r}.") from error
        raise Busy() from error
    finished = True if name is None else _rename_topics(board_id, name)
    return board, finished


def _rename_topics(board_id: str, name: str) -> bool:
    deadline = _monotonic() + RENAME_SECONDS
    stale = ForumItem.board_topics.query(
        schema.board_gsi_pk(board_id),
        ForumItem.gsi1sk.between("0", "2"),
        filter_condition=Topic.board_name != name,
        page_size=100,
    )
    batch: list[Topic] = []
    for item in stale:
        if not isinstance(item, Topic):
            continue
        batch.append(item)
        if len(batch) == RENAME_BATCH:
            if _monotonic() > deadline:
                return False
            _rename_batch(batch, board_id, name)
            batch = []
    if batch:
        if _monotonic() > deadline:
            return False
        _rename_batch(batch, board_id, name)
    return True


def _renaming(board_id: str) -> Any:
    # Only while the topic is still in this board: one moved away keeps its new board's name.
    return Topic.board_id == board_id


def _rename_batch(topics: list[Topic], board_id: str, name: str) -> None:
    try:
        with transaction() as tx:
            for topic in topics:
                tx.update(
                    "topics",
                    topic,
                    actions=[Topic.board_name.set(name)],
                    condition=_renaming(board_id),
                )
    except Cancelled:
        # A topic moved away or another write raced with the batch: one at a time.
        for topic in topics:
            try:
                topic.update(actions=[Topic.board_name.set(name)], condition=_renaming(board_id))
            except UpdateError as error:
                if error.cause_response_code != "ConditionalCheckFailedException":
                    raise Busy() from error


def delete_board(member: Member, board_id: str) -> None:
    """Delete a board (admins) that has no topics; 409 while it has any."""
    if not member.is_admin:
        raise Forbidden("Only admins can delete boards.")
    require_writer(member)
    board = Board(schema.BOARDS_PK, schema.board_sk(board_id))
    try:
        board.delete(condition=Board.pk.exists() & (Board.topic_count == 0))
    except DeleteError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise Busy() from error
        current = get_board(board_id, consistent=True)
        raise Conflict(
            f"The board {current.name!r} still has {int(current.topic_count)} topic(s); move or "
            "remove them before deleting it."
        ) from error


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
