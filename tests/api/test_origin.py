"""Only requests that came through CloudFront are served: the origin header (forum.origin)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from forum.origin import ORIGIN_HEADER
from forum.settings import ORIGIN_SECRET_ENV, get_settings

from ..conftest import MEMBER, Caller, LambdaContextStub, Reply
from ..events import http_event

SECRET = "s3cr3t-from-secrets-manager-0123456789abcdefghij"


@pytest.fixture
def behind_cloudfront(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The functions' environment as the stack sets it: CloudFront's secret."""
    monkeypatch.setenv(ORIGIN_SECRET_ENV, SECRET)
    get_settings.cache_clear()
    yield
    monkeypatch.delenv(ORIGIN_SECRET_ENV)
    get_settings.cache_clear()


def page(method: str, url: str, headers: dict[str, str] | None = None) -> Reply:
    from pages.handler import lambda_handler

    event = http_event(method, url, headers=headers)
    event["routeKey"] = "$default"
    response = lambda_handler(event, LambdaContextStub())
    lowered = {key.lower(): value for key, value in (response.get("headers") or {}).items()}
    return Reply(response["statusCode"], lowered, response.get("body") or "")


def assert_refused(reply: Reply) -> None:
    assert reply.status == 403
    assert reply.headers["content-type"] == "application/problem+json"
    assert reply.headers["cache-control"] == "no-store"
    assert reply.json["status"] == 403 and reply.json["detail"]


def test_a_request_to_the_apis_own_address_is_refused(
    call: Caller, table: Any, behind_cloudfront: None
) -> None:
    # Given the API behind CloudFront: a read, a guest's heartbeat and a member's write
    # without the header CloudFront adds
    assert_refused(call("GET", "/api/boards"))
    assert_refused(call("POST", "/api/topics/t1/heartbeat", {"viewer_id": "guest-aaaa"}))
    assert_refused(call("POST", "/api/preview", {"body": "hi"}, claims=MEMBER))
    # or with a wrong value, or one of another length
    wrong = {ORIGIN_HEADER: SECRET[:-1] + "x"}
    assert_refused(call("GET", "/api/boards", headers=wrong))
    assert_refused(call("GET", "/api/boards", headers={ORIGIN_HEADER: SECRET + "x"}))
    # Then nothing was read or written
    assert table.scan()["Items"] == []


def test_a_request_through_cloudfront_is_served(call: Caller, behind_cloudfront: None) -> None:
    assert call("GET", "/api/boards", headers={ORIGIN_HEADER: SECRET}).status == 200
    # Header names arrive in any case
    assert call("GET", "/api/boards", headers={"X-Forum-Origin": SECRET}).status == 200


def test_a_page_from_the_apis_own_address_is_refused(table: Any, behind_cloudfront: None) -> None:
    assert_refused(page("GET", "/"))
    assert_refused(page("GET", "/", {ORIGIN_HEADER: "guess"}))
    assert page("GET", "/", {ORIGIN_HEADER: SECRET}).status == 200


def test_without_a_secret_nothing_is_checked(call: Caller, table: Any) -> None:
    # The API tests call the handlers directly, as nothing stands in front of them
    assert get_settings().origin_secret == ""
    assert call("GET", "/api/boards").status == 200
    assert page("GET", "/").status == 200
