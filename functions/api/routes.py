"""The JSON API's routes as API Gateway sees them: which need a signed-in member.

The CDK stack creates these routes (with the JWT authorizer where ``auth`` is set) and the local
runtime's gateway authorizes with the same table, so the two can never disagree. A test checks
that the handler serves exactly these routes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Route:
    method: str
    # API Gateway's route path syntax: {name} is one path segment.
    path: str
    auth: bool

    @property
    def route_key(self) -> str:
        return f"{self.method} {self.path}"


ROUTES: tuple[Route, ...] = (
    Route("GET", "/api/boards", auth=False),
    Route("POST", "/api/boards", auth=True),
    Route("GET", "/api/boards/{board_id}", auth=False),
    Route("PATCH", "/api/boards/{board_id}", auth=True),
    Route("DELETE", "/api/boards/{board_id}", auth=True),
    Route("POST", "/api/boards/{board_id}/topics", auth=True),
    Route("GET", "/api/topics/{topic_id}", auth=False),
    Route("PATCH", "/api/topics/{topic_id}", auth=True),
    Route("DELETE", "/api/topics/{topic_id}", auth=True),
    Route("GET", "/api/topics/{topic_id}/previous", auth=False),
    Route("GET", "/api/topics/{topic_id}/next", auth=False),
    Route("POST", "/api/topics/{topic_id}/posts", auth=True),
    Route("PATCH", "/api/topics/{topic_id}/posts/{number}", auth=True),
    Route("DELETE", "/api/topics/{topic_id}/posts/{number}", auth=True),
    Route("POST", "/api/topics/{topic_id}/heartbeat", auth=False),
    Route("POST", "/api/topics/{topic_id}/heartbeat/member", auth=True),
    Route("POST", "/api/preview", auth=False),
    Route("POST", "/api/uploads", auth=True),
    Route("GET", "/api/attachments/{attachment_id}", auth=False),
    Route("POST", "/api/accounts", auth=False),
    Route("POST", "/api/password-resets", auth=False),
    Route("GET", "/api/me", auth=True),
    Route("PATCH", "/api/me", auth=True),
    Route("GET", "/api/me/export", auth=True),
    Route("POST", "/api/me/deletion", auth=True),
    Route("GET", "/api/me/overlay", auth=True),
    Route("GET", "/api/me/unread", auth=True),
    Route("GET", "/api/me/unread/replies", auth=True),
    Route("POST", "/api/me/read-marks", auth=True),
    Route("GET", "/api/users/{username}", auth=False),
    Route("POST", "/api/users/{username}/ban", auth=True),
    Route("DELETE", "/api/users/{username}/ban", auth=True),
    Route("PUT", "/api/users/{username}/moderator", auth=True),
    Route("DELETE", "/api/users/{username}/moderator", auth=True),
    Route("POST", "/api/users/{username}/deletion", auth=True),
    Route("GET", "/api/unsubscribe", auth=False),
    Route("POST", "/api/unsubscribe", auth=False),
    Route("GET", "/api/topics/{topic_id}/watch", auth=True),
    Route("PUT", "/api/topics/{topic_id}/watch", auth=True),
    Route("DELETE", "/api/topics/{topic_id}/watch", auth=True),
    Route("GET", "/api/boards/{board_id}/watch", auth=True),
    Route("PUT", "/api/boards/{board_id}/watch", auth=True),
    Route("DELETE", "/api/boards/{board_id}/watch", auth=True),
    Route("GET", "/api/me/watched", auth=True),
    Route("PUT", "/api/me/auto-watch", auth=True),
    Route("GET", "/api/me/notifications", auth=True),
    Route("GET", "/api/me/notifications/unread", auth=True),
    Route("POST", "/api/me/notifications/read", auth=True),
    Route("POST", "/api/me/notifications/{notification_id}/read", auth=True),
    Route("GET", "/api/openapi.json", auth=False),
    Route("GET", "/api/docs", auth=False),
)

# Served by the search function (infra/search.py), not the api function: the JSON route and
# the page. The api function includes the JSON route's router for its OpenAPI document.
SEARCH_API_ROUTE = Route("GET", "/api/search", auth=False)
SEARCH_PAGE_ROUTE = Route("GET", "/search", auth=False)
SEARCH_ROUTES = (SEARCH_API_ROUTE, SEARCH_PAGE_ROUTE)

# Everything else under /api reaches the function too, which answers 404 problem+json.
API_CATCH_ALL = Route("ANY", "/api/{proxy+}", auth=False)

AUTHENTICATED_ROUTES = tuple(route for route in ROUTES if route.auth)


def _segments(path: str) -> list[str]:
    return path.strip("/").split("/")


def match(
    method: str, path: str, routes: tuple[Route, ...] | None = None
) -> tuple[Route, dict[str, str]] | None:
    """The route API Gateway would pick for a request (among ``routes``, the api function's by
    default), with its path parameters."""
    parts = _segments(path)
    for route in ROUTES if routes is None else routes:
        if route.method != method.upper():
            continue
        template = _segments(route.path)
        if len(template) != len(parts):
            continue
        params: dict[str, str] = {}
        for expected, actual in zip(template, parts, strict=True):
            if expected.startswith("{") and expected.endswith("}"):
                if not actual:
                    break
                params[expected[1:-1]] = actual
            elif expected != actual:
                break
        else:
            return route, params
    return None


def allowed_methods(path: str) -> list[str]:
    """The methods some route serves at this path (for 405's Allow); none for an unknown path."""
    # The search function serves GET /api/search; another method there reaches this function.
    served = (*ROUTES, SEARCH_API_ROUTE)
    return sorted(
        {route.method for route in served if match(route.method, path, served) is not None}
    )
