"""forum.unread's rules, without AWS: when a topic has new posts, and where the first one is."""

from __future__ import annotations

from forum import schema
from forum.models import LastPost, ReadMarks, ReadPosition, Topic, person
from forum.unread import topic_state

ME = "user-me"
EARLY = "2026-01-01T00:00:00.000000Z"
MARK = "2026-02-01T00:00:00.000000Z"
LATE = "2026-03-01T00:00:00.000000Z"


def topic(last: int, last_by: str = "user-them", started: str = EARLY, active: str = LATE) -> Topic:
    return Topic(
        schema.topic_pk("t1"),
        schema.TOPIC_SK,
        topic_id="t1",
        board_id="b1",
        board_name="Board",
        title="A topic",
        started_by=person("user-them", "them"),
        started_at=started,
        last_number=last,
        last_post=LastPost(
            topic_id="t1",
            topic_title="A topic",
            number=last,
            author=person(last_by, "someone"),
            created_at=active,
        ),
        last_activity=active,
    )


def position(number: int) -> ReadPosition:
    return ReadPosition(topic_id="t1", number=number, read_at=EARLY)


def marks(all_read: str | None = None, board: str | None = None) -> ReadMarks:
    made = ReadMarks(all_read_at=all_read)
    if board:
        made.boards = {"b1": board}
    return made


def test_a_topic_never_read_starts_at_its_first_post() -> None:
    state = topic_state(topic(3), ME, None, None)
    assert (state.unread, state.read, state.first_unread) == (True, 0, 1)


def test_after_the_read_position_comes_the_first_unread_post() -> None:
    state = topic_state(topic(9), ME, None, position(4))
    assert (state.unread, state.first_unread) == (True, 5)
    assert not topic_state(topic(9), ME, None, position(9)).unread


def test_the_members_own_newest_post_is_read() -> None:
    assert not topic_state(topic(5, last_by=ME), ME, None, position(2)).unread
    # and their own posts count as read where they are known (Replies to you)
    state = topic_state(topic(5), ME, None, None, own_last=3)
    assert (state.read, state.first_unread) == (3, 4)


def test_marks_make_older_posts_read_and_the_later_mark_counts() -> None:
    quiet = topic(4, active=EARLY)
    assert not topic_state(quiet, ME, marks(all_read=MARK), None).unread
    assert not topic_state(quiet, ME, marks(board=MARK), None).unread
    # A reply after the mark, in a topic started before it: new, first post not known
    state = topic_state(topic(4), ME, marks(board=MARK), None)
    assert (state.unread, state.first_unread, state.mark) == (True, None, MARK)
    # A topic started after the mark begins at post 1
    fresh = topic(2, started="2026-02-15T00:00:00.000000Z")
    assert topic_state(fresh, ME, marks(all_read=MARK), None).first_unread == 1


def test_a_removed_topic_has_nothing_new() -> None:
    gone = topic(3)
    gone.removed = True
    assert not topic_state(gone, ME, None, None).unread
