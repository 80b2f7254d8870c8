"""`make bench`: what the topic page weighs, how many static files it fetches, how soon Chromium
paints it.

Bytes of the topic page's HTML, CSS and JavaScript (every document, stylesheet and script the
browser loads for it, images excluded), raw and compressed with gzip and Brotli as CloudFront
would send them; the target is at most 60 KB compressed. Then the time to first contentful paint
in Chromium with a cold cache, against the local runtime (the site function rendering the page
from moto's DynamoDB) and against a static copy of the same files served from disk (the floor:
what the browser needs no matter how fast the server is).

And the static files a reader's browser asks the server for (each a CloudFront request and an
AWS WAF inspection): on a first view of a topic page with an empty cache, then on a returning
reader's views in the same browser (the board index, another topic, the first topic again).
Files the browser takes from its own cache are not counted; a revalidation (304) is. The counts
and the first view's compressed static bytes are written to build/bench/page_weight.json, for
bench/cost.py.

    .venv/bin/python bench/page_weight.py [--url http://127.0.0.1:8000] [--runs 7]

Without --url it starts its own local runtime on a free port with fresh demo data.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import tempfile
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO_ROOT), str(REPO_ROOT / "functions")]

import brotli  # noqa: E402

from local.client import ForumClient  # noqa: E402
from tests.e2e.conftest import CHROMIUM_ARGS, chromium_path  # noqa: E402
from tests.local.conftest import Runtime, free_port  # noqa: E402

TARGET_BYTES = 60 * 1024
# Issue 20: a first view makes at most 3 static requests, a returning reader's none.
FIRST_VIEW_STATIC_TARGET = 3
RETURNING_VIEW_STATIC_TARGET = 0
RESULTS = REPO_ROOT / "build" / "bench" / "page_weight.json"
TEXT_TYPES = ("document", "stylesheet", "script")
FCP = """() => new Promise((resolve) => {
  const seen = performance.getEntriesByName('first-contentful-paint');
  if (seen.length) return resolve(seen[0].startTime);
  new PerformanceObserver((list) => {
    const entry = list.getEntriesByName('first-contentful-paint')[0];
    if (entry) resolve(entry.startTime);
  }).observe({ type: 'paint', buffered: true });
})"""


@contextmanager
def forum(url: str | None) -> Iterator[str]:
    if url:
        yield url.rstrip("/")
        return
    with tempfile.TemporaryDirectory(prefix="forum-bench-") as state:
        runtime = Runtime(free_port(), Path(state))
        runtime.start()
        try:
            yield runtime.url
        finally:
            runtime.stop()


def topic_path(base: str) -> str:
    """The demo's long topic, first page (20 posts): the page a reader most often opens."""
    client = ForumClient(base)
    for board in client.request("GET", "/api/boards").json["boards"]:
        topics = client.request("GET", f"/api/boards/{board['id']}").json["topics"]
        for topic in topics:
            if topic["reply_count"] >= 20:
                return f"/t/{topic['id']}"
    raise SystemExit("no topic with 20 posts: run against a seeded forum")


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return bytes(response.read())


def loaded_resources(browser: Any, url: str) -> list[tuple[str, str]]:
    """(resource type, URL) of the documents, stylesheets and scripts the page loads."""
    context = browser.new_context()
    page = context.new_page()
    found: list[tuple[str, str]] = []
    page.on(
        "request",
        lambda request: (
            found.append((request.resource_type, request.url))
            if request.resource_type in TEXT_TYPES
            else None
        ),
    )
    page.goto(url, wait_until="networkidle")
    context.close()
    return list(dict.fromkeys(found))


def is_static(url: str) -> bool:
    path = urlsplit(url).path
    return path.startswith("/static/") or path == "/config.json"


class NetworkLog:
    """The requests of a page that the browser sent to the server, from Chromium's own
    network events: a request served from the memory or disk cache is not one."""

    def __init__(self, context: Any, page: Any) -> None:
        self.urls: dict[str, str] = {}
        self.cached: set[str] = set()
        session = context.new_cdp_session(page)
        session.send("Network.enable")
        session.on("Network.requestWillBeSent", self._sent)
        session.on(
            "Network.requestServedFromCache", lambda event: self.cached.add(event["requestId"])
        )
        session.on("Network.responseReceived", self._received)

    def _sent(self, event: dict[str, Any]) -> None:
        self.urls[event["requestId"]] = event["request"]["url"]

    def _received(self, event: dict[str, Any]) -> None:
        response = event["response"]
        if response.get("fromDiskCache") or response.get("fromPrefetchCache"):
            self.cached.add(event["requestId"])

    def static_requests(self) -> list[str]:
        """The static files fetched from the server since the last call."""
        found = [
            urlsplit(url).path
            for request_id, url in self.urls.items()
            if request_id not in self.cached and is_static(url)
        ]
        self.urls.clear()
        self.cached.clear()
        return found


def static_requests(browser: Any, base: str, page_path: str) -> dict[str, list[str]]:
    """The static files fetched on a first view of the topic page (an empty cache), then on a
    returning reader's views in the same browser."""
    other_topic = next((path for path in topic_paths(base) if path != page_path), page_path)
    views = [
        ("first view: the topic page", page_path),
        ("returning: the board index", "/"),
        ("returning: another topic", other_topic),
        ("returning: the first topic again", page_path),
    ]
    context = browser.new_context()
    page = context.new_page()
    network = NetworkLog(context, page)
    found = {}
    for label, path in views:
        page.goto(base + path, wait_until="networkidle")
        found[label] = network.static_requests()
    context.close()
    return found


def topic_paths(base: str) -> list[str]:
    client = ForumClient(base)
    paths = []
    for board in client.request("GET", "/api/boards").json["boards"]:
        for topic in client.request("GET", f"/api/boards/{board['id']}").json["topics"]:
            paths.append(f"/t/{topic['id']}")
    return paths


def first_paint(browser: Any, url: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        context = browser.new_context()  # a cold cache every time
        page = context.new_page()
        page.goto(url, wait_until="load")
        times.append(float(page.evaluate(FCP)))
        context.close()
    return statistics.median(times)


@contextmanager
def static_copy(files: dict[str, bytes], page_path: str) -> Iterator[str]:
    """The same bytes under the same paths, served from disk by a plain file server."""
    with tempfile.TemporaryDirectory(prefix="forum-static-") as root:
        for path, body in files.items():
            target = Path(root) / (path.lstrip("/") or "index.html")
            if path == page_path:
                target = Path(root) / page_path.lstrip("/") / "index.html"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(body)
        handler = partial(QuietHandler, directory=root)
        server = QuietServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A browser context closed while a file was still being sent: nothing to report.
        return


class QuietHandler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript"}

    def log_message(self, format: str, *args: Any) -> None:
        return


def kb(n: float) -> str:
    return f"{n / 1024:8.1f} KB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running forum (default: start a local runtime)")
    parser.add_argument("--runs", type=int, default=7, help="page loads per first-paint figure")
    args = parser.parse_args()

    chromium = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise SystemExit("Playwright is missing: make install") from None
    if chromium is None:
        raise SystemExit("No Chromium: `make chromium` (Debian's chromium package)")

    with forum(args.url) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page_path = topic_path(base)
        resources = loaded_resources(browser, base + page_path)
        files: dict[str, bytes] = {}
        print(f"Topic page {page_path} (20 posts), as Chromium {browser.version} loads it\n")
        print(f"{'':34}{'raw':>11}{'gzip':>11}{'brotli':>11}")
        totals = [0, 0, 0]
        for kind, url in resources:
            body = fetch(url)
            path = urlsplit(url).path
            files[path] = body
            sizes = (
                len(body),
                len(gzip.compress(body, compresslevel=6)),
                len(brotli.compress(body, quality=11)),
            )
            totals = [total + size for total, size in zip(totals, sizes, strict=True)]
            name = "HTML" if kind == "document" else path
            print(f"{name:34}{kb(sizes[0])}{kb(sizes[1])}{kb(sizes[2])}")
        print(f"{'total HTML + CSS + JS':34}{kb(totals[0])}{kb(totals[1])}{kb(totals[2])}")
        verdict = "within" if max(totals[1], totals[2]) <= TARGET_BYTES else "OVER"
        print(f"target: at most {TARGET_BYTES // 1024} KB compressed: {verdict}\n")
        static_gzip = sum(
            len(gzip.compress(body, compresslevel=6))
            for path, body in files.items()
            if is_static(path)
        )

        views = static_requests(browser, base, page_path)
        print("Static files fetched from the server (each a CloudFront request and a WAF look):")
        for label, paths in views.items():
            print(f"  {label:34}{len(paths):3d}  {' '.join(paths)}")
        first = len(next(iter(views.values())))
        returning = [len(paths) for label, paths in list(views.items())[1:]]
        ok = first <= FIRST_VIEW_STATIC_TARGET and max(returning) <= RETURNING_VIEW_STATIC_TARGET
        print(
            f"target: at most {FIRST_VIEW_STATIC_TARGET} on a first view, "
            f"{RETURNING_VIEW_STATIC_TARGET} on a returning one: {'PASS' if ok else 'FAIL'}\n"
        )
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(
            json.dumps(
                {
                    "first_view_static_requests": first,
                    "returning_view_static_requests": statistics.mean(returning),
                    "first_view_static_gzip_bytes": static_gzip,
                    "views": views,
                },
                indent=1,
            )
        )

        files["/config.json"] = fetch(base + "/config.json")
        served = first_paint(browser, base + page_path, args.runs)
        with static_copy(files, page_path) as copy:
            floor = first_paint(browser, copy + page_path + "/", args.runs)
        print(f"First contentful paint, cold cache, median of {args.runs} loads:")
        print(f"  local runtime (site function on moto)   {served:7.0f} ms")
        print(f"  static copy served from disk (floor)     {floor:7.0f} ms")
        browser.close()


if __name__ == "__main__":
    main()
