"""The JSON API function: every /api route, behind the HTTP API."""

from __future__ import annotations

import gc

# Loading the API leaves ~50,000 objects that live as long as the process. The cyclic collector
# would trace them over and over while they load, and again in every full collection while
# serving. It is paused here and, once everything below is loaded, they are frozen out of its
# reach (end of module). The import leaves under a thousand unreachable objects behind.
gc.disable()

import base64
import binascii
import json
from pathlib import Path
from typing import Any

from aws_lambda_powertools import Logger, Metrics, event_handler
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from forum import faults, models
from forum.errors import ForumError
from forum.i18n import _
from forum.origin import refusal as origin_refusal
from forum.settings import get_settings

from . import (
    accounts,
    boards,
    bodies,
    notices,
    overlay,
    password_resets,
    posts,
    presence,
    preview,
    topics,
    unread,
    unsubscribe,
    uploads,
    users,
)
from . import search as search_routes
from .problems import from_forum_error, from_validation_errors, problem
from .routes import AUTHENTICATED_ROUTES, ROUTES, allowed_methods

logger = Logger()
metrics = Metrics()
# The cold start: the models learn their table from this function's settings.
models.configure(get_settings())

# Bodies are read by api.bodies: a body json.loads cannot take is a 400 there, on every route.
app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=bodies.loads)
for module in (
    boards,
    topics,
    posts,
    presence,
    accounts,
    password_resets,
    users,
    preview,
    uploads,
    overlay,
    unread,
    unsubscribe,
    notices,
):
    app.include_router(module.router)
# Served by the search function in the stack (api.routes.SEARCH_ROUTES); here for the document.
app.include_router(search_routes.router)

API_TITLE = "Forum API"
API_VERSION = "1.0.0"


@app.get("/api/docs", include_in_schema=False)
def swagger_ui() -> Response[str]:
    # Imported here, not at module level: Powertools' swagger setup costs ~100 ms of every cold
    # start, and only people reading the docs need it.
    from aws_lambda_powertools.event_handler.openapi.swagger_ui import generate_swagger_html

    assets = Path(event_handler.__file__).parent / "openapi" / "swagger_ui"
    spec = openapi_json()
    page = generate_swagger_html(
        spec.replace("</", "<\\/"),
        (assets / "swagger-ui-bundle.min.js").read_text(encoding="utf-8"),
        (assets / "swagger-ui.min.css").read_text(encoding="utf-8"),
        "",
        None,
    )
    return Response(status_code=200, content_type="text/html; charset=utf-8", body=page)


@app.get("/api/openapi.json", include_in_schema=False)
def openapi_document() -> Response[str]:
    return Response(status_code=200, content_type="application/json", body=openapi_json())


MEMBER_TOKEN = "member"


def openapi_json() -> str:
    """The OpenAPI document, saying which operations need a member's token.

    Which ones do is the route table's word (api.routes, which the stack's JWT authorizer and
    the local gateway follow too), so the document is marked from it rather than route by route.
    """
    document = json.loads(app.get_openapi_json_schema(title=API_TITLE, version=API_VERSION))
    document.setdefault("components", {})["securitySchemes"] = {
        MEMBER_TOKEN: {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "A Cognito access or ID token of the forum's user pool.",
        }
    }
    for route in AUTHENTICATED_ROUTES:
        operation = document["paths"].get(route.path, {}).get(route.method.lower())
        if operation is not None:
            operation["security"] = [{MEMBER_TOKEN: []}]
    return json.dumps(document)


@app.exception_handler(ForumError)
def forum_error(error: ForumError) -> Response[Any]:
    if error.status >= 500:
        logger.warning("request could not be served", extra={"detail": error.detail})
    return from_forum_error(error)


@app.exception_handler(RequestValidationError)
def invalid_request(error: RequestValidationError) -> Response[Any]:
    return from_validation_errors(error.errors())


@app.exception_handler(RequestUnsupportedContentType)
def unsupported_content_type(_: RequestUnsupportedContentType) -> Response[Any]:
    return problem(
        415,
        "Unsupported media type",
        "Send the request body as JSON (Content-Type: application/json).",
        "unsupported-media-type",
    )


@app.not_found
def not_found(error: NotFoundError) -> Response[Any]:
    event = app.current_event
    method = event.request_context.http.method
    allowed = allowed_methods(event.raw_path)
    if allowed:
        # A known path asked with a method it does not serve: 405, saying which it does.
        return problem(
            405,
            _("Method not allowed"),
            _("{path} answers {methods}, not {method}.").format(
                path=event.raw_path, methods=", ".join(allowed), method=method
            ),
            "method-not-allowed",
            headers={"Allow": ", ".join(allowed)},
        )
    return problem(
        404,
        "Not found",
        f"There is no {event.request_context.http.method} {event.raw_path} in this API.",
        "not-found",
    )


@app.exception_handler(list(faults.AWS_FAULTS))
def aws_trouble(error: Exception) -> Response[Any]:
    # Throttling, timeouts, an unreachable service: ours to fix or to wait out, not the
    # caller's. Every write is one transaction or one conditional write, so nothing was
    # half-done; the caller may retry.
    logger.warning("AWS call failed", extra={"error": repr(error)})
    metrics.add_metric(name="AwsErrors", unit="Count", value=1)
    return from_forum_error(faults.busy())


@app.exception_handler(Exception)
def unexpected(error: Exception) -> Response[Any]:
    # A bug of ours: log everything, tell the caller nothing internal.
    logger.exception("unhandled error")
    metrics.add_metric(name="UnhandledErrors", unit="Count", value=1)
    return problem(
        500, "Internal error", "Something went wrong on our side; it was logged.", "internal"
    )


def _raw_body(event: dict[str, Any]) -> bytes:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=False)
        except (binascii.Error, ValueError):
            return body.encode("utf-8", "surrogatepass")
    return body.encode("utf-8", "surrogatepass")


def _one_click(event: dict[str, Any]) -> bool:
    http = (event.get("requestContext") or {}).get("http") or {}
    return http.get("method") == "POST" and event.get("rawPath") == unsubscribe.PATH


def _refusal(event: dict[str, Any]) -> Response[Any] | None:
    """Requests refused before routing: too large, not JSON, not text.

    Checked here, once for every route, so that no route ever sees such a body.
    """
    raw = _raw_body(event)
    limit = get_settings().max_request_bytes
    if len(raw) > limit:
        return problem(
            413,
            "Payload too large",
            f"The request body is larger than {limit} bytes.",
            "payload-too-large",
        )
    if not raw:
        return None
    headers = {name.lower(): value for name, value in (event.get("headers") or {}).items()}
    media_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type == "application/x-www-form-urlencoded" and _one_click(event):
        return None  # RFC 8058's POST (api.unsubscribe), whose body nothing reads
    if media_type and media_type != "application/json" and not media_type.endswith("+json"):
        return problem(
            415,
            "Unsupported media type",
            "Send the request body as JSON (Content-Type: application/json).",
            "unsupported-media-type",
        )
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return problem(
            400, "Malformed JSON", "The request body is not UTF-8 encoded JSON.", "malformed-json"
        )
    return None


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # Only what came through CloudFront (and so past AWS WAF) is served (forum.origin).
    forbidden = origin_refusal(event)
    if forbidden is not None:
        return forbidden
    refused = _refusal(event)
    if refused is not None:
        return {
            "statusCode": refused.status_code,
            "headers": {"Content-Type": refused.headers["Content-Type"]},
            "body": refused.body,
            "isBase64Encoded": False,
        }
    result: dict[str, Any] = app.resolve(event, context)
    _set_cache_control(event, result)
    return result


# Public reads are the same for everyone, so CloudFront may keep them a few seconds (a topic
# that goes viral then costs almost nothing); anything personal or written is never cached.
PUBLIC_READ = "public, max-age=5, s-maxage=10"
PRIVATE = "private, no-store"
# An upload's status changes within seconds and the composer polls it: never cached.
_LIVE_ROUTES = {"GET /api/attachments/{attachment_id}"}
_PUBLIC_ROUTES = {route.route_key for route in ROUTES if not route.auth} - _LIVE_ROUTES


def _set_cache_control(event: dict[str, Any], result: dict[str, Any]) -> None:
    headers = result.setdefault("headers", {})
    if any(name.lower() == "cache-control" for name in headers):
        return
    method = (event.get("requestContext", {}).get("http", {}).get("method") or "").upper()
    public = (
        method == "GET"
        and event.get("routeKey") in _PUBLIC_ROUTES
        and 200 <= int(result.get("statusCode", 500)) < 300
    )
    headers["Cache-Control"] = PUBLIC_READ if public else PRIVATE


# Everything loaded above is kept for the life of the process (see the top of the module).
gc.freeze()
gc.enable()
