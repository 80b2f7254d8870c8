"""Posts: replying, editing and removing, each exact under concurrent writers.

Every write here is refused to a banned member: replies by the condition on the author's
profile inside the reply's transaction, edits and removals by a read of the member's profile.
The author's post_count moves in the same transaction as the post.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from typing import Any, cast

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import Condition

from . import attachments, clock, flood, schema
from .content import clean_body, rendered_body
from .errors import Busy, Conflict, Forbidden, Locked, NotFound
from .i18n import _
from .identity import Member
from .models import Board, ForumItem, LastPost, Post, Profile, Topic, person
from .profiles import require_writer
from .retries import Retries
from .settings import get_settings
from .topics import count_for_author, get_topic, last_post_of, new_post
from .transactions import Cancelled, Transaction, transaction

# A reply races other replies for the next number; each lost race costs one read and one
# transaction, so even a burst of a few dozen simultaneous replies settles well within this.
REPLY_ATTEMPTS = 40
# Removing a topic removes its posts in batches of this many (each with its authors' counts),
# for up to this long in one request; a longer topic is finished by repeating the request.
SWEEP_BATCH = 25
TRANSACTION_ITEMS = 100  # DynamoDB's limit for one TransactWriteItems
SWEEP_SECONDS = 6.0
_monotonic = time.monotonic


def get_post(topic_id: str, number: int, consistent: bool = False) -> Post:
    try:
        return Post.get(
            schema.topic_pk(topic_id), schema.post_sk(number), consistent_read=consistent
        )
    except Post.DoesNotExist:
        raise NotFound(f"The topic has no post number {number}.") from None


def reply(
    member: Member, topic_id: str, body: str, attachment_ids: Sequence[str] = ()
) -> tuple[Topic, Post]:
    """Add a post under the topic's next number: one read and one transaction per attempt.

    The transaction puts the post only if nobody took that number first, bumps the topic's and
    the board's counters and the author's post_count with it, and is refused when the author is
    banned; losing the race for the number just means reading again and retrying. It also
    marks the post's attachments as used by it (see forum.attachments).
    """
    body = clean_body(body)
    html = rendered_body(body)  # once, not at every attempt
    author = person(member.user_id, member.name)
    # Not used by any post yet: the post's number is not known until its transaction.
    shown = attachments.for_post(member, attachment_ids, use="")
    rules = flood.PostingRules.current()
    new_hour = False
    retries = Retries(REPLY_ATTEMPTS)
    for _attempt in retries:
        topic = get_topic(topic_id, consistent=True)
        if topic.locked and not member.is_moderator:
            raise Locked("This topic is locked; only moderators can reply to it.")
        number = int(topic.last_number) + 1
        moment = clock.now()
        at = clock.iso(moment)
        post = new_post(topic_id, number, author, at, body, html)
        post.attachments = attachments.entries(shown)
        last = last_post_of(topic_id, topic.title, post)
        try:
            with transaction() as tx:
                tx.save("post", post, condition=Post.pk.does_not_exist())
                tx.update(
                    "topic",
                    topic,
                    actions=[
                        Topic.last_number.set(number),
                        Topic.reply_count.add(1),
                        Topic.last_post.set(last),
                        Topic.last_activity.set(at),
                        Topic.gsi1sk.set(schema.topic_order_key(topic.pinned, at, topic_id)),
                        Topic.revised(),
                    ],
                    condition=topic.unchanged(),
                )
                tx.update(
                    "board",
                    Board(schema.BOARDS_PK, schema.board_sk(topic.board_id)),
                    actions=[Board.post_count.add(1), Board.last_post.set(last)],
                    condition=Board.pk.exists(),
                )
                count_for_author(tx, member, posts=1, moment=moment, new_hour=new_hour, rules=rules)
                attachments.attach(tx, shown, attachments.post_use(topic_id, number))
        except Cancelled as cancelled:
            if cancelled.failed("author"):
                new_hour = flood.settle_refused_post(member, moment, rules)
                retries.again_now()
                continue
            if cancelled.failed("attachments"):
                # An attachment was finished (or taken) meanwhile: read them again.
                shown = attachments.for_post(member, attachment_ids, use="")
                retries.again_now()
                continue
            if not cancelled.raced:
                raise Busy() from cancelled
            continue
        topic.last_number = number
        topic.reply_count += 1
        topic.last_post = last
        topic.revision = int(topic.revision or 0) + 1
        return topic, post
    raise Busy(_("Too many people are replying to this topic at once; please try again."))


def edit(
    member: Member,
    topic_id: str,
    number: int,
    body: str,
    expected_version: int | None,
    attachment_ids: Sequence[str] | None = None,
) -> Post:
    """Change a post's body (and its attachments, when given); the author or a moderator may.
    A stale edit is a conflict."""
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
    require_writer(member)
    at = clock.now_iso()
    if attachment_ids is not None:
        return _edit_with_attachments(member, post, body, at, attachment_ids)
    try:
        # PynamoDB adds "version = the version read" to the condition and increments it.
        post.update(
            actions=[
                *Post.text_actions(body, rendered_body(body)),
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
        raise Busy() from error
    return post


def _edit_with_attachments(
    member: Member, post: Post, body: str, at: str, attachment_ids: Sequence[str]
) -> Post:
    """The edit and the attachments it adds and drops, in one transaction."""
    use = attachments.post_use(post.topic_id, int(post.number))
    current = [item.id for item in post.attachments or []]
    html = rendered_body(body)
    for _attempt in Retries(3, backoff=False):
        shown, released = attachments.for_edit(member, attachment_ids, use, current)
        entries = attachments.entries(shown)
        try:
            with transaction() as tx:
                # PynamoDB adds "version = the version read" and increments it.
                tx.update(
                    "post",
                    post,
                    actions=[
                        *Post.text_actions(body, html),
                        Post.edited_at.set(at),
                        Post.edited_by.set(person(member.user_id, member.name)),
                        Post.attachments.set(entries) if entries else Post.attachments.remove(),
                    ],
                    condition=Post.removed == False,  # noqa: E712
                )
                attachments.attach(tx, shown, use)
                attachments.release(tx, released, use)
        except Cancelled as cancelled:
            if cancelled.failed("post"):
                raise Conflict(
                    "The post was changed or removed since you loaded it; reload it and try again."
                ) from cancelled
            if cancelled.failed("attachments"):
                continue  # an attachment was finished (or taken) meanwhile: read them again
            raise Busy() from cancelled
        post.text, post.edited_at = (body, html), at
        post.legacy_body = post.legacy_body_html = None
        post.edited_by = person(member.user_id, member.name)
        post.attachments = entries
        return post
    raise Busy(_("The post's attachments kept changing; please try again."))


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
        # DynamoDB filters after it reads: read a page's worth at a time, not one post per
        # request, or a run of removed posts costs one request each.
        page_size=get_settings().posts_per_page,
    )
    return next(iter(posts), None)


def latest_in_board(board_id: str, skip_topic: str, candidate: LastPost | None) -> LastPost | None:
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


def same_post(last: LastPost | None, topic_id: str, number: int | None = None) -> bool:
    if last is None or last.topic_id != topic_id:
        return False
    return number is None or int(last.number) == number


def board_unchanged(board: Board) -> Condition:
    """The condition that the board's last post is still the one read.

    A concurrent post elsewhere in the board must not be overwritten with an older one.
    """
    if board.last_post is None:
        return Board.last_post.does_not_exist()
    return cast(Condition, Board.last_post.created_at == board.last_post.created_at)


def remove(member: Member, topic_id: str, number: int) -> bool:
    """Remove a post; it keeps its place (and number) as "removed". Post 1 removes the topic.

    Returns False when the removal of a topic is not finished yet (see ``remove_topic``).
    """
    if number == 1:
        return remove_topic(member, topic_id)
    count_author = True
    may_write = False
    for _attempt in Retries(5):
        topic = get_topic(topic_id, consistent=True)
        post = get_post(topic_id, number, consistent=True)
        if post.removed:
            return True
        if post.author.id != member.user_id and not member.is_moderator:
            raise Forbidden("Only the author or a moderator can remove this post.")
        if topic.locked and not member.is_moderator:
            raise Locked("This topic is locked; only moderators can remove its posts.")
        if not may_write:
            require_writer(member)
            may_write = True
        try:
            _write_removal(member, topic, post, count_author)
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
    if same_post(board.last_post, topic.topic_id, int(post.number)):
        board_last = latest_in_board(topic.board_id, topic.topic_id, new_last)
        board_actions.append(
            Board.last_post.set(board_last) if board_last else Board.last_post.remove()
        )
    with transaction() as tx:
        tx.update(
            "post",
            post,
            actions=_removed_post_actions(member),
            condition=Post.removed == False,  # noqa: E712
        )
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


def _removed_post_actions(member: Member) -> list[Any]:
    # Out of the user_posts index too: a member's page lists only posts that are there; and
    # without its images, which are released with it.
    return [
        Post.removed.set(True),
        Post.removed_by.set(person(member.user_id, member.name)),
        Post.gsi2pk.remove(),
        Post.gsi2sk.remove(),
        Post.attachments.remove(),
    ]


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


# --- removing whole topics --------------------------------------------------------------------


def _any_topic(topic_id: str) -> Topic:
    """The topic, removed or not; 404 when it never existed."""
    try:
        return Topic.get(schema.topic_pk(topic_id), schema.TOPIC_SK, consistent_read=True)
    except Topic.DoesNotExist:
        raise NotFound(f"There is no topic with the id {topic_id!r}.") from None


def remove_topic(member: Member, topic_id: str) -> bool:
    """Remove a topic (moderators): gone from its board at once, then its posts one by one.

    The first transaction takes the topic out of the board's list and counters and lowers its
    starter's topic_count. Then each post is marked removed together with its author's
    post_count, in batches, so that every member's count stays exact. A very long topic may
    take longer than one request may: the function then returns False, and repeating the
    request carries on where it stopped (a removed topic with no posts left to remove is 404).
    """
    if not member.is_moderator:
        raise Forbidden("Only moderators can remove a whole topic.")
    require_writer(member)
    deadline = _monotonic() + SWEEP_SECONDS
    count_starter = True
    for _attempt in Retries(5):
        topic = _any_topic(topic_id)
        if topic.removed:
            if not topic.removing_posts:
                raise NotFound(f"There is no topic with the id {topic_id!r}.")
            break
        try:
            _write_topic_removal(topic, count_starter)
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
    ]
    if same_post(board.last_post, topic.topic_id):
        board_last = latest_in_board(topic.board_id, topic.topic_id, None)
        board_actions.append(
            Board.last_post.set(board_last) if board_last else Board.last_post.remove()
        )
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
    live = Post.query(
        schema.topic_pk(topic.topic_id),
        Post.sk.startswith(schema.POST_SK_PREFIX),
        filter_condition=Post.removed == False,  # noqa: E712
        page_size=100,
    )
    batch: list[Post] = []
    for post in live:
        # A transaction holds at most 100 items: the posts, their authors and their images.
        if batch and _items_to_remove([*batch, post]) > TRANSACTION_ITEMS:
            if _monotonic() > deadline:
                return False
            _remove_batch(member, batch)
            batch = []
        batch.append(post)
        if len(batch) == SWEEP_BATCH:
            if _monotonic() > deadline:
                return False
            _remove_batch(member, batch)
            batch = []
    if batch:
        if _monotonic() > deadline:
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
                tx.update(
                    "posts",
                    post,
                    actions=_removed_post_actions(member),
                    condition=Post.removed == False,  # noqa: E712
                )
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
                tx.update(
                    "post",
                    post,
                    actions=_removed_post_actions(member),
                    condition=Post.removed == False,  # noqa: E712
                )
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
