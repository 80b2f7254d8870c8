"""What the forum costs in dollars, from figures measured here and public us-east-1 prices.

Measures, on a small forum in moto, each route people use: the DynamoDB requests and capacity
units (with the same botocore hooks as bench/dynamodb_cost.py), the function's warm duration
and the response size; then prices a million guest page views (with and without CloudFront's
cache), a million replies, a thousand images, and a month with no traffic at all. Every request
through CloudFront also passes AWS WAF's web ACL (infra/edge.py), which bills per request and,
traffic or not, per month. The static files a page view fetches are what Chromium fetched
(bench/page_weight.py, run first when its figures are missing or older than the build).

    .venv/bin/python bench/cost.py

Durations are measured in process against moto, which is slower than DynamoDB, so the Lambda
figures lean high. Prices are list prices without free tiers (they are stated below).
"""

from __future__ import annotations

import functools
import gzip
import json
import math
import os
import random
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO_ROOT), str(REPO_ROOT / "functions")]

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

from bench import dynamodb_cost as measure  # noqa: E402  (sets the fake AWS environment)
from forum import models, schema  # noqa: E402
from forum.settings import get_settings  # noqa: E402
from tests.events import claims, http_event  # noqa: E402

# us-east-1 list prices (checked for this model; no free tier applied).
PRICE = {
    "lambda_gb_second_arm": 0.0000133334,
    "lambda_request": 0.20 / 1e6,
    "http_api_request": 1.00 / 1e6,
    "dynamodb_read_unit": 0.125 / 1e6,  # on-demand, per read request unit
    "dynamodb_write_unit": 0.625 / 1e6,  # on-demand, per write request unit
    "cloudfront_request": 0.0100 / 1e4,  # HTTPS, North America / Europe
    "cloudfront_gb_out": 0.085,
    "s3_put": 0.005 / 1e3,
    "s3_get": 0.0004 / 1e3,
    "s3_gb_month": 0.023,
    "sqs_request": 0.40 / 1e6,
    "logs_gb_ingested": 0.50,
    "logs_gb_ingested_infrequent": 0.25,  # the access log's class
    "xray_trace": 5.00 / 1e6,
    "alarm_month": 0.10,
    "dynamodb_gb_month": 0.25,
    "pitr_gb_month": 0.20,
    "waf_web_acl_month": 5.00,
    "waf_rule_month": 1.00,  # a managed rule group counts as one rule
    "waf_request": 0.60 / 1e6,
}
API_MEMORY_MB = 512
THUMBNAIL_MEMORY_MB = 1024
# What the function logs for a request that succeeds: nothing. Lambda's START/END/REPORT lines
# are filtered out (system log level WARN, infra/functions.py) and the handlers log warnings
# and errors only.
FUNCTION_LOG_BYTES = 0
# Lambda traces 1 request a second, then 5 % (not configurable for Lambda): per request, 5 % is
# the price of a busy forum; below a request a second nearly every request is traced, which
# caps at one trace a second, about 2.6 M a month per function ($13; 100,000 a month are free).
XRAY_SAMPLED = 0.05
XRAY_RESERVOIR_MONTH = 2.628e6 * 5.00 / 1e6
# One guest page view in ten is a first view with an empty cache (the rest are returning
# readers'): the static requests and bytes of each come from Chromium (bench/page_weight.py).
FIRST_VIEW_SHARE = 0.1
PAGE_WEIGHT_RESULTS = REPO_ROOT / "build" / "bench" / "page_weight.json"
# 23 in the Forum stack (API 5xx, table throttles, errors and throttles of the functions:
# api, site, thumbnail, changes, media cleanup, notifier, search, indexer, the Cognito
# triggers'...; the dead-letter queues of the thumbnails, the stream and each subscribed queue),
# counted in the synthesized template, and the WAF blocks alarm in the edge stack. The
# table's stream costs nothing: Lambda reads it for free, and its filter invokes nothing at
# rest; each queue behind it is long-polled by its event source mapping (bench/fan_out.py).
ALARMS = 24
# infra/edge.py: three AWS managed rule groups (no subscription fee) and the rate-based rule.
WAF_RULES = 4


@dataclass
class Route:
    name: str
    reads: float = 0.0  # read request units
    writes: float = 0.0  # write request units
    requests: int = 0
    milliseconds: float = 0.0
    response_bytes: int = 0

    def lambda_cost(self, memory_mb: int = API_MEMORY_MB) -> float:
        billed = math.ceil(self.milliseconds)
        return (
            PRICE["lambda_request"]
            + billed / 1000 * memory_mb / 1024 * PRICE["lambda_gb_second_arm"]
            + FUNCTION_LOG_BYTES / 1e9 * PRICE["logs_gb_ingested"]
            + XRAY_SAMPLED * PRICE["xray_trace"]
        )

    def dynamodb_cost(self) -> float:
        return self.reads * PRICE["dynamodb_read_unit"] + self.writes * PRICE["dynamodb_write_unit"]

    def origin_cost(self) -> float:
        """One request through API Gateway (and its access log line) to the function and
        DynamoDB."""
        access_log = access_log_bytes() / 1e9 * PRICE["logs_gb_ingested_infrequent"]
        return PRICE["http_api_request"] + access_log + self.lambda_cost() + self.dynamodb_cost()


@functools.cache
def access_log_bytes() -> int:
    """The HTTP API's access log line for a request (infra/api.py's format, with a browser's
    user agent and typical values), plus the 26 bytes CloudWatch Logs bills per event."""
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    from infra.api import ACCESS_LOG_FIELDS

    sample = {
        "requestTime": "28/Nov/2026:05:12:44 +0000",
        "userAgent": (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
            " Chrome/131.0.0.0 Safari/537.36"
        ),
        "routeKey": "POST /api/topics/{topic_id}/heartbeat",
        "path": "/api/topics/0xUAoMQS3L2O/heartbeat",
    }
    # Error fields are "-" when all is well; the rest are ids, times and numbers.
    line = {
        name: sample.get(name, "-" if "rror" in name else "x" * 12) for name in ACCESS_LOG_FIELDS
    }
    return len(json.dumps(line, separators=(",", ":"))) + 26


def write_units(usage: Any, client: Any, table_name: str) -> float:
    """The write request units of the items a request wrote, from their sizes afterwards.

    DynamoDB bills a write per started KB of the item, twice inside a transaction, and once
    more in each global secondary index the item is in (both project every attribute). A
    deleted item is priced as one unit.
    """
    units = 0.0
    for key, transactional in usage.written:
        item = client.get_item(TableName=table_name, Key=key).get("Item")
        size_units = max(1, math.ceil(measure.item_size(item) / 1024)) if item else 1
        units += size_units * (2 if transactional else 1)
        if item:
            indexes = sum(1 for _, pk, sk in schema.GLOBAL_INDEXES if pk in item and sk in item)
            units += indexes * size_units
    return units


def run(meter: Any, name: str, method: str, url: str, body: Any = None, who: Any = None) -> Route:
    from api.handler import lambda_handler

    durations = []
    route = Route(name)
    for attempt in range(5):
        event = http_event(method, url, body, claims=who)
        with meter.counting() as usage:
            started = time.perf_counter()
            response = lambda_handler(event, measure.LambdaContext())
            durations.append((time.perf_counter() - started) * 1000)
        # Priced only as the route succeeds (a refusal costs less and proves nothing).
        if not 200 <= int(response["statusCode"]) < 300:
            raise SystemExit(f"{name}: {response['statusCode']} {response.get('body', '')[:300]}")
        if attempt == 0:
            route.reads = usage.rcu
            route.writes = write_units(usage, _reader(), get_settings().table_name)
            route.requests = usage.requests
            # What CloudFront sends: compressed (it gzips text for browsers that accept it).
            route.response_bytes = len(gzip.compress((response.get("body") or "").encode()))
    route.milliseconds = statistics.median(durations)
    return route


def _reader() -> Any:
    """A client of its own, so that pricing the writes is not counted as reads."""
    return boto3.client("dynamodb", region_name=get_settings().region)


# One seeded sequence: every run writes the same posts, and no two posts are alike.
_RANDOM = random.Random(2026)


def prose(characters: int) -> str:
    """A passage of real writing (this project's README: sentences, lists, code, Markdown),
    from a random word onwards: it compresses as people's posts do (the post's text is stored
    deflated, forum.models.PostText), neither like one letter repeated nor like noise."""
    text = " ".join((REPO_ROOT / "README.md").read_text().split())
    start = _RANDOM.randrange(len(text) - characters)
    start = text.index(" ", start) + 1
    return text[start : start + characters].strip()


def page_html_bytes(topic_id: str) -> int:
    """The topic's HTML page as CloudFront sends it (gzipped), from the site function."""
    from forum.settings import STATIC_FILES_ENV
    from infra.static_build import manifest_text
    from local.events import build_event

    # The pages name the static build's files (make static), as the stack tells the function.
    os.environ.setdefault(STATIC_FILES_ENV, manifest_text())
    get_settings.cache_clear()
    from pages.handler import lambda_handler as site_handler

    event = build_event(
        "GET", f"/t/{topic_id}", "", {"host": "forum.example"}, None, route_key="$default"
    )
    response = site_handler(event, measure.LambdaContext())
    assert response["statusCode"] == 200, response.get("body", "")[:300]
    return len(gzip.compress((response.get("body") or "").encode()))


def measure_routes() -> tuple[dict[str, Route], int]:
    settings = get_settings()
    with mock_aws():
        boto3.client("dynamodb", region_name=settings.region).create_table(
            **schema.create_table_arguments(settings.table_name)
        )
        models.configure(settings)
        meter = measure.Meter(measure.pynamodb_client())
        admin = claims("user-admin", "admin", ("admins",))
        member = claims("user-member", "member")
        board = measure.invoke("POST", "/api/boards", {"name": "General"}, admin).body["id"]
        topic = measure.invoke(
            "POST", f"/api/boards/{board}/topics", {"title": "Costs", "body": prose(800)}, member
        ).body["topic"]["id"]
        for index in range(25):
            who = claims(f"user-{index % 7}", f"writer{index % 7}")
            answer = measure.invoke("POST", f"/api/topics/{topic}/posts", {"body": prose(600)}, who)
            assert answer.status == 201, answer.body
        routes = {
            "topic page": run(meter, "topic page", "GET", f"/api/topics/{topic}"),
            "board page": run(meter, "board page", "GET", f"/api/boards/{board}"),
            "board index": run(meter, "board index", "GET", "/api/boards"),
            "guest heartbeat (first)": run(
                meter,
                "guest heartbeat (first)",
                "POST",
                f"/api/topics/{topic}/heartbeat",
                # as a page sends its first beat (web/js/presence.js)
                {"viewer_id": "guest-cost-0001", "counted_in": 0},
            ),
            "reply": run(
                meter, "reply", "POST", f"/api/topics/{topic}/posts", {"body": prose(600)}, member
            ),
        }
        html_page_bytes = page_html_bytes(topic)
    return routes, html_page_bytes


def static_files_per_view() -> tuple[float, float, dict[str, Any]]:
    """(static requests, their gzipped bytes) per guest page view, as measured in Chromium by
    bench/page_weight.py (run here first when its figures are missing or older than the build)."""
    built = REPO_ROOT / "build" / "static.json"
    stale = not PAGE_WEIGHT_RESULTS.is_file() or (
        built.is_file() and PAGE_WEIGHT_RESULTS.stat().st_mtime < built.stat().st_mtime
    )
    if stale:
        print("Measuring the static requests per view in Chromium (bench/page_weight.py)...")
        subprocess.run(
            [sys.executable, str(REPO_ROOT / "bench" / "page_weight.py"), "--runs", "1"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    found: dict[str, Any] = json.loads(PAGE_WEIGHT_RESULTS.read_text())
    first, returning = found["first_view_static_requests"], found["returning_view_static_requests"]
    requests = FIRST_VIEW_SHARE * first + (1 - FIRST_VIEW_SHARE) * returning
    static_bytes = FIRST_VIEW_SHARE * found["first_view_static_gzip_bytes"]
    return requests, static_bytes, found


def dollars(value: float) -> str:
    return f"${value:,.2f}"


def main() -> None:
    static_requests, static_bytes, measured = static_files_per_view()
    routes, html_page_bytes = measure_routes()
    print("Measured per request (warm, in process, against moto):")
    print(f"  {'route':28} {'DDB req':>7} {'RRU':>6} {'WRU':>6} {'ms':>6} {'gzip B':>7}")
    for route in routes.values():
        print(
            f"  {route.name:28} {route.requests:7d} {route.reads:6.1f} {route.writes:6.1f}"
            f" {route.milliseconds:6.1f} {route.response_bytes:7d}"
        )
    page, heartbeat, reply = (
        routes["topic page"],
        routes["guest heartbeat (first)"],
        routes["reply"],
    )
    million = 1e6
    gb = 1e9

    # A guest page view: the HTML page, the static files (as many as Chromium fetched on a
    # first view, once in ten views, and on a returning reader's view the rest), and one
    # heartbeat POST that counts the view. WAF inspects every request CloudFront receives,
    # cache hits included.
    edge_request = PRICE["cloudfront_request"] + PRICE["waf_request"]
    page_bytes = html_page_bytes  # the HTML page a guest opens, gzipped
    edge_requests = 1 + static_requests + 1
    cloudfront = (
        edge_requests * edge_request + (page_bytes + static_bytes) / gb * PRICE["cloudfront_gb_out"]
    )
    print(
        f"\nStatic files per guest page view, measured in Chromium (bench/page_weight.py):"
        f" {measured['first_view_static_requests']} on a first view,"
        f" {measured['returning_view_static_requests']:g} on a returning reader's;"
        f" one view in {1 / FIRST_VIEW_SHARE:.0f} a first: {static_requests:.2f} requests and"
        f" {static_bytes / 1000:.1f} kB per view."
    )
    uncached = cloudfront + page.origin_cost() + heartbeat.origin_cost()
    cached = cloudfront + heartbeat.origin_cost()  # the page itself comes from the edge cache
    cached_no_heartbeat = cloudfront - edge_request
    per_reply = edge_request + reply.origin_cost()

    # An image: presign (an API call), the upload, the notification, one thumbnail run. The
    # API call reads the profile (consistent: one unit) and writes the attachment and the
    # uploads-per-hour count on the profile in one transaction (two items, two units each).
    upload = Route("upload", reads=1, writes=4, milliseconds=40)
    thumbnail_ms = 600  # bench/thumbnail.py: a 12 MP phone photo, both derivatives
    image = (
        upload.origin_cost()
        + PRICE["s3_put"] * 3  # original + two derivatives
        + PRICE["s3_get"]
        + PRICE["sqs_request"] * 3  # receive, delete, the notification
        + Route("thumbnail", writes=2, milliseconds=thumbnail_ms).lambda_cost(THUMBNAIL_MEMORY_MB)
        + 2 * PRICE["dynamodb_write_unit"]
        + 0.5e6 / gb * PRICE["s3_gb_month"]  # the derivatives, about 0.5 MB, for a month
    )
    idle = ALARMS * PRICE["alarm_month"] + 0.001 * PRICE["dynamodb_gb_month"]
    idle += 0.001 * PRICE["pitr_gb_month"]
    waf_idle = PRICE["waf_web_acl_month"] + WAF_RULES * PRICE["waf_rule_month"]

    print("\nWhat it costs:")
    rows = [
        ("a million guest page views, page not cached", uncached * million, 1.0),
        ("a million guest page views, page from CloudFront", cached * million, 1.0),
        ("  of which the view-counting heartbeat", heartbeat.origin_cost() * million, None),
        ("  the same without heartbeats (reading only)", cached_no_heartbeat * million, None),
        ("a million replies", per_reply * million, 5.0),
        ("a thousand images", image * 1000, None),
        ("a month with no traffic (compute)", 0.0, 0.0),
        ("a month with no traffic (alarms, 1 MB of data)", idle, None),
        (f"a month with no traffic (WAF: web ACL, {WAF_RULES} rules)", waf_idle, None),
        ("a month with no traffic, in all", idle + waf_idle, None),
        ("X-Ray, traffic under a request a second (per function)", XRAY_RESERVOIR_MONTH, None),
    ]
    failed = 0
    for label, value, target in rows:
        verdict = ""
        if target is not None:
            ok = value <= target + 1e-9
            failed += not ok
            verdict = f"target ≤ {dollars(target)}: {'PASS' if ok else 'FAIL'}"
        print(f"  {label:52} {dollars(value):>10}  {verdict}")
    print(
        "\nPer page view the largest parts are request charges (CloudFront, the HTTP API, Lambda),"
        " not DynamoDB:\n"
        f"  page origin: HTTP API {dollars(PRICE['http_api_request'] * million)}/M, Lambda"
        f" {dollars(page.lambda_cost() * million)}/M, DynamoDB"
        f" {dollars(page.dynamodb_cost() * million)}/M; CloudFront"
        f" {dollars(cloudfront * million)}/M, of which WAF"
        f" {dollars(edge_requests * PRICE['waf_request'] * million)}/M"
    )
    # The least the targets' subjects can cost with the parts the issues ask for (CloudFront
    # with AWS WAF in front, the HTTP API with its stage throttling, a transaction per reply).
    page_floor = edge_request + page_bytes / gb * PRICE["cloudfront_gb_out"]
    request_floor = edge_request + PRICE["http_api_request"] + PRICE["lambda_request"]
    # A reply that updates its topic in the same transaction writes at least two items, each
    # at least one unit, both doubled by the transaction.
    smallest_transaction = 2 * 2 * PRICE["dynamodb_write_unit"]
    reply_floor = request_floor + smallest_transaction
    bytes_cost = page_bytes / gb * PRICE["cloudfront_gb_out"]
    print(
        "\nThe least these can cost at list prices, with the parts the issues ask for:\n"
        f"  a cached page view: one CloudFront HTTPS request"
        f" ({dollars(PRICE['cloudfront_request'] * million)}/M), AWS WAF's inspection of it"
        f" ({dollars(PRICE['waf_request'] * million)}/M) and the page's"
        f" {page_bytes / 1000:.1f} kB ({dollars(bytes_cost * million)}/M):"
        f" {dollars(page_floor * million)}/M, before any heartbeat;\n"
        f"  a reply: one request through the edge, the HTTP API and Lambda"
        f" ({dollars(request_floor * million)}/M) and the smallest transaction that adds a post"
        f" to its topic (2 items of 1 unit, doubled: {dollars(smallest_transaction * million)}/M):"
        f" {dollars(reply_floor * million)}/M.\n"
        "  CloudFront's flat-rate plans (WAF included) cost $1.50 to $2.00 per million requests at"
        " full use (Pro $15 for 10 M, Business $200 for 125 M, Premium $1,000 for 500 M); only"
        " the Free plan (1 M requests a month) or pay-as-you-go's free tier (10 M requests and"
        " 1 TB a month) comes in under $1 per million."
    )
    print(json.dumps({"failed": failed}))
    print(f"{len([r for r in rows if r[2] is not None]) - failed} passed, {failed} failed")


if __name__ == "__main__":
    main()
