"""The recent_topics index: every board's topics, newest activity first (schema.py).

The index is sharded (schema.RECENT_TOPICS_SHARDS partitions, a topic's fixed by its id) so
that the index's writes, one for every reply anywhere, never pile onto one partition. Reading
it newest first means one Query per shard and a merge: the Unread page reads the shards'
next topics and keeps the newest of them all.
"""

from __future__ import annotations

import heapq

from pynamodb.exceptions import UpdateError

from . import schema
from .i18n import _
from .models import ForumItem, RecentTopicsIndex, Topic


def newest(limit: int, before: tuple[str, str] | None = None) -> list[Topic]:
    """The ``limit`` topics of most recent activity across the forum, before ``before`` (a
    topic's last activity and id) when given: one Query per shard."""
    per_shard: list[list[Topic]] = []
    for shard in schema.recent_topics_shards():
        condition = RecentTopicsIndex.last_activity <= before[0] if before else None
        # From a cursor the range includes the cursor's own topic: one more, to drop it.
        wanted = limit + 1 if before else limit
        found = ForumItem.recent_topics.query(
            shard, condition, scan_index_forward=False, limit=wanted
        )
        topics = [item for item in found if isinstance(item, Topic)]
        if before is not None:
            # The same moment may hold more than one topic: order them by id too.
            topics = [t for t in topics if (t.last_activity, t.topic_id) < before]
        per_shard.append(topics)
    merged = heapq.merge(
        *per_shard, key=lambda topic: (topic.last_activity, topic.topic_id), reverse=True
    )
    return [topic for topic, _n in zip(merged, range(limit), strict=False)]


def index_old_topics() -> int:
    """Give every topic made before the index its shard, so the index finds it; how many were.
    One Scan of the table, once (``make dev`` does it at every start); safe to run again."""
    placed = 0
    for topic in Topic.scan(Topic.gsi3pk.does_not_exist()):
        if not isinstance(topic, Topic):
            continue
        try:
            topic.update(
                actions=[Topic.gsi3pk.set(schema.recent_topics_pk(topic.topic_id))],
                condition=Topic.pk.exists() & Topic.gsi3pk.does_not_exist(),
            )
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
            continue
        placed += 1
    return placed


if __name__ == "__main__":  # python -m forum.recent, with FORUM_TABLE (and AWS credentials)
    count = index_old_topics()
    print(_("Topics put in the recent topics index: {count}").format(count=count))
