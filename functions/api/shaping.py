"""Domain items to API bodies: the one place that decides what the JSON looks like."""

from __future__ import annotations

from forum.models import Board, LastPost, Person, Post, Topic
from forum.settings import get_settings
from forum.topics import page_count

from .schemas import (
    BoardLastPost,
    BoardOut,
    BoardRef,
    PersonOut,
    PostOut,
    TopicHeader,
    TopicLastPost,
    TopicSummary,
)


def person_out(person: Person) -> PersonOut:
    return PersonOut(id=person.id, name=person.name)


def board_last_post(last: LastPost | None) -> BoardLastPost | None:
    if last is None:
        return None
    return BoardLastPost(
        topic_id=last.topic_id,
        topic_title=last.topic_title,
        number=int(last.number),
        author=person_out(last.author),
        created_at=last.created_at,
    )


def board_out(board: Board) -> BoardOut:
    return BoardOut(
        id=board.board_id,
        name=board.name,
        description=board.description or "",
        topic_count=int(board.topic_count or 0),
        post_count=int(board.post_count or 0),
        last_post=board_last_post(board.last_post),
    )


def topic_summary(topic: Topic) -> TopicSummary:
    return TopicSummary(
        id=topic.topic_id,
        title=topic.title,
        started_by=person_out(topic.started_by),
        started_at=topic.started_at,
        reply_count=int(topic.reply_count),
        view_count=int(topic.view_count),
        pinned=bool(topic.pinned),
        locked=bool(topic.locked),
        last_post=TopicLastPost(
            number=int(topic.last_post.number),
            author=person_out(topic.last_post.author),
            created_at=topic.last_post.created_at,
        ),
    )


def topic_header(topic: Topic, page: int) -> TopicHeader:
    return TopicHeader(
        id=topic.topic_id,
        title=topic.title,
        board=BoardRef(id=topic.board_id, name=topic.board_name),
        started_by=person_out(topic.started_by),
        started_at=topic.started_at,
        reply_count=int(topic.reply_count),
        view_count=int(topic.view_count),
        pinned=bool(topic.pinned),
        locked=bool(topic.locked),
        page=page,
        page_count=page_count(topic),
        per_page=get_settings().posts_per_page,
    )


def post_out(post: Post) -> PostOut:
    removed = bool(post.removed)
    return PostOut(
        number=int(post.number),
        author=person_out(post.author),
        created_at=post.created_at,
        edited_at=post.edited_at,
        edited_by=person_out(post.edited_by) if post.edited_by else None,
        removed=removed,
        # A removed post keeps its place and number, not its words.
        body="" if removed else post.body,
        body_html="" if removed else post.body_html,
        version=int(post.version or 0),
    )
