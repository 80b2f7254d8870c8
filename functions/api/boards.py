"""/api/boards: the board index, a board's topics, and creating boards."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from forum import boards

from .auth import require_member
from .params import BoardId, Cursor
from .responses import answers, created, empty, model, ok, unfinished
from .schemas.boards import BoardChangeIn, BoardIn, BoardList, BoardOut, BoardPage
from .schemas.common import UnderWay
from .shaping import board_out, topic_summary, under_way

router = Router()


@router.get(
    "/api/boards",
    summary="All boards in display order, with counters and last post",
    responses=answers(ok()),
)
def list_boards() -> BoardList:
    return BoardList(boards=[board_out(board) for board in boards.list_boards()])


@router.post(
    "/api/boards",
    summary="Create a board (admins)",
    responses=answers(created(), problems=(401, 403, 409)),
)
def create_board(body: BoardIn) -> Response[BoardOut]:
    member = require_member(router.current_event)
    board = boards.create_board(member, body.name, body.description)
    return Response(
        status_code=201,
        content_type="application/json",
        body=board_out(board),
        headers={"Location": f"/api/boards/{board.board_id}"},
    )


@router.get(
    "/api/boards/<board_id>",
    summary="A board and a page of its topics",
    responses=answers(ok(), problems=(404,)),
)
def board_page(
    board_id: BoardId,
    cursor: Cursor = None,
) -> BoardPage:
    board, topics, next_cursor = boards.board_page(board_id, cursor or None)
    return BoardPage(
        board=board_out(board),
        topics=[topic_summary(topic) for topic in topics],
        next_cursor=next_cursor,
    )


@router.patch(
    "/api/boards/<board_id>",
    summary="Rename, describe or reorder a board (admins)",
    responses=answers(
        model(200, "The board as changed.", BoardOut), unfinished(), problems=(401, 403, 404, 409)
    ),
)
def change_board(board_id: BoardId, body: BoardChangeIn) -> Response[BoardOut | UnderWay]:
    """200 with the board; 202 while a renamed board's many topics are still being renamed."""
    member = require_member(router.current_event)
    board, finished = boards.change_board(
        member, board_id, name=body.name, description=body.description, position=body.position
    )
    if not finished:
        return under_way(
            "The board is renamed; its topics are still being renamed. Send the same request "
            "again to finish."
        )
    return Response(status_code=200, content_type="application/json", body=board_out(board))


@router.delete(
    "/api/boards/<board_id>",
    summary="Delete a board without topics (admins)",
    responses=answers(empty("Deleted."), problems=(401, 403, 404, 409)),
)
def delete_board(board_id: BoardId) -> Response[None]:
    member = require_member(router.current_event)
    boards.delete_board(member, board_id)
    return Response(status_code=204)
