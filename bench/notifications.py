"""What a reply in a topic with 10,000 watchers costs the notifier, per watcher, and how long.

Run from the repository root:

    .venv/bin/python bench/notifications.py [--watchers N]

Builds a forum in moto (one board, one topic, N watchers written in bulk), posts one reply
through the real API handler, counts that reply's own DynamoDB requests (they do not grow with
the watchers: the notifications are made off the write path), then hands the notifier function
the reply's change as its queue would, and prints the notifier's requests, write and read
items and wall time, per watcher. A second delivery of the same message (as SQS may) is timed
too: it writes nothing. The target is "10,000 watchers notified within a minute locally".

The exit code is 0 whether or not the target is met; a FAIL line says when it is not.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for _path in (ROOT, ROOT / "functions"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import argparse  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from typing import Any  # noqa: E402

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "FORUM_TABLE": "forum-bench",
    "FORUM_POST_INTERVAL_SECONDS": "0",
    "FORUM_NEW_MEMBER_POSTS_PER_HOUR": "0",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
    "POWERTOOLS_METRICS_DISABLED": "true",
}
TARGET_SECONDS = 60.0


class Requests:
    """DynamoDB requests by operation, and the items written, on PynamoDB's client."""

    def __init__(self, client: Any) -> None:
        self.operations: Counter[str] = Counter()
        self.written = 0
        client.meta.events.register("before-parameter-build.dynamodb", self._count)

    def _count(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.operations[model.name] += 1
        if model.name == "BatchWriteItem":
            self.written += sum(len(items) for items in params.get("RequestItems", {}).values())
        elif model.name in ("PutItem", "UpdateItem", "DeleteItem"):
            self.written += 1
        elif model.name == "TransactWriteItems":
            self.written += len(params.get("TransactItems", []))

    def reset(self) -> None:
        self.operations.clear()
        self.written = 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--watchers", type=int, default=10_000)
    args = parser.parse_args()
    os.environ.update(FAKE_AWS)

    with mock_aws():
        from forum import models, schema
        from forum.models import ForumItem
        from forum.notice_items import Notification, Watch
        from forum.settings import get_settings
        from tests import notices
        from tests.conftest import LambdaContextStub
        from tests.events import claims, http_event

        settings = get_settings()
        boto3.client("dynamodb").create_table(**schema.create_table_arguments(settings.table_name))
        models.configure(settings)
        from api.handler import lambda_handler

        def call(method: str, url: str, body: Any, who: dict[str, str]) -> Any:
            return lambda_handler(http_event(method, url, body, claims=who), LambdaContextStub())

        import json

        admin = claims("user-admin", "admin", ("admins",))
        starter, replier = claims("user-starter", "starter"), claims("user-replier", "replier")
        board = json.loads(call("POST", "/api/boards", {"name": "General"}, admin)["body"])
        topic = json.loads(
            call(
                "POST",
                f"/api/boards/{board['id']}/topics",
                {"title": "Busy", "body": "x"},
                starter,
            )["body"]
        )["topic"]
        started = time.perf_counter()
        with ForumItem.batch_write() as batch:
            for n in range(args.watchers):
                sub = f"user-watcher-{n:06d}"
                batch.save(
                    Watch(
                        schema.watchers_pk("topic", topic["id"]),
                        sub,
                        user_id=sub,
                        level="watching",
                        since="2026-01-01T00:00:00.000000Z",
                    )
                )
        print(f"seeded {args.watchers:,} watchers in {time.perf_counter() - started:.1f} s")

        # The replier's first signed-in call makes their profile, as it would on the site.
        call("GET", "/api/me", None, replier)
        requests = Requests(ForumItem._get_connection().connection.client)
        answer = call("POST", f"/api/topics/{topic['id']}/posts", {"body": "hello"}, replier)
        assert answer["statusCode"] == 201, answer["body"]
        print(f"the reply itself: {dict(requests.operations)}: none of them about watchers")

        for label in ("first delivery", "duplicate delivery"):
            requests.reset()
            started = time.perf_counter()
            result = notices.deliver([notices.new_post(topic["id"], 2)])
            seconds = time.perf_counter() - started
            assert result == {"batchItemFailures": []}, result
            per = args.watchers or 1
            total = sum(requests.operations.values())
            print(
                f"{label}: {seconds:.1f} s, {total:,} requests "
                f"({total / per:.3f} per watcher), {requests.written:,} items written "
                f"({requests.written / per:.2f} per watcher, about "
                f"{requests.written / per:.2f} write units), by operation "
                f"{dict(requests.operations)}"
            )
            if label == "first delivery":
                verdict = "ok" if seconds <= TARGET_SECONDS else "FAIL"
                print(
                    f"{verdict}: {args.watchers:,} watchers notified in {seconds:.1f} s "
                    f"(target {TARGET_SECONDS:.0f} s)"
                )
        sample = list(Notification.query(schema.notify_pk("user-watcher-000000")))
        assert len(sample) == 1 and int(sample[0].replies) == 1


if __name__ == "__main__":
    main()
