"""The authorization matrix: every signed-in route of api.routes, for every kind of caller.

Each row runs through the real handler in a world of its own, made fresh for it: a board with a
topic by "author" (the opening post and a reply), an empty board, and members of every kind.
A refused request must leave the table and the pool's groups exactly as they were.

"Expired token": API Gateway's JWT authorizer refuses an expired token before the function
runs, so the function sees a request without claims, like one without a token: 401. That the
authorizer itself refuses expired (and missing, malformed, forged, foreign) tokens is tested
against the local runtime's gateway, which verifies tokens as the authorizer does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from api.routes import AUTHENTICATED_ROUTES

from .. import notices
from ..cognito import MemberPool
from ..conftest import Caller
from ..events import claims

CALLERS = (
    "no token",
    "expired token",
    "member",  # signed in for the first time: no profile yet
    "author",  # of the topic and its posts, and the member the user routes name
    "another member",
    "moderator",
    "admin",
    "banned member",
)

# route key → expected status per caller, in the order of CALLERS.
EXPECTED: dict[str, tuple[int, ...]] = {
    "POST /api/boards": (401, 401, 403, 403, 403, 403, 201, 403),
    "PATCH /api/boards/{board_id}": (401, 401, 403, 403, 403, 403, 200, 403),
    "DELETE /api/boards/{board_id}": (401, 401, 403, 403, 403, 403, 204, 403),
    "POST /api/boards/{board_id}/topics": (401, 401, 201, 201, 201, 201, 201, 403),
    "PATCH /api/topics/{topic_id}": (401, 401, 403, 403, 403, 200, 200, 403),
    "DELETE /api/topics/{topic_id}": (401, 401, 403, 403, 403, 204, 204, 403),
    "POST /api/topics/{topic_id}/posts": (401, 401, 201, 201, 201, 201, 201, 403),
    "PATCH /api/topics/{topic_id}/posts/{number}": (401, 401, 403, 200, 403, 200, 200, 403),
    "DELETE /api/topics/{topic_id}/posts/{number}": (401, 401, 403, 204, 403, 204, 204, 403),
    # Presence is not writing: a banned member is still counted as a viewer.
    "POST /api/topics/{topic_id}/heartbeat/member": (401, 401, 200, 200, 200, 200, 200, 200),
    "GET /api/me": (401, 401, 200, 200, 200, 200, 200, 200),
    "PATCH /api/me": (401, 401, 200, 200, 200, 200, 200, 403),
    # A member's own data is theirs to read, banned or not.
    "GET /api/me/export": (401, 401, 200, 200, 200, 200, 200, 200),
    "POST /api/uploads": (401, 401, 201, 201, 201, 201, 201, 403),
    # What a member has read is theirs, banned or not: reading it, and marking it.
    "GET /api/me/overlay": (401, 401, 200, 200, 200, 200, 200, 200),
    "GET /api/me/unread": (401, 401, 200, 200, 200, 200, 200, 200),
    "GET /api/me/unread/replies": (401, 401, 200, 200, 200, 200, 200, 200),
    "POST /api/me/read-marks": (401, 401, 200, 200, 200, 200, 200, 200),
    "POST /api/users/{username}/ban": (401, 401, 403, 403, 403, 200, 200, 403),
    "DELETE /api/users/{username}/ban": (401, 401, 403, 403, 403, 204, 204, 403),
    "PUT /api/users/{username}/moderator": (401, 401, 403, 403, 403, 403, 200, 403),
    "DELETE /api/users/{username}/moderator": (401, 401, 403, 403, 403, 403, 200, 403),
    # Anyone may leave, banned or not; the world's one admin is its last (409).
    "POST /api/me/deletion": (401, 401, 200, 200, 200, 200, 409, 200),
    "POST /api/users/{username}/deletion": (401, 401, 403, 403, 403, 200, 200, 403),
    # Watching and notifications are reading, not writing: a banned member keeps them.
    "GET /api/topics/{topic_id}/watch": (401, 401, 200, 200, 200, 200, 200, 200),
    "PUT /api/topics/{topic_id}/watch": (401, 401, 200, 200, 200, 200, 200, 200),
    "DELETE /api/topics/{topic_id}/watch": (401, 401, 204, 204, 204, 204, 204, 204),
    "GET /api/boards/{board_id}/watch": (401, 401, 200, 200, 200, 200, 200, 200),
    "PUT /api/boards/{board_id}/watch": (401, 401, 200, 200, 200, 200, 200, 200),
    "DELETE /api/boards/{board_id}/watch": (401, 401, 204, 204, 204, 204, 204, 204),
    "GET /api/me/watched": (401, 401, 200, 200, 200, 200, 200, 200),
    "PUT /api/me/auto-watch": (401, 401, 200, 200, 200, 200, 200, 200),
    "GET /api/me/notifications": (401, 401, 200, 200, 200, 200, 200, 200),
    "GET /api/me/notifications/unread": (401, 401, 200, 200, 200, 200, 200, 200),
    "POST /api/me/notifications/read": (401, 401, 200, 200, 200, 200, 200, 200),
    # The world's notification is the author's: anyone else's id names nothing of theirs.
    "POST /api/me/notifications/{notification_id}/read": (401, 401, 404, 204, 404, 404, 404, 404),
}

MEMBERS = {
    "member": (),
    "author": (),
    "another member": (),
    "moderator": ("moderators",),
    "admin": ("admins",),
    "banned member": (),
}


@dataclass
class World:
    board_id: str
    empty_board_id: str
    topic_id: str
    callers: dict[str, dict[str, str] | None]
    # A notification of the author's: "another member" replied in their topic.
    notification_id: str = ""

    def request(self, route_key: str) -> tuple[str, str, Any]:
        """The method, URL and body of a typical request to the route, in this world."""
        method, template = route_key.split(" ", 1)
        url = (
            template.replace("{board_id}", self.board_id)
            .replace("{topic_id}", self.topic_id)
            .replace("{number}", "2")
            .replace("{username}", "author")
            .replace("{notification_id}", self.notification_id)
        )
        if route_key == "DELETE /api/boards/{board_id}":
            url = f"/api/boards/{self.empty_board_id}"
        if route_key == "GET /api/me/overlay":
            url += f"?board={self.board_id}&count=true"
        bodies: dict[str, Any] = {
            "POST /api/boards": {"name": "New board"},
            "PATCH /api/boards/{board_id}": {"name": "Renamed"},
            "POST /api/boards/{board_id}/topics": {"title": "New", "body": "text"},
            "PATCH /api/topics/{topic_id}": {"locked": True},
            "POST /api/topics/{topic_id}/posts": {"body": "a reply"},
            "PATCH /api/topics/{topic_id}/posts/{number}": {"body": "edited"},
            "POST /api/topics/{topic_id}/heartbeat/member": {},
            "PATCH /api/me": {"display_name": "New name"},
            "POST /api/uploads": {"filename": "a.jpg", "content_type": "image/jpeg", "size": 99},
            "POST /api/users/{username}/ban": {"reason": "spam"},
            "POST /api/me/deletion": {"posts": "keep"},
            "POST /api/users/{username}/deletion": {"reason": "spam", "posts": "remove"},
            "POST /api/me/read-marks": {"board_id": self.board_id},
            "PUT /api/topics/{topic_id}/watch": {"level": "muted"},
            "PUT /api/me/auto-watch": {"enabled": False},
        }
        return method, url, bodies.get(route_key)


def username_of(caller: str) -> str:
    return caller.replace(" ", "-")


def make_world(call: Caller, cognito: MemberPool) -> World:
    callers: dict[str, dict[str, str] | None] = {"no token": None, "expired token": None}
    for caller, groups in MEMBERS.items():
        name = username_of(caller)
        callers[caller] = claims(cognito.add(name, groups), name, groups)
    admin, author = callers["admin"], callers["author"]

    def ok(reply: Any) -> Any:
        assert reply.status < 300, reply.text
        return reply.json

    board_id = ok(call("POST", "/api/boards", {"name": "General"}, claims=admin))["id"]
    empty_board_id = ok(call("POST", "/api/boards", {"name": "Empty"}, claims=admin))["id"]
    topic_id = ok(
        call(
            "POST",
            f"/api/boards/{board_id}/topics",
            {"title": "Hello", "body": "Opening post"},
            claims=author,
        )
    )["topic"]["id"]
    ok(call("POST", f"/api/topics/{topic_id}/posts", {"body": "A reply"}, claims=author))
    for caller in ("another member", "moderator", "banned member"):
        ok(call("GET", "/api/me", claims=callers[caller]))
    ok(
        call(
            "POST",
            "/api/users/banned-member/ban",
            {"reason": "spam"},
            claims=callers["moderator"],
        )
    )
    ok(
        call(
            "POST",
            f"/api/topics/{topic_id}/posts",
            {"body": "Me too"},
            claims=callers["another member"],
        )
    )
    notices.deliver([notices.new_post(topic_id, 1), notices.new_post(topic_id, 3)])
    notification_id = ok(call("GET", "/api/me/notifications", claims=author))["notifications"][0][
        "id"
    ]
    return World(board_id, empty_board_id, topic_id, callers, notification_id)


def snapshot(table: Any, cognito: MemberPool) -> tuple[Any, ...]:
    items = sorted(table.scan()["Items"], key=lambda item: (item["pk"], item["sk"]))
    groups = {name: cognito.groups_of(name) for name in cognito.users}
    return items, groups


def test_the_matrix_names_every_signed_in_route() -> None:
    assert set(EXPECTED) == {route.route_key for route in AUTHENTICATED_ROUTES}
    assert all(len(statuses) == len(CALLERS) for statuses in EXPECTED.values())


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("route_key", sorted(EXPECTED))
def test_authorization(
    call: Caller, table: Any, cognito: MemberPool, route_key: str, caller: str
) -> None:
    # Given a fresh world
    world = make_world(call, cognito)
    before = snapshot(table, cognito)
    expected = EXPECTED[route_key][CALLERS.index(caller)]
    method, url, body = world.request(route_key)
    # When the caller makes the request
    reply = call(method, url, body, claims=world.callers[caller])
    # Then the answer is the expected one
    assert reply.status == expected, reply.text
    if expected >= 400:
        # with a problem that says why, and nothing written
        assert reply.headers["content-type"] == "application/problem+json"
        assert reply.json["status"] == expected and reply.json["detail"]
        allowed_to_members = EXPECTED[route_key][CALLERS.index("another member")] < 400
        if caller == "banned member" and allowed_to_members:
            # refused for the ban, which says why
            assert "spam" in reply.json["detail"]
        assert snapshot(table, cognito) == before
