"""GET /api/search and the /search page, through the search function's real handler, over an
index the indexer published to moto's S3."""

from __future__ import annotations

from typing import Any

import pytest

from ..conftest import Caller, LambdaContextStub, Reply
from ..events import http_event, url
from ..factory import new_board, new_replies, new_topic
from .conftest import index_changes, post_change


def searched(method: str, address: str) -> Reply:
    from search.handler import lambda_handler

    response = lambda_handler(http_event(method, address), LambdaContextStub())
    headers = {key.lower(): value for key, value in (response.get("headers") or {}).items()}
    return Reply(response["statusCode"], headers, response.get("body") or "")


@pytest.fixture
def forum(call: Caller, search_bucket: str) -> dict[str, Any]:
    board = new_board(call, "Workshop")
    topic = new_topic(call, board["id"], "Sharpening chisels", "Use a **honing** guide.")
    new_replies(call, topic["id"], ["Freehand honing works <script>alert(1)</script> too."])
    index_changes(post_change(topic["id"], 1), post_change(topic["id"], 2))
    return {"board": board, "topic": topic}


def test_search_finds_posts_with_marked_snippets(forum: dict[str, Any]) -> None:
    reply = searched("GET", url("/api/search", q="honing", order="newest"))
    assert reply.status == 200, reply.text
    assert reply.headers["cache-control"] == "public, max-age=5, s-maxage=10"
    body = reply.json
    assert body["total"] == 2 and body["page_count"] == 1
    first, second = body["results"]
    assert (first["number"], second["number"]) == (2, 1)
    assert first["topic_title"] == "Sharpening chisels" and first["author"] == "other"
    assert first["url"] == f"/t/{forum['topic']['id']}/sharpening-chisels#msg2"
    assert "<mark>honing</mark>" in first["snippet_html"]
    assert "<script" not in first["snippet_html"]


def test_filters_of_the_api(forum: dict[str, Any]) -> None:
    def numbers(**query: Any) -> list[int]:
        reply = searched("GET", url("/api/search", **query))
        assert reply.status == 200, reply.text
        return sorted(hit["number"] for hit in reply.json["results"])

    assert numbers(q="honing", author="member") == [1]
    assert numbers(q="chisels", titles_only="true") == [1]
    assert numbers(q="honing", board=forum["board"]["id"]) == [1, 2]
    assert numbers(q="honing", topic=forum["topic"]["id"]) == [1, 2]
    assert numbers(q="honing", board="NoSuchBoard1") == []
    assert numbers(q="honing", author="nobody") == []
    assert numbers(q="honing", since="2999-01-01") == []
    assert numbers(q="honing", page=3) == []
    assert numbers(q="title:honing body:x^2 [a TO z] honing~") == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"q": "x" * 1001}, "q"),
        ({"q": "chisel " * 150}, "q"),
        ({"q": '"honing guide'}, "q"),
        ({"q": "*"}, "q"),
        ({"q": "?!…"}, "q"),
        ({"q": ""}, "q"),
        ({}, "q"),
        ({"q": "honing", "page": "51"}, "page"),
        ({"q": "honing", "page": "0"}, "page"),
        ({"q": "honing", "board": "../etc"}, "board"),
        ({"q": "honing", "since": "yesterday"}, "since"),
        ({"q": "honing", "order": "random"}, "order"),
    ],
)
def test_bad_searches_are_422_saying_what_is_wrong(
    forum: dict[str, Any], query: dict[str, str], field: str
) -> None:
    reply = searched("GET", url("/api/search", **query))
    assert reply.status == 422, reply.text
    assert reply.headers["content-type"].startswith("application/problem+json")
    assert field in reply.text
    assert reply.headers["cache-control"] == "private, no-store"


def test_the_page_reads_without_javascript(forum: dict[str, Any]) -> None:
    reply = searched("GET", url("/search", q="honing <b>x</b>"))
    assert reply.status == 200, reply.text
    assert reply.headers["content-type"].startswith("text/html")
    assert '<meta name="robots" content="noindex">' in reply.text
    assert "No posts found" in reply.text
    assert "<b>x</b>" not in reply.text and "&lt;b&gt;x&lt;/b&gt;" in reply.text

    reply = searched("GET", url("/search", q="honing", topic=forum["topic"]["id"]))
    assert "2 posts found" in reply.text
    assert "<mark>honing</mark>" in reply.text
    assert f'href="/t/{forum["topic"]["id"]}/sharpening-chisels#msg2"' in reply.text
    assert "<script>alert" not in reply.text
    assert "In this topic only." in reply.text
    assert 'class="site-search"' in reply.text


def test_the_page_says_what_is_wrong_with_a_query(forum: dict[str, Any]) -> None:
    reply = searched("GET", url("/search", q='"honing'))
    assert reply.status == 422
    assert "A quote is not closed" in reply.text
    assert reply.headers["cache-control"] == "private, no-store"
    assert searched("GET", "/search").status == 200


def test_the_api_documents_the_search_route(call: Caller) -> None:
    document = call("GET", "/api/openapi.json").json
    operation = document["paths"]["/api/search"]["get"]
    assert {parameter["name"] for parameter in operation["parameters"]} >= {"q", "board", "page"}
    assert "security" not in operation


def test_topic_and_board_pages_search_themselves(forum: dict[str, Any]) -> None:
    from pages.handler import lambda_handler

    def page(path: str) -> str:
        response = lambda_handler(http_event("GET", path), LambdaContextStub())
        assert response["statusCode"] == 200
        return str(response["body"])

    topic_id, board_id = forum["topic"]["id"], forum["board"]["id"]
    topic_page = page(f"/t/{topic_id}/sharpening-chisels")
    assert f'<input type="hidden" name="topic" value="{topic_id}">' in topic_page
    assert "Search this topic" in topic_page and 'action="/search"' in topic_page
    board_page = page(f"/b/{board_id}")
    assert f'<input type="hidden" name="board" value="{board_id}">' in board_page
    assert "Search this board" in board_page
    assert 'class="site-search"' in page("/")
