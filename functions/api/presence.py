"""/api/topics/{topic_id}/heartbeat: who is viewing a topic, and its view count."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

from forum import presence, reading

from . import caller
from .auth import require_member
from .bodies import optional_object
from .params import TopicId
from .responses import answers, ok
from .schemas.presence import HeartbeatIn, MemberHeartbeatIn, PresenceOut

router = Router()


@router.post(
    "/api/topics/<topic_id>/heartbeat",
    summary="A guest is viewing the topic",
    responses=answers(ok(), problems=(404,)),
)
def guest_heartbeat(topic_id: TopicId, body: HeartbeatIn) -> PresenceOut:
    # A guest is counted by their address, not by the id their browser made up (body.viewer_id,
    # still accepted from pages that send it): see forum.presence.
    guest = presence.guest_id(caller.network(router.current_event))
    seen = presence.heartbeat(topic_id, "guest", guest, body.counted_in)
    return presence_out(seen)


@router.post(
    "/api/topics/<topic_id>/heartbeat/member",
    summary="A signed-in member is viewing the topic",
    responses=answers(ok(), problems=(401, 404)),
)
def member_heartbeat(topic_id: TopicId, body: MemberHeartbeatIn | None = None) -> PresenceOut:
    member = require_member(router.current_event)
    optional_object(router.current_event)
    seen = presence.heartbeat(
        topic_id, "member", member.user_id, body.counted_in if body is not None else None
    )
    if body is not None and body.read is not None:
        # What the page showed, as far as the topic goes: a number past its newest post
        # (a page that is not the topic's) moves nothing further than the topic has.
        reading.record_read(member.user_id, topic_id, min(body.read, seen.last_number))
    return presence_out(seen)


def presence_out(seen: presence.Presence) -> PresenceOut:
    return PresenceOut(
        members=seen.members,
        guests=seen.guests,
        next_beat_seconds=seen.next_beat_seconds,
        window=seen.window,
        last_number=seen.last_number,
    )
