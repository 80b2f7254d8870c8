"""The notifier function against moto: batches, duplicates, reordering, paging and failures."""

from __future__ import annotations

from typing import Any

from forum import schema
from forum.models import ForumItem
from forum.notice_items import Notification, Watch

from .. import notices
from ..api.conftest import THROTTLED, Faults
from ..conftest import MEMBER, OTHER, Caller
from ..events import claims
from ..factory import new_board, new_replies, new_topic


def entries_of(user_id: str) -> list[Notification]:
    return list(Notification.query(schema.notify_pk(user_id)))


def watchers(topic_id: str, count: int) -> list[str]:
    """So many members watching the topic, written straight to the table."""
    subs = [f"user-watcher-{n:05d}" for n in range(count)]
    with ForumItem.batch_write() as batch:
        for sub in subs:
            batch.save(
                Watch(
                    schema.watchers_pk("topic", topic_id),
                    sub,
                    user_id=sub,
                    level="watching",
                    since="2026-01-01T00:00:00.000000Z",
                )
            )
    return subs


def test_a_batch_with_duplicates_and_reordered_messages(call: Caller, table: Any) -> None:
    # Given a topic with 250 watchers (three pages of them) and three replies
    board = new_board(call, "General")
    topic = new_topic(call, board["id"], "Busy topic")
    subs = watchers(topic["id"], 250)
    new_replies(call, topic["id"], ["one", "two", "three"])
    posts = [notices.new_post(topic["id"], n) for n in (2, 3, 4)]
    # When the messages come in one batch, late ones first and some twice, then again
    answer = notices.deliver([posts[2], posts[0], posts[2], posts[1], posts[0]])
    assert answer == {"batchItemFailures": []}
    notices.deliver(posts)
    # Then every watcher has one entry counting three replies, linking to the first
    for sub in (subs[0], subs[137], subs[-1]):
        (entry,) = entries_of(sub)
        assert (int(entry.replies), int(entry.number), entry.read) == (3, 2, False)
    # and the replier (OTHER) is told nothing of their own replies
    assert entries_of(OTHER["sub"]) == []


def test_what_is_not_a_new_post_or_topic_is_passed_over(call: Caller, table: Any) -> None:
    board = new_board(call, "General")
    topic = new_topic(call, board["id"], "Quiet")
    watchers(topic["id"], 3)
    new_replies(call, topic["id"], ["edited later"])
    insert = notices.new_post(topic["id"], 2)
    modify = type(insert)("MODIFY", insert.pk, insert.sk, insert.sequence, insert.at)
    profile = type(insert)("INSERT", schema.user_pk("x"), schema.PROFILE_SK, "1", insert.at)
    unknown = notices.new_post("no-such-topic", 2)
    answer = notices.deliver([modify, profile, unknown, "not json", '{"event": "INSERT"}'])
    assert answer == {"batchItemFailures": []}
    assert entries_of("user-watcher-00000") == []


def test_a_failure_is_reported_for_that_message_and_its_retry_tells_once(
    call: Caller, table: Any, faults: Faults
) -> None:
    # Given a reply in a watched topic, and DynamoDB throttling the notifier's writes
    board = new_board(call, "General")
    topic = new_topic(call, board["id"], "Flaky")
    subs = watchers(topic["id"], 30)
    new_replies(call, topic["id"], ["hello"])
    faults.fail("BatchWriteItem", THROTTLED, times=20)
    # When the message is handled
    answer = notices.deliver([notices.new_post(topic["id"], 2)])
    # Then it is reported failed (SQS sends it again) ...
    assert answer == {"batchItemFailures": [{"itemIdentifier": "message-0"}]}
    # ... and its retry, with DynamoDB well again, tells each watcher once
    faults.plan.clear()
    assert notices.deliver([notices.new_post(topic["id"], 2)]) == {"batchItemFailures": []}
    notices.deliver([notices.new_post(topic["id"], 2)])
    assert all(len(entries_of(sub)) == 1 for sub in subs)


def test_a_board_watcher_who_started_the_topic_is_not_told(call: Caller, table: Any) -> None:
    board = new_board(call, "General")
    for who in (MEMBER, OTHER):
        assert call("PUT", f"/api/boards/{board['id']}/watch", claims=who).status == 200
    third = claims("user-third", "third")
    topic = new_topic(call, board["id"], "Mine", claims=OTHER)
    notices.deliver(notices.started(topic["id"]))
    assert [e.what for e in entries_of(MEMBER["sub"])] == ["topic"]
    assert entries_of(OTHER["sub"]) == [] and entries_of(third["sub"]) == []
