"""Posts: replying and editing, each exact under concurrent writers (removing: forum.removal).

Every write here is refused to a banned member: replies by the condition on the author's
profile inside the reply's transaction, edits by a read of the member's profile. The author's
post_count moves in the same transaction as the post.
"""

from __future__ import annotations

from collections.abc import Sequence

from pynamodb.exceptions import UpdateError

from . import attachments, clock, flood, receipts, schema
from .content import clean_body, rendered_body
from .errors import Busy, Conflict, Forbidden, Locked, NotFound
from .i18n import _
from .identity import Member
from .models import Board, Post, Receipt, Topic, person
from .profiles import require_writer
from .retries import Retries
from .topics import count_for_author, get_topic, last_post_of, new_post
from .transactions import Cancelled, transaction

# A reply races other replies for the next number; each lost race costs one read and one
# transaction, so even a burst of a few dozen simultaneous replies settles well within this.
REPLY_ATTEMPTS = 40


def get_post(topic_id: str, number: int, consistent: bool = False) -> Post:
    try:
        return Post.get(
            schema.topic_pk(topic_id), schema.post_sk(number), consistent_read=consistent
        )
    except Post.DoesNotExist:
        raise NotFound(f"The topic has no post number {number}.") from None


def reply(
    member: Member,
    topic_id: str,
    body: str,
    attachment_ids: Sequence[str] = (),
    receipt: Receipt | None = None,
) -> tuple[Topic, Post]:
    """Add a post under the topic's next number: one read and one transaction per attempt.

    The transaction puts the post only if nobody took that number first, bumps the topic's and
    the board's counters and the author's post_count with it, and is refused when the author is
    banned; losing the race for the number just means reading again and retrying. It also
    marks the post's attachments as used by it (see forum.attachments). With a ``receipt`` (a
    keyed request), it saves that too, and a retry of a reply made already raises
    ``receipts.AlreadyMade`` having written nothing (see forum.receipts).
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
                if receipt is not None:
                    receipts.add(tx, receipt, {"number": number})
        except Cancelled as cancelled:
            receipts.settle(cancelled, receipt)
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
    # Consistent: a topic locked a moment ago refuses its members' edits.
    topic = get_topic(topic_id, consistent=True)
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
