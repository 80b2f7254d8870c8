"""Removing posts and whole topics, each count kept exact.

A removed post keeps its place (and number) as "removed", out of its author's list, its
images released with it; the topic's and the board's counters and last posts, and the
author's post_count, move in the same transaction. Removing post 1 removes the topic: gone from
its board at once, then its posts in batches (``remove_topic``). A banned member's removal is
refused by a read of their profile. An account's deletion removes its posts by the same rules
(``remove_for_deletion``).
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from . import attachments, notifications, schema
from .errors import Busy, Forbidden, Locked, NotFound
from .i18n import _
from .identity import Member
from .lastpost import board_unchanged, board_without, latest_live_post, same_post
from .models import Board, LastPost, Post, Profile, Topic, person
from .posts import get_post
from .profiles import require_writer
from .retries import Retries
from .topics import get_topic, last_post_of
from .transactions import Cancelled, Transaction, transaction

# Removing a topic removes its posts in batches of this many (each with its authors' counts),
# for up to this long in one request; a longer topic is finished by repeating the request.
SWEEP_BATCH = 25
TRANSACTION_ITEMS = 100  # DynamoDB's limit for one TransactWriteItems
SWEEP_SECONDS = 6.0
_monotonic = time.monotonic


def remove(member: Member, topic_id: str, number: int, reason: str | None = None) -> bool:
    """Remove a post; it keeps its place (and number) as "removed". Post 1 removes the topic.

    Returns False when the removal of a topic is not finished yet (see ``remove_topic``). A
    moderator's removal of someone else's post tells its author, with the ``reason``.
    """
    reason = _reason(reason)
    if number == 1:
        return remove_topic(member, topic_id, reason)
    return _remove_post(member, topic_id, number, allowed=False, reason=reason)


def remove_for_deletion(remover: Member, topic_id: str, number: int, deadline: float) -> bool:
    """Remove a post of an account being deleted (forum.deletion), by these same rules: post 1
    removes its topic, and every count moves with it. The deletion was allowed already, so
    neither the remover's role nor their ban is asked, and a locked topic is no obstacle.
    Returns False while a topic's posts are still being removed at ``deadline``
    (``time.monotonic``); a post of a removed topic is removed with the rest of its posts.
    Nobody is notified: the author is the member who is leaving."""
    topic = _any_topic(topic_id)
    if topic.removed:
        return _remove_posts_of(remover, topic, deadline) if topic.removing_posts else True
    if number == 1:
        return _remove_topic(remover, topic_id, deadline)
    return _remove_post(remover, topic_id, number, allowed=True)


def _remove_post(
    member: Member, topic_id: str, number: int, allowed: bool, reason: str | None = None
) -> bool:
    count_author = True
    may_write = allowed
    for _attempt in Retries(5):
        topic = get_topic(topic_id, consistent=True)
        post = get_post(topic_id, number, consistent=True)
        if post.removed:
            return True
        if not allowed and post.author.id != member.user_id and not member.is_moderator:
            raise Forbidden("Only the author or a moderator can remove this post.")
        if not allowed and topic.locked and not member.is_moderator:
            raise Locked("This topic is locked; only moderators can remove its posts.")
        if not may_write:
            require_writer(member)
            may_write = True
        try:
            _write_removal(member, topic, post, count_author)
            if not allowed:
                notifications.notify_moderation(
                    member, post.author, notifications.REMOVED, topic, number, reason
                )
            return True
        except Cancelled as cancelled:
            if cancelled.failed("author"):
                # The author has no profile (it was never made): there is no count to lower.
                count_author = False
            elif not cancelled.raced:
                raise Busy() from cancelled
    raise Busy(_("The topic is changing quickly; please try removing the post again."))


def _write_removal(member: Member, topic: Topic, post: Post, count_author: bool) -> None:
    board = Board.get(schema.BOARDS_PK, schema.board_sk(topic.board_id), consistent_read=True)
    topic_actions: list[Any] = [Topic.reply_count.add(-1)]
    board_actions: list[Any] = [Board.post_count.add(-1)]
    new_last: LastPost | None = None
    if same_post(topic.last_post, topic.topic_id, int(post.number)):
        previous = latest_live_post(topic.topic_id, int(post.number))
        if previous is not None:
            new_last = last_post_of(topic.topic_id, topic.title, previous)
            topic_actions += [
                Topic.last_post.set(new_last),
                Topic.last_activity.set(new_last.created_at),
                Topic.gsi1sk.set(
                    schema.topic_order_key(topic.pinned, new_last.created_at, topic.topic_id)
                ),
            ]
    board_actions += board_without(board, topic.topic_id, int(post.number), new_last)
    with transaction() as tx:
        _mark_removed(tx, "post", member, post)
        tx.update(
            "topic",
            topic,
            actions=[*topic_actions, Topic.revised()],
            condition=topic.unchanged(),
        )
        tx.update("board", board, actions=board_actions, condition=board_unchanged(board))
        if count_author:
            _count_removed(tx, "author", post.author.id, posts=1)
        _release_images(tx, post)


def _release_images(tx: Transaction, post: Post) -> None:
    """The removed post's images go with it ("attachments"). The post's own update carries its
    version, so the list read is the list committed."""
    ids = [item.id for item in post.attachments or []]
    if ids:
        attachments.release(tx, ids, attachments.post_use(post.topic_id, int(post.number)), True)


def _mark_removed(tx: Transaction, name: str, member: Member, post: Post) -> None:
    """The post's own update, unless someone removed it first: out of the author's partition of
    the user_posts index (a member's page lists only posts that are there) into their removed
    posts' one, under the same key (their export still finds it), and without its images,
    which are released with it (``_release_images``)."""
    tx.update(
        name,
        post,
        actions=[
            Post.removed.set(True),
            Post.removed_by.set(person(member.user_id, member.name)),
            Post.gsi2pk.set(schema.removed_posts_gsi_pk(post.author.id)),
            Post.attachments.remove(),
        ],
        condition=Post.removed == False,  # noqa: E712
    )


def _count_removed(
    tx: Transaction, name: str, user_id: str, posts: int = 0, topics: int = 0
) -> None:
    """Lower a member's counts, in the transaction that removes their posts or topic."""
    actions: list[Any] = []
    if posts:
        actions.append(Profile.post_count.add(-posts))
    if topics:
        actions.append(Profile.topic_count.add(-topics))
    tx.update(
        name,
        Profile(schema.user_pk(user_id), schema.PROFILE_SK),
        actions=actions,
        condition=Profile.pk.exists(),
    )


# --- removing whole topics ------------------------------------------------------------------------


def _any_topic(topic_id: str) -> Topic:
    """The topic, removed or not; 404 when it never existed."""
    try:
        return Topic.get(schema.topic_pk(topic_id), schema.TOPIC_SK, consistent_read=True)
    except Topic.DoesNotExist:
        raise NotFound(f"There is no topic with the id {topic_id!r}.") from None


def _reason(reason: str | None) -> str | None:
    return notifications.clean_reason(reason)


def remove_topic(member: Member, topic_id: str, reason: str | None = None) -> bool:
    """Remove a topic (moderators): gone from its board at once, then its posts one by one.

    The first transaction takes the topic out of the board's list and counters and lowers its
    starter's topic_count. Then each post is marked removed together with its author's
    post_count, in batches, so that every member's count stays exact. A very long topic may
    take longer than one request may: the function then returns False, and repeating the
    request carries on where it stopped (a removed topic with no posts left to remove is 404).
    """
    if not member.is_moderator:
        raise Forbidden("Only moderators can remove a whole topic.")
    reason = _reason(reason)  # before anything is written
    require_writer(member)
    return _remove_topic(member, topic_id, _monotonic() + SWEEP_SECONDS, notify=True, reason=reason)


def _remove_topic(
    member: Member,
    topic_id: str,
    deadline: float,
    *,
    notify: bool = False,
    reason: str | None = None,
) -> bool:
    count_starter = True
    for _attempt in Retries(5):
        topic = _any_topic(topic_id)
        if topic.removed:
            if not topic.removing_posts:
                raise NotFound(f"There is no topic with the id {topic_id!r}.")
            break
        try:
            _write_topic_removal(topic, count_starter)
            # Once, when the topic goes (a repeated request only finishes the sweep).
            if notify:
                notifications.notify_moderation(
                    member, topic.started_by, notifications.REMOVED, topic, 1, reason
                )
            break
        except Cancelled as cancelled:
            if cancelled.failed("starter"):
                count_starter = False  # the starter has no profile: no count to lower
            elif not cancelled.raced:
                raise Busy() from cancelled
    else:
        raise Busy(_("The topic is changing quickly; please try removing it again."))
    return _remove_posts_of(member, topic, deadline)


def _write_topic_removal(topic: Topic, count_starter: bool) -> None:
    board = Board.get(schema.BOARDS_PK, schema.board_sk(topic.board_id), consistent_read=True)
    board_actions: list[Any] = [
        Board.topic_count.add(-1),
        Board.post_count.add(-(int(topic.reply_count) + 1)),
        *board_without(board, topic.topic_id),
    ]
    with transaction() as tx:
        tx.update(
            "topic",
            topic,
            actions=[
                Topic.removed.set(True),
                Topic.removing_posts.set(True),
                Topic.gsi1pk.remove(),
                Topic.gsi1sk.remove(),
                Topic.revised(),
            ],
            condition=topic.unchanged(),
        )
        tx.update("board", board, actions=board_actions, condition=board_unchanged(board))
        if count_starter:
            _count_removed(tx, "starter", topic.started_by.id, topics=1)


def _remove_posts_of(member: Member, topic: Topic, deadline: float) -> bool:
    # Read consistently: a reply committed just before the topic's removal must be swept too,
    # or it stays live, its author's count one too high and its images public.
    live = Post.query(
        schema.topic_pk(topic.topic_id),
        Post.sk.startswith(schema.POST_SK_PREFIX),
        filter_condition=Post.removed == False,  # noqa: E712
        consistent_read=True,
        page_size=100,
    )
    batch: list[Post] = []
    # One batch at least, whatever the deadline, so that every request gets on with it.
    swept = False
    for post in live:
        # A transaction holds at most 100 items: the posts, their authors and their images.
        if batch and _items_to_remove([*batch, post]) > TRANSACTION_ITEMS:
            if swept and _monotonic() > deadline:
                return False
            _remove_batch(member, batch)
            batch, swept = [], True
        batch.append(post)
        if len(batch) == SWEEP_BATCH:
            if swept and _monotonic() > deadline:
                return False
            _remove_batch(member, batch)
            batch, swept = [], True
    if batch:
        if swept and _monotonic() > deadline:
            return False
        _remove_batch(member, batch)
    topic.update(actions=[Topic.removing_posts.remove()])
    return True


def _items_to_remove(posts: list[Post]) -> int:
    authors = {post.author.id for post in posts}
    return len(posts) + len(authors) + sum(len(post.attachments or []) for post in posts)


def _remove_batch(member: Member, posts: list[Post]) -> None:
    """Mark these posts removed and lower their authors' counts: one transaction."""
    authors = Counter(post.author.id for post in posts)
    try:
        with transaction() as tx:
            for post in posts:
                _mark_removed(tx, "posts", member, post)
            for user_id, count in authors.items():
                _count_removed(tx, "authors", user_id, posts=count)
            for post in posts:
                _release_images(tx, post)
    except Cancelled:
        # Someone removed one of them meanwhile, or an author has no profile: one at a time.
        for post in posts:
            _remove_one(member, post)


def _remove_one(member: Member, post: Post) -> None:
    count_author = True
    for _attempt in Retries(5):
        try:
            with transaction() as tx:
                _mark_removed(tx, "post", member, post)
                if count_author:
                    _count_removed(tx, "author", post.author.id, posts=1)
                _release_images(tx, post)
            return
        except Cancelled as cancelled:
            if cancelled.failed("post"):
                current = get_post(post.topic_id, int(post.number), consistent=True)
                if current.removed:
                    return
                post = current
            elif cancelled.failed("author"):
                count_author = False
            elif not cancelled.raced:
                raise Busy() from cancelled
    raise Busy(_("The topic is changing quickly; please try removing it again."))
