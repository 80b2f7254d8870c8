"""`make load`: many people reading and replying at once, against the local runtime.

50 simulated members (threads with keep-alive connections) for 60 seconds: each reads the board
index, a board, a topic page, and every few reads posts a reply to one of a few shared topics.
Afterwards every acknowledged reply must be in its topic, exactly once, under a dense number,
and the topics' reply counters must match. Prints throughput and latency percentiles.

    .venv/bin/python bench/load.py [--users 50] [--seconds 60] [--url http://127.0.0.1:8000]

Without --url it starts its own runtime on a free port with a fresh state.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO_ROOT), str(REPO_ROOT / "functions")]

from local.client import ForumClient  # noqa: E402
from local.runtime import DEFAULT_PASSWORD  # noqa: E402
from tests.local.conftest import PASSWORD, Runtime, free_port  # noqa: E402

MEMBERS = ("member", "alice", "bob", "carol", "moderator")
SHARED_TOPICS = 5


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)
    acknowledged: list[tuple[str, int, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, name: str, seconds: float, status: int, expected: int) -> None:
        with self.lock:
            self.latencies.setdefault(name, []).append(seconds)
            if status != expected:
                self.errors[f"{name} → {status}"] += 1


def worker(
    base: str,
    token: str,
    topics: list[str],
    boards: list[str],
    until: float,
    tally: Tally,
    seed: int,
) -> None:
    rng = random.Random(seed)
    split = urlsplit(base)
    connection = http.client.HTTPConnection(split.hostname or "127.0.0.1", split.port, timeout=60)

    def call(method: str, path: str, body: Any = None, auth: bool = False) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if auth:
            headers["Authorization"] = f"Bearer {token}"
        payload = json.dumps(body) if body is not None else None
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        data = response.read()
        return response.status, json.loads(data) if data else None

    count = 0
    while time.monotonic() < until:
        count += 1
        if count % 4 == 0:
            topic = rng.choice(topics)
            text = f"load reply {seed}-{count}"
            started = time.perf_counter()
            status, body = call("POST", f"/api/topics/{topic}/posts", {"body": text}, auth=True)
            tally.record("reply", time.perf_counter() - started, status, 201)
            if status == 201:
                with tally.lock:
                    tally.acknowledged.append((topic, body["post"]["number"], text))
            continue
        path = rng.choice(
            [
                "/api/boards",
                f"/api/boards/{rng.choice(boards)}",
                f"/api/topics/{rng.choice(topics)}",
            ]
        )
        started = time.perf_counter()
        status, _ = call("GET", path)
        tally.record("read", time.perf_counter() - started, status, 200)
    connection.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def verify(client: ForumClient, tally: Tally) -> list[str]:
    """Every acknowledged reply is present once, numbers are dense, counters are exact."""
    problems = []
    by_topic: dict[str, list[tuple[int, str]]] = {}
    for topic, number, text in tally.acknowledged:
        by_topic.setdefault(topic, []).append((number, text))
    for topic, acknowledged in by_topic.items():
        first = client.request("GET", f"/api/topics/{topic}").json
        posts = []
        for page in range(1, first["topic"]["page_count"] + 1):
            posts += client.request("GET", f"/api/topics/{topic}?page={page}").json["posts"]
        numbers = [post["number"] for post in posts]
        if numbers != list(range(1, len(numbers) + 1)):
            problems.append(f"{topic}: numbers are not dense")
        stored = {post["number"]: post["body"] for post in posts}
        for number, text in acknowledged:
            if stored.get(number) != text:
                problems.append(f"{topic}: acknowledged post #{number} is missing or different")
        bodies = Counter(post["body"] for post in posts)
        duplicated = [text for text, seen in bodies.items() if seen > 1 and text.startswith("load")]
        if duplicated:
            problems.append(f"{topic}: {len(duplicated)} replies stored twice")
        live_replies = sum(1 for post in posts[1:] if not post["removed"])
        if first["topic"]["reply_count"] != live_replies:
            problems.append(
                f"{topic}: reply_count {first['topic']['reply_count']} but {live_replies} replies"
            )
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--url")
    args = parser.parse_args()
    runtime = None
    password = PASSWORD
    if args.url:
        base = args.url.rstrip("/")
        password = os.environ.get("FORUM_DEMO_PASSWORD") or DEFAULT_PASSWORD
    else:
        runtime = Runtime(free_port(), Path(tempfile.mkdtemp(prefix="forum-load-")))
        print("starting a local runtime …", flush=True)
        runtime.start()
        base = runtime.url
    try:
        client = ForumClient(base)
        tokens = [client.sign_in(name, password)["AccessToken"] for name in MEMBERS]
        boards = [board["id"] for board in client.request("GET", "/api/boards").json["boards"]]
        topics = []
        for index in range(SHARED_TOPICS):
            made = client.request(
                "POST",
                f"/api/boards/{boards[index % len(boards)]}/topics",
                {"title": f"Load test topic {index + 1}", "body": "Reply here."},
                token=tokens[0],
            )
            topics.append(made.json["topic"]["id"])
        tally = Tally()
        until = time.monotonic() + args.seconds
        threads = [
            threading.Thread(
                target=worker,
                args=(base, tokens[i % len(tokens)], topics, boards, until, tally, i),
            )
            for i in range(args.users)
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        problems = verify(client, tally)
    finally:
        if runtime is not None:
            runtime.stop()
    total = sum(len(values) for values in tally.latencies.values())
    print(f"\n{args.users} users for {elapsed:.0f} s: {total} requests, {total / elapsed:.1f}/s")
    print(f"{'kind':8} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'mean ms':>8}")
    for name, values in sorted(tally.latencies.items()):
        print(
            f"{name:8} {len(values):7d} {percentile(values, 0.5):8.0f}"
            f" {percentile(values, 0.95):8.0f} {percentile(values, 0.99):8.0f}"
            f" {statistics.fmean(values) * 1000:8.0f}"
        )
    errors = sum(tally.errors.values())
    print(f"errors: {errors} {dict(tally.errors) if errors else ''}")
    print(f"acknowledged replies: {len(tally.acknowledged)}; integrity problems: {len(problems)}")
    for problem in problems[:20]:
        print("  " + problem)
    ok = errors == 0 and not problems
    print("load: " + ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
