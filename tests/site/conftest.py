"""The site function's pages, called with the HTTP API events its ``$default`` route sends."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

from infra import static_build
from local.events import build_event

from ..api.conftest import Faults
from ..conftest import OTHER, Caller, LambdaContextStub
from ..factory import new_board, new_replies, new_topic


@dataclass
class Html:
    status: int
    headers: dict[str, str]
    text: str

    def tags(self, name: str) -> list[dict[str, str]]:
        """The attributes of every <name> element, in document order."""
        collector = _TagCollector(name)
        collector.feed(self.text)
        return collector.found

    def meta(self, key: str) -> str | None:
        for tag in self.tags("meta"):
            if tag.get("name") == key or tag.get("property") == key:
                return tag.get("content")
        return None

    def link(self, rel: str) -> str | None:
        for tag in self.tags("link"):
            if tag.get("rel") == rel:
                return tag.get("href")
        return None

    @property
    def title(self) -> str:
        match = re.search(r"<title>(.*?)</title>", self.text, re.S)
        return match.group(1) if match else ""

    def words(self) -> str:
        """The visible text, whitespace collapsed (tags out), for reading like a person."""
        text = re.sub(r"<(script|style|head)\b.*?</\1>", " ", self.text, flags=re.S)
        text = re.sub(r"<[^>]+>", " ", text)
        return " ".join(html.unescape(text).split())


class _TagCollector(HTMLParser):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.found: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == self.name:
            self.found.append({key: value or "" for key, value in attrs})

    handle_startendtag = handle_starttag


Browse = Callable[..., Html]


def static_url(name: str) -> str:
    """The address of web/'s file ``name`` as `make static` hashed it (build/static.json)."""
    return "/static/" + str(static_build.manifest()["files"][name])


def page_script(kind: str) -> str:
    """The bundle of a kind of page (its ``data-page``) that has a script of its own."""
    return "/static/" + str(static_build.manifest()["pages"][kind])


@pytest.fixture
def browse(table: Any) -> Browse:
    """GET a page from the real site handler, as the HTTP API's $default route delivers it."""
    from pages.handler import lambda_handler

    def get(url: str, method: str = "GET", headers: dict[str, str] | None = None) -> Html:
        split = urlsplit(url)
        event = build_event(
            method,
            quote(split.path),
            split.query,
            {"host": "forum.example", "user-agent": "tests", **(headers or {})},
            None,
            route_key="$default",
            source_ip="203.0.113.9",
        )
        response = lambda_handler(event, LambdaContextStub())
        lowered = {key.lower(): value for key, value in (response.get("headers") or {}).items()}
        return Html(response["statusCode"], lowered, response.get("body") or "")

    return get


@pytest.fixture
def forum(call: Caller) -> dict[str, Any]:
    """A board with a topic of 45 posts (three pages of 20) and a second, newer topic."""
    board_id = new_board(call, "General", "Talk")["id"]
    first = new_topic(
        call, board_id, "Hello <world> & friends", "First *post* with <script>x</script>"
    )
    new_replies(call, first["id"], [f"reply {index + 2}" for index in range(44)])
    second = new_topic(call, board_id, "Second topic", "Newer", claims=OTHER)
    return {"board_id": board_id, "topic_id": first["id"], "second_id": second["id"]}


@pytest.fixture
def faults(table: Any) -> Iterator[Faults]:
    """DynamoDB failing chosen operations as the service fails them (tests/api's faults)."""
    injected = Faults()
    injected.events.register_first("before-call.dynamodb", injected)  # type: ignore[arg-type]
    yield injected
    injected.events.unregister("before-call.dynamodb", injected)  # type: ignore[arg-type]
