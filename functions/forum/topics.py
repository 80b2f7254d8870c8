"""Topics: starting one, reading it page by page, and its neighbours in the board's order."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from . import attachments, clock, flood, paging, receipts, schema
from .boards import get_board
from .content import clean_body, clean_title, rendered_body
from .errors import Busy, NotFound
from .identity import Member
from .models import Board, ForumItem, LastPost, Person, Post, Profile, Receipt, Topic, person
from .profiles import not_banned
from .retries import Retries
from .transactions import Cancelled, Transaction, transaction

# A first write makes the author's profile and is tried again; a second miss is not expected.
PROFILE_ATTEMPTS = 3


def get_topic(topic_id: str, consistent: bool = False) -> Topic:
    """A topic that exists and was not removed."""
    try:
        topic = Topic.get(schema.topic_pk(topic_id), schema.TOPIC_SK, consistent_read=consistent)
    except Topic.DoesNotExist:
        topic = None
    if topic is None or topic.removed:
        raise NotFound(f"There is no topic with the id {topic_id!r}.")
    return topic


def new_post(
    topic_id: str, number: int, author: Person, at: str, body: str, html: str | None = None
) -> Post:
    """A post to write; ``html`` is the body rendered by ``content.rendered_body``."""
    return Post(
        schema.topic_pk(topic_id),
        schema.post_sk(number),
        topic_id=topic_id,
        number=number,
        author=author,
        created_at=at,
        body=body,
        body_html=html if html is not None else rendered_body(body),
        gsi2pk=schema.user_gsi_pk(author.id),
        gsi2sk=schema.user_post_key(at, topic_id, number),
    )


def last_post_of(topic_id: str, title: str, post: Post) -> LastPost:
    return LastPost(
        topic_id=topic_id,
        topic_title=title,
        number=post.number,
        author=person(post.author.id, post.author.name),
        created_at=post.created_at,
    )


def create_topic(
    member: Member,
    board_id: str,
    title: str,
    body: str,
    attachment_ids: Sequence[str] = (),
    receipt: Receipt | None = None,
) -> tuple[Topic, Post]:
    """A topic and its opening post, written with the board's counters in one transaction
    (which also marks the post's attachments as used by it: see forum.attachments).

    With a ``receipt`` (a keyed request) the transaction saves it too, and a retry of a topic
    made already raises ``receipts.AlreadyMade`` having written nothing (forum.receipts)."""
    title = clean_title(title)
    body = clean_body(body)
    board_name = get_board(board_id).name
    topic_id = clock.new_id()
    moment = clock.now()
    at = clock.iso(moment)
    author = person(member.user_id, member.name)
    post = new_post(topic_id, 1, author, at, body)
    use = attachments.post_use(topic_id, 1)
    shown = attachments.for_post(member, attachment_ids, use)
    post.attachments = attachments.entries(shown)
    last = last_post_of(topic_id, title, post)
    topic = Topic(
        schema.topic_pk(topic_id),
        schema.TOPIC_SK,
        topic_id=topic_id,
        board_id=board_id,
        board_name=board_name,
        title=title,
        started_by=author,
        started_at=at,
        last_number=1,
        reply_count=0,
        view_count=0,
        last_post=last,
        last_activity=at,
        gsi1pk=schema.board_gsi_pk(board_id),
        gsi1sk=schema.topic_order_key(False, at, topic_id),
        gsi3pk=schema.recent_topics_pk(topic_id),
    )
    board = Board(schema.BOARDS_PK, schema.board_sk(board_id))
    rules = flood.PostingRules.current()
    new_hour = False
    for attempt in Retries(PROFILE_ATTEMPTS, backoff=False):
        # Flood control and bans are judged at each attempt's own time, as its read will be.
        checked_at = moment if attempt == 0 else clock.now()
        try:
            with transaction() as tx:
                tx.save("topic", topic, condition=Topic.pk.does_not_exist())
                tx.save("post", post, condition=Post.pk.does_not_exist())
                tx.update(
                    "board",
                    board,
                    actions=[
                        Board.topic_count.add(1),
                        Board.post_count.add(1),
                        Board.last_post.set(last),
                    ],
                    condition=Board.pk.exists(),
                )
                count_for_author(
                    tx, member, posts=1, topics=1, moment=checked_at, new_hour=new_hour, rules=rules
                )
                attachments.attach(tx, shown, use)
                if receipt is not None:
                    receipts.add(tx, receipt, {"topic_id": topic_id})
        except Cancelled as cancelled:
            receipts.settle(cancelled, receipt)
            if cancelled.failed("board"):
                raise NotFound(f"There is no board with the id {board_id!r}.") from cancelled
            if cancelled.failed("author"):
                new_hour = flood.settle_refused_post(member, checked_at, rules)
                continue
            if cancelled.failed("attachments"):
                # An attachment was finished (or taken) meanwhile: read them again.
                shown = attachments.for_post(member, attachment_ids, use)
                post.attachments = attachments.entries(shown)
                continue
            raise Busy() from cancelled
        return topic, post
    raise Busy()  # pragma: no cover


def count_for_author(
    tx: Transaction,
    member: Member,
    posts: int,
    topics: int = 0,
    *,
    moment: datetime | None = None,
    new_hour: bool = False,
    rules: flood.PostingRules | None = None,
) -> None:
    """Add a write's posts and topics to its author's profile, in the write's transaction (the
    item named "author").

    The update's condition is that the profile exists and its member is not banned, so the
    whole write is refused at once when they are banned (or have no profile yet: see
    ``flood.settle_refused_post``) without a read beforehand. A new post (``moment``) also
    carries the flood-control condition and stamps (see forum.flood).
    """
    actions: list[Any] = [Profile.post_count.add(posts)]
    if topics:
        actions.append(Profile.topic_count.add(topics))
    at = clock.iso(moment) if moment else clock.now_iso()
    condition = Profile.pk.exists() & not_banned(at)
    if moment is not None:
        flood_actions, flood_condition = flood.guard(
            moment, member.is_moderator, rules or flood.PostingRules.current(), new_hour=new_hour
        )
        actions += flood_actions
        if flood_condition is not None:
            condition &= flood_condition
    tx.update(
        "author",
        Profile(schema.user_pk(member.user_id), schema.PROFILE_SK),
        actions=actions,
        condition=condition,
    )


def topic_page_with_authors(
    topic_id: str, page: int
) -> tuple[Topic, list[Post], dict[str, Profile]]:
    """A page of the topic with its header and its authors' profiles: two requests.

    Page N is a key range, so the posts can be read first, without the header; then the header
    and the profiles of the page's authors come in one BatchGetItem.
    """
    topic, posts, profiles, _also = topic_page_with(topic_id, page)
    return topic, posts, profiles


def topic_page_with(
    topic_id: str, page: int, also: Sequence[tuple[str, str]] = ()
) -> tuple[Topic, list[Post], dict[str, Profile], list[ForumItem]]:
    """``topic_page_with_authors``, with the items under the keys ``also`` read in the same
    BatchGetItem (the site's topic page reads its presence counters so): still two requests."""
    first, last = paging.post_range(page)
    posts = list(
        Post.query(
            schema.topic_pk(topic_id),
            Post.sk.between(schema.post_sk(first), schema.post_sk(last)),
        )
    )
    keys = [(schema.topic_pk(topic_id), schema.TOPIC_SK)]
    authors = dict.fromkeys(post.author.id for post in posts)
    keys += [(schema.user_pk(user_id), schema.PROFILE_SK) for user_id in authors]
    keys += [key for key in also if key not in keys]
    topic: Topic | None = None
    profiles: dict[str, Profile] = {}
    others: list[ForumItem] = []
    for item in ForumItem.batch_get(keys):
        if isinstance(item, Topic):
            topic = item
        elif isinstance(item, Profile):
            profiles[item.user_id] = item
        else:
            others.append(item)
    if topic is None or topic.removed:
        raise NotFound(f"There is no topic with the id {topic_id!r}.")
    pages = paging.page_count(int(topic.last_number))
    if page > pages:
        raise NotFound(f"The topic has {pages} page(s); there is no page {page}.")
    return topic, posts, profiles, others


Direction = Literal["previous", "next"]


def neighbour(topic_id: str, direction: Direction) -> Topic:
    """The topic just above ("previous") or below ("next") this one in its board's list."""
    topic = get_topic(topic_id)
    key = topic.gsi1sk or ""
    if direction == "previous":
        # Everything above sorts higher, up to (not including) the board's own "~" item.
        condition = ForumItem.gsi1sk.between(key, "}")
        forward = True
    else:
        condition = ForumItem.gsi1sk.between("0", key)
        forward = False
    candidates = ForumItem.board_topics.query(
        schema.board_gsi_pk(topic.board_id), condition, scan_index_forward=forward, limit=2
    )
    for item in candidates:
        if isinstance(item, Topic) and item.topic_id != topic_id:
            return item
    where = "first" if direction == "previous" else "last"
    raise NotFound(f"This is the {where} topic of its board; there is no {direction} topic.")
