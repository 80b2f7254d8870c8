"""The search function: ``GET /api/search`` (JSON) and ``GET /search`` (the page).

A function of its own rather than a route of the api function: Tantivy is a native module
(17 MB), and each container that searches keeps a copy of the index in ``/tmp`` (fetched from
S3 on its first search, then only new files). Only the few containers of this function hold
one, with the memory the index needs, while the api function's cold start stays as it was.
It reads S3 only, never the table: the index holds only what readers may see.

Both routes are public reads, the same for everyone: CloudFront may keep an answer a few
seconds, AWS WAF counts them in its per-address limit, and the HTTP API's route throttling
bounds them (``infra/search.py``).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from api import search as search_api
from api.problems import from_forum_error, from_validation_errors, problem
from forum import faults
from forum.errors import ForumError
from forum.i18n import _
from forum.origin import refusal as origin_refusal
from pages.common import SITE_NAME, error_page
from pages.render import render
from pages.search_page import read_form, search_page
from pages.static import manifest

logger = Logger()
metrics = Metrics()

# The page names the static build's hashed files, as the site function's do (pages.static).
STATIC = manifest()

app = APIGatewayHttpResolver(enable_validation=True)
app.include_router(search_api.router)

PUBLIC_READ = "public, max-age=5, s-maxage=10"
PRIVATE = "private, no-store"
HTML = "text/html; charset=utf-8"


def _page(template_page: Any) -> Response[str]:
    html = render(
        template_page.template,
        head=template_page.head,
        origin=_page_origin(),
        site_name=SITE_NAME,
        data=template_page.data,
        static=STATIC,
        **template_page.context,
    )
    return Response(
        status_code=template_page.status,
        content_type=HTML,
        body=html,
        headers={"Cache-Control": PUBLIC_READ if template_page.status == 200 else PRIVATE},
    )


def _page_origin() -> str:
    # Behind CloudFront the viewer's host comes as X-Forwarded-Host and the page is https.
    headers = app.current_event.headers
    host = (headers.get("x-forwarded-host") or headers.get("host") or "localhost").split(",")[0]
    return (
        f"https://{host.strip()}" if headers.get("x-forwarded-host") else f"http://{host.strip()}"
    )


@app.get("/search", include_in_schema=False)
def page() -> Response[str]:
    form = read_form(app.current_event.get_query_string_value)
    return _page(search_page(form))


def _is_page() -> bool:
    return not app.current_event.raw_path.startswith("/api/")


@app.exception_handler(ForumError)
def refused(error: ForumError) -> Response[Any]:
    if _is_page():
        return _page(error_page(error.status, error.title, error.detail))
    return from_forum_error(error)


@app.exception_handler(RequestValidationError)
def invalid_request(error: RequestValidationError) -> Response[Any]:
    return from_validation_errors(error.errors())


@app.not_found
def not_found(_: NotFoundError) -> Response[Any]:
    return problem(404, "Not found", "There is no such search route.", "not-found")


@app.exception_handler(list(faults.AWS_FAULTS))
def aws_trouble(error: Exception) -> Response[Any]:
    # S3 throttled or unreachable while fetching the index: ours to wait out, not the caller's.
    logger.warning("AWS call failed", extra={"error": repr(error)})
    metrics.add_metric(name="AwsErrors", unit="Count", value=1)
    return refused(faults.busy())


@app.exception_handler(Exception)
def unexpected(error: Exception) -> Response[Any]:
    logger.exception("unhandled error")
    metrics.add_metric(name="UnhandledErrors", unit="Count", value=1)
    if _is_page():
        return _page(
            error_page(
                500,
                _("Something went wrong"),
                _("Something went wrong on our side; it was logged."),
            )
        )
    return problem(
        500, "Internal error", "Something went wrong on our side; it was logged.", "internal"
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # Only what came through CloudFront (and so past AWS WAF) is served (forum.origin).
    forbidden = origin_refusal(event)
    if forbidden is not None:
        return forbidden
    result: dict[str, Any] = app.resolve(event, context)
    headers = result.setdefault("headers", {})
    if not any(name.lower() == "cache-control" for name in headers):
        ok = 200 <= int(result.get("statusCode", 500)) < 300
        headers["Cache-Control"] = PUBLIC_READ if ok else PRIVATE
    return result
