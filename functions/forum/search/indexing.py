"""Table changes into index updates: what a reader could see, and nothing else.

A change names an item (keys only, ``forum.changes``); its current state is read here, so a
duplicated, late or reordered change does what the item now says:

- a post: indexed (replacing its old document) while it and its topic are visible; deleted
  from the index once the post, or its topic, is removed or gone (a member's posts removed
  with their account are post changes too);
- a topic: removed or gone, every document of it is deleted; retitled or moved to another
  board, every post of it is indexed again (the title and board are stored on each). Other
  topic changes (a reply's counters, views, a pin) change nothing the index holds, which the
  stored title and board of its documents tell without reading a post.

Other kinds of item are passed over.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import tantivy

from .. import schema
from ..changes import Change
from ..models import Post, Topic
from . import index as ix
from .text import plain_text

# The kinds of change the indexer needs (forum.changes.Change.kind), for its subscription.
KINDS = ("post", "topic")


@dataclass
class Applied:
    indexed: int = 0
    deleted: int = 0
    topics: set[str] = field(default_factory=set)


def is_visible(post: Post, topic: Topic) -> bool:
    return not post.removed and not topic.removed and not topic.removing_posts


def document_of(post: Post, topic: Topic) -> ix.PostDocument:
    return ix.PostDocument(
        topic_id=topic.topic_id,
        number=int(post.number),
        board_id=topic.board_id,
        author=post.author.name,
        topic_title=topic.title,
        text=plain_text(post.body_html),
        created_at=post.created_at,
    )


def _topic(topic_id: str) -> Topic | None:
    try:
        return Topic.get(schema.topic_pk(topic_id), schema.TOPIC_SK, consistent_read=True)
    except Topic.DoesNotExist:
        return None


def _post(topic_id: str, sk: str) -> Post | None:
    try:
        return Post.get(schema.topic_pk(topic_id), sk, consistent_read=True)
    except Post.DoesNotExist:
        return None


def posts_of(topic_id: str) -> Iterator[Post]:
    yield from Post.query(
        schema.topic_pk(topic_id),
        Post.sk.startswith(schema.POST_SK_PREFIX),
        consistent_read=True,
    )


def _stored(searcher: tantivy.Searcher, topic_id: str) -> tuple[str, str] | None:
    """The (title, board) the index holds for a topic; None when it holds none of its posts."""
    query = tantivy.Query.term_query(ix.schema(), ix.TOPIC, topic_id)
    found = searcher.search(query, 1, count=False)
    if not found.hits:
        return None
    document = searcher.doc(found.hits[0][1])
    title = document.get_first(ix.TOPIC_TITLE)
    board = document.get_first(ix.BOARD)
    return (bytes(title).decode() if title else "", str(board))


class Indexing:
    """The updates of one batch, into one writer (committed by the caller)."""

    def __init__(self, writer: tantivy.IndexWriter, searcher: tantivy.Searcher) -> None:
        self.writer, self.searcher = writer, searcher
        self.applied = Applied()
        self._topics: dict[str, Topic | None] = {}

    def topic(self, topic_id: str) -> Topic | None:
        if topic_id not in self._topics:
            self._topics[topic_id] = _topic(topic_id)
        return self._topics[topic_id]

    def put(self, post: Post, topic: Topic) -> None:
        self.writer.delete_documents_by_term(
            ix.KEY, ix.document_key(topic.topic_id, int(post.number))
        )
        self.writer.add_document(ix.to_document(document_of(post, topic)))
        self.applied.indexed += 1

    def delete_post(self, topic_id: str, number: int) -> None:
        self.writer.delete_documents_by_term(ix.KEY, ix.document_key(topic_id, number))
        self.applied.deleted += 1

    def post_changed(self, topic_id: str, sk: str) -> None:
        number = int(sk.removeprefix(schema.POST_SK_PREFIX))
        post, topic = _post(topic_id, sk), self.topic(topic_id)
        if post is not None and topic is not None and is_visible(post, topic):
            self.put(post, topic)
        else:
            self.delete_post(topic_id, number)

    def topic_changed(self, topic_id: str) -> None:
        topic = self.topic(topic_id)
        if topic is None or topic.removed or topic.removing_posts:
            self.writer.delete_documents_by_term(ix.TOPIC, topic_id)
            self.applied.deleted += 1
            return
        stored = _stored(self.searcher, topic_id)
        if stored is None or stored == (topic.title, topic.board_id):
            return
        for post in posts_of(topic_id):
            if is_visible(post, topic):
                self.put(post, topic)
            else:
                self.delete_post(topic_id, int(post.number))
        self.applied.topics.add(topic_id)

    def apply(self, changes: Iterable[Change]) -> Applied:
        seen: set[tuple[str, str]] = set()
        for change in changes:
            if (change.pk, change.sk) in seen:
                continue
            seen.add((change.pk, change.sk))
            topic_id = change.pk.removeprefix(schema.TOPIC_PK_PREFIX)
            if change.kind == "post":
                self.post_changed(topic_id, change.sk)
            elif change.kind == "topic":
                self.topic_changed(topic_id)
        return self.applied
