"""The last post of topics and boards, kept right when posts and topics go or move.

A topic and its board each keep a copy of their newest post (``last_post``) for the board
index and the board's page. A reply sets it; a removal or a move that takes away the newest
post must find the one before it (``latest_live_post`` in a topic, ``latest_in_board`` in a
board; ``board_without`` gives the board's update), and write it on the condition that the
board's copy is still the one read (``board_unchanged``), so that a post written elsewhere in
the board meanwhile is not overwritten with an older one. Used by forum.removal and
forum.moderation.
"""

from __future__ import annotations

from typing import Any, cast

from pynamodb.expressions.condition import Condition

from . import schema
from .models import Board, ForumItem, LastPost, Post, Topic
from .settings import get_settings


def latest_live_post(topic_id: str, before: int) -> Post | None:
    """The newest post numbered below ``before`` that is not removed.

    Read consistently: it becomes the topic's last post, and a post removed (or written) just
    before must not be taken for it. The topic's version in the write's condition guards what
    happens after the read.
    """
    if before <= 1:
        return None
    posts = Post.query(
        schema.topic_pk(topic_id),
        Post.sk.between(schema.post_sk(1), schema.post_sk(before - 1)),
        filter_condition=Post.removed == False,  # noqa: E712
        consistent_read=True,
        scan_index_forward=False,
        limit=1,
        # DynamoDB filters after it reads: read a page's worth at a time, not one post per
        # request, or a run of removed posts costs one request each.
        page_size=get_settings().posts_per_page,
    )
    return next(iter(posts), None)


def latest_in_board(board_id: str, skip_topic: str, candidate: LastPost | None) -> LastPost | None:
    """The board's newest post, looking past ``skip_topic``, whose new last post is ``candidate``.

    Topics sort pinned first, then by last activity, so the newest post of the board is the
    last post of the newest pinned or the newest unpinned topic: two one-item reads.

    They read the board_topics index, which DynamoDB cannot read consistently. What guards the
    board is its own item: its last post is read consistently, every reply in the board sets it,
    and the write is conditioned on it being still the one read (``board_unchanged``). So a post
    written in another topic after the one leaving cancels the write, and one written before it
    was itself not the board's last: only posts older than the leaving one are looked up here,
    and only an index entry changed in the fraction of a second before the read (a topic
    pinned, moved or emptied just then) can still be behind. The board would then show an older
    post as its last until its next post sets it; no count depends on it.
    """
    best = candidate
    for pinned in ("1#", "0#"):
        topics = ForumItem.board_topics.query(
            schema.board_gsi_pk(board_id),
            ForumItem.gsi1sk.startswith(pinned),
            scan_index_forward=False,
            limit=2,
        )
        for item in topics:
            if isinstance(item, Topic) and item.topic_id != skip_topic:
                if best is None or item.last_post.created_at > best.created_at:
                    best = item.last_post
                break
    return best


def same_post(last: LastPost | None, topic_id: str, number: int | None = None) -> bool:
    if last is None or last.topic_id != topic_id:
        return False
    return number is None or int(last.number) == number


def board_without(
    board: Board, topic_id: str, number: int | None = None, candidate: LastPost | None = None
) -> list[Any]:
    """The board's last post once post ``number`` of the topic (no number: the whole topic)
    leaves it: the newest post looking past the topic, or ``candidate`` (the topic's own new
    last post) if newer, or none. No action when the board's last post was another."""
    if not same_post(board.last_post, topic_id, number):
        return []
    newest = latest_in_board(board.board_id, topic_id, candidate)
    return [Board.last_post.set(newest) if newest else Board.last_post.remove()]


def board_unchanged(board: Board) -> Condition:
    """The condition that the board's last post is still the one read.

    A concurrent post elsewhere in the board must not be overwritten with an older one.
    """
    if board.last_post is None:
        return Board.last_post.does_not_exist()
    return cast(Condition, Board.last_post.created_at == board.last_post.created_at)
