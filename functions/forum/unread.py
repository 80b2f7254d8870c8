"""Unread tracking: which boards and topics have posts a member has not read, and where the
first of them is (SMF's and phpBB's "new", Discourse's "unread").

A post is read by the member when its number is at most their read position in its topic, or
it is older than the later of their "mark all read" and "mark this board read" marks
(forum.reading). A topic whose newest post is the member's own counts as read: they were there.

- A **topic** has new posts when its newest post is neither. Its first unread post is the one
  after the read position when there is one, post 1 for a topic started after the mark, and
  otherwise not known without reading the topic's posts: the link then goes to the topic's last
  page (``/t/{id}/new``), whose script shows the divider before the first post newer than the
  mark.
- A **board** has unread topics, on the board index, when its newest post is unread by these
  rules (the board item names the post and its topic): the index's one Query, then one
  BatchGetItem of the marks and those topics' read positions. A board whose newest post was
  read while an older topic of it was not shows as read, as SMF's board log would.
- The **Unread** list reads the recent_topics index (one Query per shard) and one BatchGetItem:
  at most ``CANDIDATES`` topics of recent activity are looked at per page, and the page shows
  the first ``per_page`` unread among them, so its cost never grows with the member's history.
- **Replies to you** reads the member's latest posts (one Query of user_posts) and one
  BatchGetItem of their topics with the read positions: the topics they posted in whose newest
  post is someone else's and unread.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from . import cursors, paging, recent, schema
from .models import Board, ForumItem, Post, ReadMarks, ReadPosition, Topic
from .reading import Key, fetch, mark_of, marks_key, read_key, topic_key
from .settings import get_settings

# Topics of recent activity one Unread page looks through: with the marks item, one
# BatchGetItem's 100 keys.
CANDIDATES = 99
# The member's latest posts "Replies to you" looks through: their topics and read positions
# (two keys each) and the marks item fit one BatchGetItem.
REPLIES_POSTS = 100
REPLIES_TOPICS = 49


@dataclass(frozen=True)
class TopicState:
    """What the member has read of one topic."""

    topic_id: str
    unread: bool
    # Their read position (0: none).
    read: int
    # The first post they have not read, when it is known without reading posts.
    first_unread: int | None
    # Posts older than this count as read ("" for no mark).
    mark: str


def topic_state(
    topic: Topic,
    user_id: str,
    marks: ReadMarks | None,
    position: ReadPosition | None,
    own_last: int = 0,
) -> TopicState:
    """``own_last``: the member's own newest post in the topic, when known (read, of course)."""
    mark = mark_of(marks, topic.board_id)
    read = max(int(position.number) if position is not None else 0, own_last)
    last = int(topic.last_number)
    unread = (
        not topic.removed
        and topic.last_activity > mark
        and read < last
        and topic.last_post.author.id != user_id
    )
    first: int | None = None
    if unread:
        if position is not None or own_last:
            first = min(read + 1, last)
        elif topic.started_at > mark:
            first = 1
    return TopicState(topic.topic_id, unread, read, first, mark)


def _marks(found: dict[Key, ForumItem], user_id: str) -> ReadMarks | None:
    item = found.get(marks_key(user_id))
    return item if isinstance(item, ReadMarks) else None


def _position(found: dict[Key, ForumItem], user_id: str, topic_id: str) -> ReadPosition | None:
    item = found.get(read_key(user_id, topic_id))
    return item if isinstance(item, ReadPosition) else None


# --- the board index ------------------------------------------------------------------------


def board_keys(user_id: str, boards: Iterable[Board]) -> list[Key]:
    """What the index's overlay reads of the member: the marks and the read positions of the
    boards' newest posts' topics."""
    keys = [marks_key(user_id)]
    keys += [read_key(user_id, b.last_post.topic_id) for b in boards if b.last_post is not None]
    return keys


def unread_boards(user_id: str, boards: Iterable[Board], found: dict[Key, ForumItem]) -> list[str]:
    """The ids of the boards whose newest post the member has not read."""
    marks = _marks(found, user_id)
    unread = []
    for board in boards:
        last = board.last_post
        if last is None or last.author.id == user_id:
            continue
        if last.created_at <= mark_of(marks, board.board_id):
            continue
        position = _position(found, user_id, last.topic_id)
        if position is None or int(position.number) < int(last.number):
            unread.append(board.board_id)
    return unread


# --- a board page and a topic page ----------------------------------------------------------


def topics_keys(user_id: str, topic_ids: Iterable[str]) -> list[Key]:
    return [marks_key(user_id), *(read_key(user_id, topic_id) for topic_id in topic_ids)]


def topic_states(
    user_id: str, topics: Iterable[Topic], found: dict[Key, ForumItem]
) -> list[TopicState]:
    marks = _marks(found, user_id)
    return [
        topic_state(topic, user_id, marks, _position(found, user_id, topic.topic_id))
        for topic in topics
    ]


def topic_page_keys(user_id: str, topic_id: str) -> list[Key]:
    """A topic page's overlay reads the header (for its board and newest post) with the rest."""
    return [topic_key(topic_id), *topics_keys(user_id, [topic_id])]


def topic_of(found: dict[Key, ForumItem], topic_id: str) -> Topic | None:
    item = found.get(topic_key(topic_id))
    return item if isinstance(item, Topic) and not item.removed else None


# --- the Unread list and Replies to you -----------------------------------------------------


@dataclass(frozen=True)
class Listed:
    topic: Topic
    state: TopicState


@dataclass(frozen=True)
class UnreadPage:
    topics: list[Listed]
    next_cursor: str | None


def _recent_cursor(topic: Topic) -> str:
    return cursors.encode(f"{topic.last_activity}#{topic.topic_id}")


def unread_page(user_id: str, cursor: str | None = None) -> UnreadPage:
    """The topics with posts the member has not read, newest activity first: at most 3
    requests (one Query per shard of recent_topics, one BatchGetItem), whatever they read."""
    before = cursors.decode_recent(cursor) if cursor else None
    per_page = get_settings().topics_per_page
    candidates = recent.newest(CANDIDATES, before)
    found = fetch(topics_keys(user_id, [topic.topic_id for topic in candidates]))
    marks = _marks(found, user_id)
    everything_read_at = marks.all_read_at or "" if marks is not None else ""
    listed: list[Listed] = []
    next_cursor = None
    for index, topic in enumerate(candidates):
        if topic.last_activity <= everything_read_at:
            # All older activity is read: the list ends here.
            return UnreadPage(listed, None)
        state = topic_state(topic, user_id, marks, _position(found, user_id, topic.topic_id))
        if state.unread:
            listed.append(Listed(topic, state))
            if len(listed) == per_page:
                more = index + 1 < len(candidates) or len(candidates) == CANDIDATES
                next_cursor = _recent_cursor(topic) if more else None
                return UnreadPage(listed, next_cursor)
    if len(candidates) == CANDIDATES:
        # Nothing more was unread among these: the next page looks further back.
        next_cursor = _recent_cursor(candidates[-1])
    return UnreadPage(listed, next_cursor)


def unread_count(user_id: str) -> tuple[int, bool]:
    """How many topics the Unread list starts with (at most a page), and whether it has more."""
    page = unread_page(user_id)
    return len(page.topics), page.next_cursor is not None


def replies_page(user_id: str) -> list[Listed]:
    """Topics the member posted in whose newest post is someone else's, unread: two requests
    (their latest posts from user_posts, then one BatchGetItem of topics and read positions)."""
    posts = ForumItem.user_posts.query(
        schema.user_gsi_pk(user_id), scan_index_forward=False, limit=REPLIES_POSTS
    )
    own: dict[str, int] = {}
    for post in posts:
        if isinstance(post, Post) and not post.removed:
            number = own.get(post.topic_id, 0)
            own[post.topic_id] = max(number, int(post.number))
            if len(own) == REPLIES_TOPICS:
                break
    keys = [marks_key(user_id)]
    for topic_id in own:
        keys += [topic_key(topic_id), read_key(user_id, topic_id)]
    found = fetch(keys)
    marks = _marks(found, user_id)
    listed = []
    for topic_id, own_last in own.items():
        topic = topic_of(found, topic_id)
        if topic is None or int(topic.last_number) <= own_last:
            continue  # gone, or nothing after their own last post there
        position = _position(found, user_id, topic_id)
        state = topic_state(topic, user_id, marks, position, own_last)
        if state.unread:
            listed.append(Listed(topic, state))
    listed.sort(key=lambda entry: entry.topic.last_activity, reverse=True)
    return listed


def first_unread_page(state: TopicState) -> int | None:
    return paging.page_of(state.first_unread) if state.first_unread is not None else None
