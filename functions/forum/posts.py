"""Posts: replying, editing and removing, each exact under concurrent writers."""

from __future__ import annotations

import random
import time
from typing import Any, cast

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition

from . import clock, schema
from .content import clean_body
from .errors import Busy, Conflict, Forbidden, Locked, NotFound
from .identity import Member
from .markup import render
from .models import Board, ForumItem, LastPost, Post, Topic, cancellation_codes, person, transaction
from .topics import get_topic, last_post_of, new_post

# A reply races other replies for the next number; each lost race costs one read and one
# transaction, so even a burst of a few dozen simultaneous replies settles well within this.
REPLY_ATTEMPTS = 40
RETRYABLE = {"ConditionalCheckFailed", "TransactionConflict"}


def _pause(attempt: int) -> None:
    time.sleep(random.uniform(0, min(0.2, 0.005 * 2**attempt)))


def get_post(topic_id: str, number: int, consistent: bool = False) -> Post:
    try:
        return Post.get(
            schema.topic_pk(topic_id), schema.post_sk(number), consistent_read=consistent
        )
    except Post.DoesNotExist:
        raise NotFound(f"The topic has no post number {number}.") from None


def reply(member: Member, topic_id: str, body: str) -> tuple[Topic, Post]:
    """Add a post under the topic's next number: one read and one transaction per attempt.

    The transaction puts the post only if nobody took that number first and bumps the topic's
    and the board's counters with it; losing the race just means reading again and retrying.
    """
    body = clean_body(body)
    author = person(member.user_id, member.name)
    for attempt in range(REPLY_ATTEMPTS):
        topic = get_topic(topic_id, consistent=True)
        if topic.locked and not member.is_moderator:
            raise Locked("This topic is locked; only moderators can reply to it.")
        number = int(topic.last_number) + 1
        at = clock.now_iso()
        post = new_post(topic_id, number, author, at, body)
        last = last_post_of(topic_id, topic.title, post)
        try:
            with transaction() as tx:
                tx.save(post, condition=Post.pk.does_not_exist())
                tx.update(
                    topic,
                    actions=[
                        Topic.last_number.set(number),
                        Topic.reply_count.add(1),
                        Topic.last_post.set(last),
                        Topic.last_activity.set(at),
                        Topic.gsi1sk.set(schema.topic_order_key(topic.pinned, at, topic_id)),
                    ],
                    condition=(Topic.last_number == topic.last_number) & (Topic.removed == False),  # noqa: E712
                )
                tx.update(
                    Board(schema.BOARDS_PK, schema.board_sk(topic.board_id)),
                    actions=[Board.post_count.add(1), Board.last_post.set(last)],
                    condition=Board.pk.exists(),
                )
        except TransactWriteError as error:
            if not RETRYABLE.intersection(code for code in cancellation_codes(error) if code):
                raise Busy("The forum is busy; please try again.") from error
            _pause(attempt)
            continue
        topic.last_number = number
        topic.reply_count += 1
        topic.last_post = last
        return topic, post
    raise Busy("Too many people are replying to this topic at once; please try again.")


def edit(
    member: Member, topic_id: str, number: int, body: str, expected_version: int | None
) -> Post:
    """Change a post's body; the author or a moderator may. A stale edit is a conflict."""
    body = clean_body(body)
    topic = get_topic(topic_id)
    post = get_post(topic_id, number, consistent=True)
    if post.removed:
        raise Conflict("This post was removed; it cannot be edited.")
    if post.author.id != member.user_id and not member.is_moderator:
        raise Forbidden("Only the author or a moderator can edit this post.")
    if topic.locked and not member.is_moderator:
        raise Locked("This topic is locked; only moderators can edit its posts.")
    if expected_version is not None and expected_version != post.version:
        raise Conflict("The post was changed since you loaded it; reload it and edit again.")
    at = clock.now_iso()
    try:
        # PynamoDB adds "version = the version read" to the condition and increments it.
        post.update(
            actions=[
                Post.body.set(body),
                Post.body_html.set(render(body)),
                Post.edited_at.set(at),
                Post.edited_by.set(person(member.user_id, member.name)),
            ],
            condition=Post.removed == False,  # noqa: E712
        )
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            raise Conflict(
                "The post was changed or removed since you loaded it; reload it and try again."
            ) from error
        raise Busy("The forum is busy; please try again.") from error
    return post


def _latest_live_post(topic_id: str, before: int) -> Post | None:
    """The newest post numbered below ``before`` that is not removed."""
    if before <= 1:
        return None
    posts = Post.query(
        schema.topic_pk(topic_id),
        Post.sk.between(schema.post_sk(1), schema.post_sk(before - 1)),
        filter_condition=Post.removed == False,  # noqa: E712
        scan_index_forward=False,
        limit=1,
    )
    return next(iter(posts), None)


def _latest_in_board(board_id: str, skip_topic: str, candidate: LastPost | None) -> LastPost | None:
    """The board's newest post, looking past ``skip_topic``, whose new last post is ``candidate``.

    Topics sort pinned first, then by last activity, so the newest post of the board is the
    last post of the newest pinned or the newest unpinned topic: two one-item reads.
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


def _same_post(last: LastPost | None, topic_id: str, number: int | None = None) -> bool:
    if last is None or last.topic_id != topic_id:
        return False
    return number is None or int(last.number) == number


def remove(member: Member, topic_id: str, number: int) -> None:
    """Remove a post; it keeps its place (and number) as "removed". Post 1 removes the topic."""
    for attempt in range(5):
        topic = get_topic(topic_id, consistent=True)
        post = get_post(topic_id, number, consistent=True)
        if post.removed:
            return
        if number == 1:
            if not member.is_moderator:
                raise Forbidden(
                    "Only moderators can remove the opening post, which removes the whole topic."
                )
        elif post.author.id != member.user_id and not member.is_moderator:
            raise Forbidden("Only the author or a moderator can remove this post.")
        elif topic.locked and not member.is_moderator:
            raise Locked("This topic is locked; only moderators can remove its posts.")
        try:
            _write_removal(member, topic, post)
            return
        except TransactWriteError as error:
            if not RETRYABLE.intersection(code for code in cancellation_codes(error) if code):
                raise Busy("The forum is busy; please try again.") from error
            _pause(attempt)
    raise Busy("The topic is changing quickly; please try removing the post again.")


def _write_removal(member: Member, topic: Topic, post: Post) -> None:
    board = Board.get(schema.BOARDS_PK, schema.board_sk(topic.board_id), consistent_read=True)
    remover = person(member.user_id, member.name)
    removing_topic = post.number == 1
    topic_actions: list[Any] = []
    board_actions: list[Any] = []
    new_last: LastPost | None = None
    if removing_topic:
        topic_actions += [Topic.removed.set(True), Topic.gsi1pk.remove(), Topic.gsi1sk.remove()]
        board_actions += [
            Board.topic_count.add(-1),
            Board.post_count.add(-(topic.reply_count + 1)),
        ]
    else:
        topic_actions.append(Topic.reply_count.add(-1))
        board_actions.append(Board.post_count.add(-1))
        if _same_post(topic.last_post, topic.topic_id, int(post.number)):
            previous = _latest_live_post(topic.topic_id, int(post.number))
            if previous is not None:
                new_last = last_post_of(topic.topic_id, topic.title, previous)
                topic_actions += [
                    Topic.last_post.set(new_last),
                    Topic.last_activity.set(new_last.created_at),
                    Topic.gsi1sk.set(
                        schema.topic_order_key(topic.pinned, new_last.created_at, topic.topic_id)
                    ),
                ]
    if _same_post(board.last_post, topic.topic_id, None if removing_topic else int(post.number)):
        board_last = _latest_in_board(topic.board_id, topic.topic_id, new_last)
        board_actions.append(
            Board.last_post.set(board_last) if board_last else Board.last_post.remove()
        )
    with transaction() as tx:
        tx.update(
            post,
            actions=[
                Post.removed.set(True),
                Post.removed_by.set(remover),
                Post.gsi2pk.remove(),
                Post.gsi2sk.remove(),
            ],
            condition=Post.removed == False,  # noqa: E712
        )
        tx.update(
            topic,
            actions=topic_actions,
            condition=(Topic.last_number == topic.last_number) & (Topic.removed == False),  # noqa: E712
        )
        # Only if the board's last post is still what was read: a concurrent post elsewhere
        # in the board must not be overwritten with an older one.
        board_condition = (
            Board.last_post.does_not_exist()
            if board.last_post is None
            else cast(Condition, Board.last_post.created_at == board.last_post.created_at)
        )
        tx.update(board, actions=board_actions, condition=board_condition)
