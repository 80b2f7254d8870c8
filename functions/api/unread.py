"""/api/me/unread, /api/me/unread/replies and /api/me/read-marks: the Unread lists and the
marks; and the overlay's unread section (api.overlay)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import Router

from forum import reading, unread
from forum.models import ForumItem

from .auth import require_member
from .bodies import optional_object
from .overlay import Scene
from .params import Cursor
from .responses import answers, ok
from .schemas.unread import (
    ListedTopicOut,
    MarkReadIn,
    MarkReadOut,
    TopicReadOut,
    UnreadListOut,
    UnreadOverlay,
)

router = Router()


def read_out(state: unread.TopicState) -> TopicReadOut:
    return TopicReadOut(
        topic_id=state.topic_id,
        unread=state.unread,
        read=state.read,
        first_unread=state.first_unread,
        first_unread_page=unread.first_unread_page(state),
    )


def listed_out(entry: unread.Listed) -> ListedTopicOut:
    topic = entry.topic
    return ListedTopicOut(
        topic_id=topic.topic_id,
        title=topic.title,
        board_id=topic.board_id,
        board_name=topic.board_name,
        last_number=int(topic.last_number),
        last_activity=topic.last_activity,
        last_post_author=topic.last_post.author.name,
        reply_count=int(topic.reply_count or 0),
        read=read_out(entry.state),
    )


class UnreadSection:
    """The overlay's unread markers: boards on the index, topics on a board page, the topic
    and its "new" divider on a topic page."""

    name = "unread"

    def keys(self, scene: Scene) -> list[reading.Key]:
        user_id = scene.member.user_id
        if scene.boards is not None:
            return unread.board_keys(user_id, scene.boards)
        if scene.topics is not None:
            return unread.topics_keys(user_id, [topic.topic_id for topic in scene.topics])
        if scene.topic_id is not None:
            return unread.topic_page_keys(user_id, scene.topic_id)
        return []

    def answer(self, scene: Scene, found: dict[reading.Key, ForumItem]) -> UnreadOverlay:
        user_id = scene.member.user_id
        out = UnreadOverlay()
        if scene.boards is not None:
            out.boards = unread.unread_boards(user_id, scene.boards, found)
        elif scene.topics is not None:
            out.topics = [
                read_out(state) for state in unread.topic_states(user_id, scene.topics, found)
            ]
        elif scene.topic_id is not None:
            topic = unread.topic_of(found, scene.topic_id)
            if topic is not None:
                (state,) = unread.topic_states(user_id, [topic], found)
                out.topic = read_out(state)
                out.mark = state.mark or None
        if scene.options.get("count"):
            # The header's count: the Unread list's own three requests, asked for now and then.
            out.count, out.more = unread.unread_count(user_id)
        return out


@router.get(
    "/api/me/unread",
    summary="Topics with posts you have not read, newest activity first",
    responses=answers(ok(), problems=(400, 401)),
)
def unread_topics(cursor: Cursor = None) -> UnreadListOut:
    member = require_member(router.current_event)
    page = unread.unread_page(member.user_id, cursor or None)
    return UnreadListOut(
        topics=[listed_out(entry) for entry in page.topics], next_cursor=page.next_cursor
    )


@router.get(
    "/api/me/unread/replies",
    summary="Topics you posted in that have replies you have not read",
    responses=answers(ok(), problems=(401,)),
)
def unread_replies() -> UnreadListOut:
    member = require_member(router.current_event)
    listed = unread.replies_page(member.user_id)
    return UnreadListOut(topics=[listed_out(entry) for entry in listed], next_cursor=None)


@router.post(
    "/api/me/read-marks",
    summary="Mark everything read, or one board (board_id): one write",
    responses=answers(ok(), problems=(401,)),
)
def mark_read(body: MarkReadIn | None = None) -> MarkReadOut:
    member = require_member(router.current_event)
    optional_object(router.current_event)
    board_id: Any = body.board_id if body is not None else None
    if board_id is None:
        return MarkReadOut(marked_at=reading.mark_all_read(member.user_id))
    return MarkReadOut(
        marked_at=reading.mark_board_read(member.user_id, board_id), board_id=board_id
    )
