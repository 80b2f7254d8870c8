"""Configuration, read once from the environment into a typed object.

Nothing else in the code base reads ``os.environ``; the CDK stack and the local runtime set these.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Settings:
    table_name: str
    region: str
    # A custom endpoint (the local runtime's moto server); None means the real AWS endpoint.
    dynamodb_endpoint: str | None
    posts_per_page: int
    topics_per_page: int
    max_request_bytes: int
    presence_window_seconds: int


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings(
        table_name=os.environ.get("FORUM_TABLE", "forum"),
        region=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
        dynamodb_endpoint=os.environ.get("FORUM_DYNAMODB_ENDPOINT") or None,
        posts_per_page=_int("FORUM_POSTS_PER_PAGE", 20),
        topics_per_page=_int("FORUM_TOPICS_PER_PAGE", 20),
        max_request_bytes=_int("FORUM_MAX_REQUEST_BYTES", 256 * 1024),
        presence_window_seconds=_int("FORUM_PRESENCE_WINDOW_SECONDS", 300),
    )
