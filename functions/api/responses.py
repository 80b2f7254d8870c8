"""What each operation answers, for the OpenAPI document: its success and one table of problems.

Every error is ``application/problem+json`` (api.problems); each route names the statuses it
can answer (``answers(...)``) and this module gives each the one shared description and schema,
so the document says what the handler does. Some problems can come from any route and are
always declared: 400 (a body that is not UTF-8 or not JSON), 413 and 415 (checked before
routing), 422 (validation) and 503 (AWS trouble). A test checks the rest against the route
table (401 on every signed-in route, 404 wherever a path names something).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

from .problems import PROBLEM_JSON
from .schemas.common import UnderWay
from .schemas.problems import GatewayMessage, Problem

PROBLEMS: dict[int, str] = {
    400: "Malformed JSON, or a header or cursor that is not valid.",
    401: (
        "Sign in first: the request carries no valid member token. API Gateway's JWT "
        'authorizer answers this itself, as application/json {"message": "Unauthorized"}.'
    ),
    403: "Not allowed: the member is banned, or lacks the role this needs.",
    404: "Nothing by that name or id.",
    409: (
        "A conflict: another version was saved meanwhile, the name is taken, or a request with "
        "this Idempotency-Key is still running (Retry-After)."
    ),
    410: "Gone: the account was deleted, or the link has expired.",
    413: "The request body, or the file declared, is too large.",
    415: "The request body is not JSON.",
    422: "Invalid input: each field that is wrong, and why.",
    423: "The topic is locked.",
    429: "Too many posts in too short a time; Retry-After says when to try again.",
    503: "The forum is busy; try again shortly (Retry-After).",
}

ALWAYS = (400, 413, 415, 422, 503)


def _problem(status: int) -> OpenAPIResponse:
    content: dict[str, Any] = {PROBLEM_JSON: {"model": Problem}}
    if status == 401:
        content["application/json"] = {"model": GatewayMessage}
    return {"description": PROBLEMS[status], "content": content}


def ok(description: str = "OK", status: int = 200) -> dict[int, OpenAPIResponse]:
    """A success whose body is the route's return type."""
    return {status: {"description": description}}


def created(description: str = "Created; Location names it.") -> dict[int, OpenAPIResponse]:
    return ok(description, 201)


def model(status: int, description: str, body: type[Any]) -> dict[int, OpenAPIResponse]:
    """A success with a body of its own (when a route answers more than one)."""
    return {status: {"description": description, "content": {"application/json": {"model": body}}}}


def empty(description: str = "Done; no body.") -> dict[int, OpenAPIResponse]:
    return {204: {"description": description, "content": {}}}


def unfinished() -> dict[int, OpenAPIResponse]:
    return model(202, "Done in part: send the same request again to finish.", UnderWay)


def answers(*successes: dict[int, OpenAPIResponse], problems: tuple[int, ...] = ()) -> Any:
    """An operation's ``responses=``: its successes, then its problems and those of every route."""
    table: dict[int, OpenAPIResponse] = {}
    for success in successes:
        table.update(success)
    for status in sorted({*ALWAYS, *problems}):
        table[status] = _problem(status)
    return table
