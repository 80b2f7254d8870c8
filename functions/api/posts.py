"""/api/topics/{topic_id}/posts: replying, editing and removing posts."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from forum import posts
from forum.settings import get_settings
from forum.topics import page_count

from .auth import require_member
from .params import PostNumber, TopicId
from .schemas import EditIn, PostOut, ReplyIn, ReplyOut, UnderWay
from .shaping import post_out, removal_answer

router = Router()


@router.post("/api/topics/<topic_id>/posts", summary="Reply to a topic")
def reply(topic_id: TopicId, body: ReplyIn) -> Response[ReplyOut]:
    member = require_member(router.current_event)
    topic, post = posts.reply(member, topic_id, body.body, body.attachment_ids)
    page = (int(post.number) - 1) // get_settings().posts_per_page + 1
    return Response(
        status_code=201,
        content_type="application/json",
        body=ReplyOut(
            post=post_out(post),
            page=page,
            page_count=page_count(topic),
            reply_count=int(topic.reply_count),
        ),
        headers={"Location": f"/api/topics/{topic_id}?page={page}"},
    )


@router.patch("/api/topics/<topic_id>/posts/<number>", summary="Edit a post (author or moderator)")
def edit(topic_id: TopicId, number: PostNumber, body: EditIn) -> PostOut:
    member = require_member(router.current_event)
    return post_out(
        posts.edit(member, topic_id, number, body.body, body.version, body.attachment_ids)
    )


@router.delete(
    "/api/topics/<topic_id>/posts/<number>", summary="Remove a post (author or moderator)"
)
def remove(topic_id: TopicId, number: PostNumber) -> Response[UnderWay | None]:
    """Post 1 removes the whole topic (moderators), like DELETE /api/topics/{topic_id}."""
    member = require_member(router.current_event)
    return removal_answer(posts.remove(member, topic_id, number))
