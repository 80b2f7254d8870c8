"""The HTML function: every page of the forum, rendered on the server, the same for everyone.

The HTTP API's ``$default`` route sends every request that is not for ``/api`` here. Pages read
the forum through the domain functions (never over HTTP), carry no identity, and say how long
CloudFront and browsers may keep them; the scripts under /static (each named by its content's
hash: pages.static) add what is personal.
"""

from __future__ import annotations

import re
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from forum import faults, models
from forum.errors import Busy, ForumError, NotFound
from forum.origin import refusal as origin_refusal
from forum.settings import get_settings

from . import forms, listing, member_page, notices, static, topic_page
from .common import MISSING_CACHE, NO_STORE, SITE_NAME, Page, busy_page, error_page, not_found
from .render import render

logger = Logger()
metrics = Metrics()
# The cold start: the models learn their table from this function's settings.
models.configure(get_settings())
# And the pages learn the names of their static files (a function without them fails here).
STATIC = static.manifest()

app = APIGatewayHttpResolver()

HTML = "text/html; charset=utf-8"
READ_METHODS = ["GET", "HEAD"]
_HOST = re.compile(r"[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?", re.ASCII)
_LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


def origin() -> str:
    """This site's origin as the reader sees it, for canonical and Open Graph addresses.

    Behind CloudFront the viewer's host arrives as X-Forwarded-Host (the HTTP API itself only
    sees its own host name); locally the gateway passes the Host header as it came.
    """
    headers = app.current_event.headers
    host = headers.get("x-forwarded-host") or headers.get("host") or "localhost"
    host = host.split(",", 1)[0].strip()
    if not _HOST.fullmatch(host):
        host = "localhost"
    proto = (headers.get("x-forwarded-proto") or "").split(",", 1)[0].strip()
    if headers.get("x-forwarded-host") and host.split(":", 1)[0] not in _LOOPBACK:
        # CloudFront's function set the host, and every behavior sends HTTP viewers to HTTPS;
        # an X-Forwarded-Proto would be the viewer's own, which no page may cache.
        proto = "https"
    if proto not in ("http", "https"):
        proto = "http" if host.split(":", 1)[0] in _LOOPBACK else "https"
    return f"{proto}://{host}"


def page_response(page: Page) -> Response[str]:
    html = render(
        page.template,
        head=page.head,
        origin=origin(),
        site_name=SITE_NAME,
        data=page.data,
        static=STATIC,
        **page.context,
    )
    return _html(page.status, html, page.cache)


def _html(status: int, html: str, cache: str) -> Response[str]:
    body = "" if app.current_event.http_method == "HEAD" else html
    return Response(
        status_code=status,
        content_type=HTML,
        body=body,
        headers={"Cache-Control": cache},
    )


def _redirect(location: str) -> Response[str]:
    return Response(
        status_code=302,
        content_type=HTML,
        body="",
        headers={"Location": location, "Cache-Control": MISSING_CACHE},
    )


def _query(name: str) -> str | None:
    return app.current_event.get_query_string_value(name)


@app.route("/", method=READ_METHODS)
def board_index() -> Response[str]:
    return page_response(listing.index())


@app.route("/b/<board_id>", method=READ_METHODS)
def board(board_id: str) -> Response[str]:
    return page_response(listing.board(board_id, _query("cursor")))


@app.route("/t/<topic_id>", method=READ_METHODS)
def topic(topic_id: str) -> Response[str]:
    return page_response(topic_page.topic(topic_id, _query("page")))


@app.route("/t/<topic_id>/<slug>", method=READ_METHODS)
def topic_with_slug(topic_id: str, slug: str) -> Response[str]:
    # SMF's prev_next: the link names a direction and the server finds the topic when followed.
    if slug == "previous":
        return _redirect(topic_page.neighbour(topic_id, "previous"))
    if slug == "next":
        return _redirect(topic_page.neighbour(topic_id, "next"))
    if slug == "new":
        # The first unread post is the member's to know: pages carry no cookie, so this is the
        # last page, whose script moves a member on (web/js/unread.js).
        return _redirect(topic_page.new_posts(topic_id))
    # Any other slug shows the topic; its canonical address carries the current title's slug.
    return page_response(topic_page.topic(topic_id, _query("page")))


@app.route("/u/<username>", method=READ_METHODS)
def member(username: str) -> Response[str]:
    return page_response(member_page.member(username, _query("cursor")))


@app.route("/login", method=READ_METHODS)
def login() -> Response[str]:
    return page_response(forms.login(_query("next")))


@app.route("/register", method=READ_METHODS)
def register() -> Response[str]:
    return page_response(forms.register())


# --- a forgotten password (forms.forgot_password) ---
@app.route(forms.FORGOT_PASSWORD_PATH, method=READ_METHODS)
def forgot_password() -> Response[str]:
    return page_response(forms.forgot_password())


@app.route("/new-topic", method=READ_METHODS)
def new_topic() -> Response[str]:
    return page_response(forms.new_topic(_query("board")))


# The topics with posts the member has not read: filled in by its script (web/js/unread.js).
@app.route("/unread", method=READ_METHODS)
def unread() -> Response[str]:
    return page_response(listing.unread(_query("show")))


# The member's own account settings (issue 14).
@app.route("/account", method=READ_METHODS)
def account() -> Response[str]:
    return page_response(forms.account())


# The member's notifications and what they watch (issue 15).
@app.route(notices.NOTIFICATIONS_PATH, method=READ_METHODS)
def notifications() -> Response[str]:
    return page_response(notices.notifications())


@app.route(notices.WATCHED_PATH, method=READ_METHODS)
def watched() -> Response[str]:
    return page_response(notices.watched())


ROBOTS = """User-agent: *
Disallow: /api/
Disallow: /login
Disallow: /register
Disallow: /forgot-password
Disallow: /new-topic
Disallow: /account
Disallow: /notifications
Disallow: /watched
Disallow: /t/*/previous
Disallow: /t/*/next
Disallow: /t/*/new
Disallow: /unread
"""


@app.route("/robots.txt", method=READ_METHODS)
def robots() -> Response[str]:
    # Crawlers read the boards, topics and members; forms and redirects are no use to them.
    return Response(
        status_code=200,
        content_type="text/plain; charset=utf-8",
        body="" if app.current_event.http_method == "HEAD" else ROBOTS,
        headers={"Cache-Control": "public, max-age=86400"},
    )


@app.not_found
def nothing_here(_: NotFoundError) -> Response[str]:
    return page_response(not_found())


@app.exception_handler(NotFound)
def unknown(error: NotFound) -> Response[str]:
    return page_response(not_found(error.detail))


@app.exception_handler(ForumError)
def refused(error: ForumError) -> Response[str]:
    if error.status >= 500:
        logger.warning("page could not be served", extra={"detail": error.detail})
    return _refusal(error)


@app.exception_handler(list(faults.AWS_FAULTS))
def aws_trouble(error: Exception) -> Response[str]:
    # A throttled or unreachable table (forum.faults): the API's answer, as a page.
    logger.warning("AWS call failed", extra={"error": repr(error)})
    metrics.add_metric(name="AwsErrors", unit="Count", value=1)
    return _refusal(faults.busy())


def _refusal(error: ForumError) -> Response[str]:
    if isinstance(error, Busy):
        page = busy_page(_this_address())
    else:
        page = error_page(error.status, error.title, error.detail)
    response = page_response(page)
    if error.retry_after:
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def _this_address() -> str:
    """The address asked for, to try again (only ever a path of this site)."""
    event = app.current_event
    query = event.raw_query_string
    return forms.safe_next(event.raw_path + (f"?{query}" if query else ""))


@app.exception_handler(Exception)
def unexpected(error: Exception) -> Response[str]:
    # A bug of ours: log everything, show the reader a page in the site's style.
    logger.exception("unhandled error")
    metrics.add_metric(name="UnhandledErrors", unit="Count", value=1)
    page = error_page(
        500, "Something went wrong", "Something went wrong on our side; it was logged."
    )
    try:
        return page_response(page)
    except Exception:  # the error page itself failed: plain words, no template
        logger.exception("the error page failed too")
        return _html(500, "<!doctype html><title>Error</title><p>Something went wrong.", NO_STORE)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # Only what came through CloudFront (and so past AWS WAF) is served (forum.origin).
    forbidden = origin_refusal(event)
    if forbidden is not None:
        return forbidden
    return app.resolve(event, context)
