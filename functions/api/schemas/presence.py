"""Heartbeats: who is viewing a topic."""

from __future__ import annotations

from pydantic import Field

from forum import paging

from .common import Integer, Request, Schema

VIEWER_ID_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"


COUNTED_IN = Field(
    default=None,
    ge=0,
    le=10**12,
    description=(
        "The `window` of this page's previous answer, or 0 when it has none yet. A page counted"
        " in the current window already is not counted again, and its beat writes nothing; a"
        " guest's page that sends it is counted without a record of its own."
    ),
)


class HeartbeatIn(Request):
    viewer_id: str = Field(
        pattern=VIEWER_ID_PATTERN,
        description="A random id the guest's browser keeps (8-64 of A-Z a-z 0-9 _ -).",
    )
    counted_in: Integer | None = COUNTED_IN


class MemberHeartbeatIn(Request):
    counted_in: Integer | None = COUNTED_IN
    read: Integer | None = Field(
        default=None,
        ge=1,
        le=paging.LARGEST_POST_NUMBER,
        description=(
            "The highest post number the page shows, sent when it is more than the member had"
            " read: their read position moves forward to it (never back), in one write."
        ),
    )


class PresenceOut(Schema):
    members: int
    guests: int
    next_beat_seconds: int = Field(
        description="When to send the next heartbeat: half a presence window (150 s by default)."
    )
    window: int = Field(
        description="The presence window the viewer is counted in: send it back as `counted_in`."
    )
    last_number: int = Field(
        default=0,
        description=(
            "The topic's newest post number: a page on the last page shows that many minus its"
            " own last as new replies."
        ),
    )
