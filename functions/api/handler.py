"""The JSON API function: every /api route, behind the HTTP API."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from forum.errors import ForumError
from forum.settings import get_settings

from . import boards, posts, presence, topics
from .problems import from_forum_error, from_validation_errors, problem

logger = Logger()
metrics = Metrics()

app = APIGatewayHttpResolver(enable_validation=True)
for module in (boards, topics, posts, presence):
    app.include_router(module.router)

API_TITLE = "Forum API"
API_VERSION = "1.0.0"
app.enable_swagger(path="/api/docs", title=API_TITLE, version=API_VERSION)


@app.get("/api/openapi.json", include_in_schema=False)
def openapi_document() -> Response[str]:
    return Response(
        status_code=200,
        content_type="application/json",
        body=app.get_openapi_json_schema(title=API_TITLE, version=API_VERSION),
    )


@app.exception_handler(ForumError)
def forum_error(error: ForumError) -> Response[Any]:
    if error.status >= 500:
        logger.warning("request could not be served", extra={"detail": error.detail})
    return from_forum_error(error)


@app.exception_handler(RequestValidationError)
def invalid_request(error: RequestValidationError) -> Response[Any]:
    return from_validation_errors(error.errors())


@app.not_found
def not_found(_: NotFoundError) -> Response[Any]:
    event = app.current_event
    return problem(
        404,
        "Not found",
        f"There is no {event.request_context.http.method} {event.raw_path} in this API.",
        "not-found",
    )


@app.exception_handler(Exception)
def unexpected(error: Exception) -> Response[Any]:
    # A bug of ours: log everything, tell the caller nothing internal.
    logger.exception("unhandled error")
    metrics.add_metric(name="UnhandledErrors", unit="Count", value=1)
    return problem(
        500, "Internal error", "Something went wrong on our side; it was logged.", "internal"
    )


def _body_size(event: dict[str, Any]) -> int:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        try:
            return len(base64.b64decode(body, validate=False))
        except (binascii.Error, ValueError):
            return len(body)
    return len(body.encode("utf-8", "surrogatepass"))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    limit = get_settings().max_request_bytes
    if _body_size(event) > limit:
        too_large = problem(
            413,
            "Payload too large",
            f"The request body is larger than {limit} bytes.",
            "payload-too-large",
        )
        return {
            "statusCode": 413,
            "headers": {"Content-Type": too_large.headers["Content-Type"]},
            "body": too_large.body,
            "isBase64Encoded": False,
        }
    return app.resolve(event, context)
