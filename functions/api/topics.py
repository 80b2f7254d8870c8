"""/api/topics: starting a topic, reading it page by page, previous and next."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from forum import moderation, posts, removal, topics
from forum.identity import Member
from forum.models import Post, Receipt, Topic

from . import idempotency
from .auth import require_member
from .boards import BoardId
from .idempotency import IdempotencyKey
from .params import Page, Reason, TopicId
from .responses import answers, created, empty, ok, unfinished
from .schemas.common import UnderWay
from .schemas.posts import PagePostOut
from .schemas.topics import NeighbourOut, TopicChangeIn, TopicHeader, TopicIn, TopicPage
from .shaping import page_post_out, removal_answer, topic_header

router = Router()


@router.post(
    "/api/boards/<board_id>/topics",
    summary="Start a topic with its opening post",
    responses=answers(created(), problems=(401, 403, 404, 409, 429)),
)
def create_topic(
    board_id: BoardId, body: TopicIn, idempotency_key: IdempotencyKey = None
) -> Response[TopicPage]:
    def make(member: Member, receipt: Receipt | None) -> tuple[TopicPage, dict[str, Any]]:
        topic, post = topics.create_topic(
            member, board_id, body.title, body.body, body.attachment_ids, receipt=receipt
        )
        return opening(topic, post), {"topic_id": topic.topic_id}

    def recall(member: Member, reference: dict[str, Any]) -> TopicPage:
        # The topic as it is now: nothing new is handed out.
        topic_id = str(reference["topic_id"])
        topic = topics.get_topic(topic_id, consistent=True)
        return opening(topic, posts.get_post(topic_id, 1, consistent=True))

    return idempotency.create(
        router,
        "topic",
        {"board_id": board_id, "body": body.model_dump(mode="json")},
        make,
        recall,
        lambda answer: f"/api/topics/{answer.topic.id}",
    )


def opening(topic: Topic, post: Post) -> TopicPage:
    return TopicPage(topic=topic_header(topic, 1), posts=[page_post_out(post, {})])


@router.get(
    "/api/topics/<topic_id>",
    summary="A topic's header and the posts of one page",
    responses=answers(ok(), problems=(404,)),
)
def topic_page(
    topic_id: TopicId,
    page: Page = 1,
) -> TopicPage:
    """The posts (one Query), then the header and the authors' cards (one BatchGetItem)."""
    topic, page_posts, cards = topics.topic_page_with_authors(topic_id, page)
    shown: list[PagePostOut] = [page_post_out(post, cards) for post in page_posts]
    return TopicPage(topic=topic_header(topic, page), posts=shown)


@router.patch(
    "/api/topics/<topic_id>",
    summary="Lock, pin, move or retitle a topic (moderators)",
    responses=answers(ok(), problems=(401, 403, 404, 409)),
)
def change_topic(topic_id: TopicId, body: TopicChangeIn) -> TopicHeader:
    member = require_member(router.current_event)
    topic = moderation.change_topic(
        member,
        topic_id,
        locked=body.locked,
        pinned=body.pinned,
        board_id=body.board_id,
        title=body.title,
        reason=body.reason,
    )
    return topic_header(topic, 1)


@router.delete(
    "/api/topics/<topic_id>",
    summary="Remove a topic and its posts (moderators)",
    responses=answers(
        empty("Removed, with all its posts."), unfinished(), problems=(401, 403, 404, 409)
    ),
)
def remove_topic(topic_id: TopicId, reason: Reason = None) -> Response[UnderWay | None]:
    """204 when done; 202 while a very long topic's posts are still being removed."""
    member = require_member(router.current_event)
    return removal_answer(removal.remove_topic(member, topic_id, reason=reason))


@router.get(
    "/api/topics/<topic_id>/previous",
    summary="The topic above this one in its board",
    responses=answers(ok(), problems=(404,)),
)
def previous_topic(topic_id: TopicId) -> NeighbourOut:
    neighbour = topics.neighbour(topic_id, "previous")
    return NeighbourOut(id=neighbour.topic_id, title=neighbour.title)


@router.get(
    "/api/topics/<topic_id>/next",
    summary="The topic below this one in its board",
    responses=answers(ok(), problems=(404,)),
)
def next_topic(topic_id: TopicId) -> NeighbourOut:
    neighbour = topics.neighbour(topic_id, "next")
    return NeighbourOut(id=neighbour.topic_id, title=neighbour.title)
