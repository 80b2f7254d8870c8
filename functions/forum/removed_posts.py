"""Posts removed before removal kept them in the user_posts index, put back in it; run once.

A removed post now moves to its author's ``REMOVED#{user_id}`` partition of the index
(forum.removal), where the member's export finds it. Posts removed before that left the index
altogether, so no Query finds them: this gives each its place there, under the key it had
(``schema.user_post_key``). One Scan of the table: a one-off, never a request's work.
"""

from __future__ import annotations

from pynamodb.exceptions import UpdateError

from . import schema
from .i18n import _
from .models import Post


def index_removed_posts() -> int:
    """Put every removed post that is in no partition of user_posts in its author's removed
    one; how many were. Safe to run again, and beside removals under way (each write is
    conditioned on the post being removed and still out of the index)."""
    moved = 0
    found = Post.scan(
        (Post.removed == True) & Post.gsi2pk.does_not_exist()  # noqa: E712
    )
    for post in found:
        if not isinstance(post, Post):
            continue
        try:
            post.update(
                actions=[
                    Post.gsi2pk.set(schema.removed_posts_gsi_pk(post.author.id)),
                    Post.gsi2sk.set(
                        schema.user_post_key(post.created_at, post.topic_id, int(post.number))
                    ),
                ],
                condition=(Post.removed == True) & Post.gsi2pk.does_not_exist(),  # noqa: E712
            )
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
            continue
        moved += 1
    return moved


if __name__ == "__main__":  # python -m forum.removed_posts, with FORUM_TABLE (and AWS credentials)
    count = index_removed_posts()
    print(_("Removed posts put back in their authors' index: {count}").format(count=count))
