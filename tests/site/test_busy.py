"""Pages under a busy table answer as the API does: 503 with Retry-After, never cached, in
the site's style, counted as AWS's trouble and not as a bug of ours."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ReadTimeoutError

from ..api.conftest import THROTTLED, Faults
from .conftest import Browse
from .test_pages import assert_page

PROVISIONED = {
    "Error": {
        "Code": "ProvisionedThroughputExceededException",
        "Message": "The level of configured provisioned throughput for the table was exceeded.",
    }
}
REQUEST_LIMIT = {
    "Error": {"Code": "RequestLimitExceeded", "Message": "Throughput exceeds the limit"}
}
INTERNAL = {"Error": {"Code": "InternalServerError", "Message": "Internal server error"}}


def metrics_in(output: str) -> set[str]:
    """The metric names of the embedded-metric-format lines the function printed."""
    names: set[str] = set()
    for line in output.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        for directive in record.get("_aws", {}).get("CloudWatchMetrics", []):
            names |= {metric["Name"] for metric in directive.get("Metrics", [])}
    return names


def test_a_topic_page_under_a_throttled_table_is_503_with_retry_after(
    browse: Browse,
    forum: dict[str, Any],
    faults: Faults,
    capsys: pytest.CaptureFixture[str],
) -> None:
    address = f"/t/{forum['topic_id']}/hello-world-friends?page=2"
    for error in (THROTTLED, PROVISIONED, REQUEST_LIMIT, INTERNAL):
        # Given DynamoDB refusing the page's Query as a busy table does (botocore's real
        # client, answered by an event hook with the service's error)
        capsys.readouterr()
        faults.fail("Query", error)
        # When a reader opens a topic page
        page = browse(address)
        # Then the site says it is busy, in its own style, and when to try again
        assert_page(page, 503)
        assert int(page.headers["retry-after"]) >= 1
        assert page.headers["cache-control"] == "no-store"
        assert page.meta("robots") == "noindex"
        words = page.words()
        assert "The forum is busy" in words and "try again" in words
        retry = [tag for tag in page.tags("a") if tag.get("href", "").startswith("/t/")]
        assert retry and retry[0]["href"] == address
        # and it counts as AWS's trouble, not as a bug of ours
        names = metrics_in(capsys.readouterr().out)
        assert "AwsErrors" in names and "UnhandledErrors" not in names
        # When the table recovers, the same address reads again
        faults.plan.clear()
        assert_page(browse(address))


def test_every_page_answers_a_busy_table_the_same_way(
    browse: Browse, forum: dict[str, Any], faults: Faults
) -> None:
    for operation in ("Query", "BatchGetItem", "GetItem"):
        faults.fail(operation, THROTTLED)
    for url in ("/", f"/b/{forum['board_id']}", f"/t/{forum['topic_id']}", "/u/member"):
        page = browse(url)
        assert_page(page, 503)
        assert page.headers["retry-after"] == "1" and page.headers["cache-control"] == "no-store"


def test_a_table_that_does_not_answer_in_time_is_503_too(
    browse: Browse, forum: dict[str, Any], faults: Faults
) -> None:
    # Given the table's endpoint timing out (raised inside botocore's client, as its HTTP
    # layer raises it)
    def time_out(**_: Any) -> None:
        raise ReadTimeoutError(endpoint_url="https://dynamodb.us-east-1.amazonaws.com/")

    faults.events.register_first("before-send.dynamodb.Query", time_out)
    try:
        page = browse(f"/t/{forum['topic_id']}")
    finally:
        faults.events.unregister("before-send.dynamodb.Query", time_out)
    assert_page(page, 503)
    assert page.headers["retry-after"] == "1" and page.headers["cache-control"] == "no-store"
