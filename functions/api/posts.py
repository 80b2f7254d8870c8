"""/api/topics/{topic_id}/posts: replying, editing and removing posts."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from forum import paging, posts, removal
from forum.identity import Member
from forum.models import Post, Receipt, Topic
from forum.topics import get_topic

from . import idempotency
from .auth import require_member
from .idempotency import IdempotencyKey
from .params import PostNumber, Reason, TopicId
from .responses import answers, created, empty, ok, unfinished
from .schemas.common import UnderWay
from .schemas.posts import EditIn, PostOut, ReplyIn, ReplyOut
from .shaping import post_out, removal_answer

router = Router()


@router.post(
    "/api/topics/<topic_id>/posts",
    summary="Reply to a topic",
    responses=answers(created(), problems=(401, 403, 404, 409, 423, 429)),
)
def reply(
    topic_id: TopicId, body: ReplyIn, idempotency_key: IdempotencyKey = None
) -> Response[ReplyOut]:
    def make(member: Member, receipt: Receipt | None) -> tuple[ReplyOut, dict[str, Any]]:
        topic, post = posts.reply(member, topic_id, body.body, body.attachment_ids, receipt=receipt)
        return reply_out(topic, post), {"number": int(post.number)}

    def recall(member: Member, reference: dict[str, Any]) -> ReplyOut:
        # The post as it is now (edited or removed since, perhaps): nothing new is handed out.
        post = posts.get_post(topic_id, int(reference["number"]), consistent=True)
        return reply_out(get_topic(topic_id), post)

    return idempotency.create(
        router,
        "reply",
        {"topic_id": topic_id, "body": body.model_dump(mode="json")},
        make,
        recall,
        lambda answer: f"/api/topics/{topic_id}?page={answer.page}",
    )


def reply_out(topic: Topic, post: Post) -> ReplyOut:
    return ReplyOut(
        post=post_out(post),
        page=paging.page_of(int(post.number)),
        page_count=paging.page_count(int(topic.last_number)),
        reply_count=int(topic.reply_count),
    )


@router.patch(
    "/api/topics/<topic_id>/posts/<number>",
    summary="Edit a post (author or moderator)",
    responses=answers(ok(), problems=(401, 403, 404, 409, 423)),
)
def edit(topic_id: TopicId, number: PostNumber, body: EditIn) -> PostOut:
    member = require_member(router.current_event)
    return post_out(
        posts.edit(member, topic_id, number, body.body, body.version, body.attachment_ids)
    )


@router.delete(
    "/api/topics/<topic_id>/posts/<number>",
    summary="Remove a post (author or moderator)",
    responses=answers(empty("Removed."), unfinished(), problems=(401, 403, 404, 409, 423)),
)
def remove(
    topic_id: TopicId, number: PostNumber, reason: Reason = None
) -> Response[UnderWay | None]:
    """Post 1 removes the whole topic (moderators), like DELETE /api/topics/{topic_id}."""
    member = require_member(router.current_event)
    return removal_answer(removal.remove(member, topic_id, number, reason=reason))
