"""How a deleted member is shown: by no name, linked nowhere; and making the copies of their
name say so.

Their profile and every copy of their name (a post's author, editor or remover, a topic's
starter, a topic's and a board's last post) keep ``schema.DELETED_MEMBER`` in place of the
name; pages and API answers show the words below. Posts keep a copy of the name, and most
pages read no profile, so forum.deletion changes the copies once (``rename_post``,
``rename_topics``, ``rename_last_posts``) rather than every read looking the name up.
"""

from __future__ import annotations

from typing import Any, cast

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import Condition

from . import schema
from .boards import list_boards
from .errors import Busy
from .i18n import _
from .models import Board, ForumItem, Post, Topic

DELETED = schema.DELETED_MEMBER


def is_deleted_name(name: str | None) -> bool:
    return name == schema.DELETED_MEMBER


def shown_name(name: str) -> str:
    """The name as a reader sees it: a deleted member's is "deleted member"."""
    return _("deleted member") if is_deleted_name(name) else name


def _renamed(path: Any) -> Any:
    """The action that makes a copy of a name (a Person's path) say deleted member."""
    return path.name.set(DELETED)


def _update_quietly(item: ForumItem, actions: list[Any], condition: Condition) -> None:
    """An update of a copy of the name, on the condition that it is still theirs; one that lost
    a race (a newer last post) is left alone. Straight to the table: a post's version is for
    edits of its text, and renaming its author is none."""
    connection = type(item)._get_connection()
    try:
        connection.update_item(item.pk, item.sk, actions=actions, condition=condition)
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise Busy() from error


def rename_post(post: Post, user_id: str) -> None:
    author, edited_by, removed_by = (
        cast(Any, Post.author),
        cast(Any, Post.edited_by),
        cast(Any, Post.removed_by),
    )
    actions: list[Any] = []
    if post.author.name != DELETED:
        actions.append(_renamed(author))
    if (
        post.edited_by is not None
        and post.edited_by.id == user_id
        and post.edited_by.name != DELETED
    ):
        actions.append(_renamed(edited_by))
    if (
        post.removed_by is not None
        and post.removed_by.id == user_id
        and post.removed_by.name != DELETED
    ):
        actions.append(_renamed(removed_by))
    if actions:
        _update_quietly(post, actions, author.id == user_id)


def rename_topics(posts: list[Post], user_id: str) -> None:
    """The starter and last post of the page's topics, where they are the member's: one
    BatchGetItem, then an update only where a copy says their name."""
    keys = [(schema.topic_pk(t), schema.TOPIC_SK) for t in dict.fromkeys(p.topic_id for p in posts)]
    if not keys:
        return
    started_by, last_author = cast(Any, Topic.started_by), cast(Any, Topic.last_post).author
    for topic in Topic.batch_get(keys, consistent_read=True):
        actions: list[Any] = []
        conditions: list[Condition] = []
        if topic.started_by.id == user_id and topic.started_by.name != DELETED:
            actions.append(_renamed(started_by))
            conditions.append(started_by.id == user_id)
        last = topic.last_post.author
        if last.id == user_id and last.name != DELETED:
            actions.append(_renamed(last_author))
            conditions.append(last_author.id == user_id)
        if actions:
            condition = conditions[0] if len(conditions) == 1 else conditions[0] & conditions[1]
            _update_quietly(topic, actions, condition)


def rename_last_posts(user_id: str) -> None:
    """The boards whose last post is the member's (one Query of every board)."""
    last_author = cast(Any, Board.last_post).author
    for board in list_boards():
        last = board.last_post
        if last is not None and last.author.id == user_id and last.author.name != DELETED:
            _update_quietly(board, [_renamed(last_author)], last_author.id == user_id)
