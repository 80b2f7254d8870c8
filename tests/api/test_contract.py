"""The API's own description of itself, its routes, and answers to requests it does not know."""

from __future__ import annotations

import re

from api.routes import ROUTES

from ..conftest import Caller


def test_the_handler_serves_exactly_the_shared_route_table(call: Caller) -> None:
    from api.handler import app

    served = set()
    for route in app._static_routes + app._dynamic_routes:
        path = re.sub(r"<(\w+)>", r"{\1}", route.path)
        served.add((route.method, path))
    assert served == {(route.method, route.path) for route in ROUTES}


def test_openapi_document_describes_every_route(call: Caller) -> None:
    reply = call("GET", "/api/openapi.json")
    assert reply.status == 200
    document = reply.json
    assert document["openapi"].startswith("3.")
    documented = {
        (method.upper(), path) for path, item in document["paths"].items() for method in item
    }
    expected = {
        (route.method, route.path)
        for route in ROUTES
        if route.path not in ("/api/openapi.json", "/api/docs")
    }
    assert documented == expected
    schemas = document["components"]["schemas"]
    for name in (
        "BoardOut",
        "BoardPage",
        "TopicPage",
        "PostOut",
        "ReplyOut",
        "PresenceOut",
        "AuthorCard",
        "MemberPage",
        "MeOut",
        "SignUpOut",
    ):
        assert name in schemas


def test_swagger_ui_is_served(call: Caller) -> None:
    reply = call("GET", "/api/docs")
    assert reply.status == 200
    assert "swagger" in reply.text.lower()


def test_unknown_api_paths_are_problem_json_404(call: Caller) -> None:
    reply = call("GET", "/api/nothing/here")
    assert reply.status == 404
    assert reply.headers["content-type"] == "application/problem+json"
    assert reply.json["title"] == "Not found"


def test_base64_bodies_are_read(call: Caller, board) -> None:
    from ..conftest import MEMBER

    reply = call(
        "POST",
        f"/api/boards/{board['id']}/topics",
        {"title": "Encoded", "body": "text"},
        claims=MEMBER,
        base64_body=True,
    )
    assert reply.status == 201, reply.text


def test_a_body_that_is_not_json_is_415(call: Caller, topic) -> None:
    reply = call(
        "POST",
        f"/api/topics/{topic['id']}/heartbeat",
        raw_body="viewer_id=abcdefgh",
        headers={"content-type": "text/plain"},
    )
    assert reply.status == 415
    assert reply.headers["content-type"] == "application/problem+json"


def test_a_body_that_is_not_utf8_is_400(call: Caller, topic) -> None:
    from ..conftest import MEMBER
    from ..events import http_event

    event = http_event("POST", f"/api/topics/{topic['id']}/posts", {"body": "x"}, claims=MEMBER)
    event["body"] = "pKJKwg=="  # bytes that are not UTF-8
    event["isBase64Encoded"] = True
    from api.handler import lambda_handler

    from ..conftest import LambdaContextStub

    response = lambda_handler(event, LambdaContextStub())
    assert response["statusCode"] == 400
    assert "UTF-8" in response["body"]


def test_public_reads_may_be_cached_briefly_and_nothing_else(call: Caller, topic) -> None:
    from ..conftest import MEMBER

    for url in ("/api/boards", f"/api/topics/{topic['id']}"):
        assert call("GET", url).headers["cache-control"] == "public, max-age=5, s-maxage=10"
    # personal reads, writes and errors are never cached
    assert call("GET", "/api/me", claims=MEMBER).headers["cache-control"] == "private, no-store"
    reply = call("POST", f"/api/topics/{topic['id']}/posts", {"body": "x"}, claims=MEMBER)
    assert reply.headers["cache-control"] == "private, no-store"
    assert call("GET", "/api/topics/missing").headers["cache-control"] == "private, no-store"


def test_a_query_parameter_the_route_does_not_know_is_ignored(call: Caller, topic) -> None:
    # The page's script adds one to read past the edge cache after a write.
    assert call("GET", f"/api/topics/{topic['id']}?page=1&fresh=1795820000000").status == 200
