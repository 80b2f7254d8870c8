"""The API's own description of itself, its routes, and answers to requests it does not know."""

from __future__ import annotations

import re
from typing import Any

import pytest

from api.routes import ROUTES, SEARCH_API_ROUTE

from ..conftest import Caller


def test_the_handler_serves_exactly_the_shared_route_table(call: Caller) -> None:
    from api.handler import app

    served = set()
    for route in app._static_routes + app._dynamic_routes:
        path = re.sub(r"<(\w+)>", r"{\1}", route.path)
        served.add((route.method, path))
    # And the search route, which the stack sends to the search function (for the document).
    assert served == {(route.method, route.path) for route in (*ROUTES, SEARCH_API_ROUTE)}


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
        for route in (*ROUTES, SEARCH_API_ROUTE)
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


# Bodies json.loads cannot take (Python's int-digit limit, its recursion limit) or that nest
# deeper than any request does; each is 400 malformed JSON on every route that reads a body.
HOSTILE_BODIES = {
    "5,000 digits": '{"body": ' + "9" * 5000 + "}",
    "50,000 deep": '{"body": ' + "[" * 50_000 + "]" * 50_000 + "}",
    "900 deep": '{"body": ' + "[" * 900 + "]" * 900 + "}",
    "objects 500 deep": '{"body": ' + '{"a": ' * 500 + "1" + "}" * 500 + "}",
    "40 deep at the top": "[" * 40 + "]" * 40,
}


@pytest.mark.parametrize("raw", HOSTILE_BODIES.values(), ids=HOSTILE_BODIES.keys())
def test_a_body_json_cannot_read_is_400_on_every_route(
    call: Caller, topic: dict[str, Any], raw: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from ..conftest import ADMIN, MEMBER

    topic_id = topic["id"]
    routes = [
        ("POST", "/api/preview", None),
        ("POST", "/api/accounts", None),
        ("POST", "/api/password-resets", None),
        ("POST", f"/api/topics/{topic_id}/heartbeat", None),
        ("POST", f"/api/topics/{topic_id}/heartbeat/member", MEMBER),
        ("POST", f"/api/topics/{topic_id}/posts", MEMBER),
        ("PATCH", f"/api/topics/{topic_id}/posts/1", MEMBER),
        ("PATCH", f"/api/topics/{topic_id}", ADMIN),
        ("POST", "/api/boards", ADMIN),
        ("POST", "/api/uploads", MEMBER),
        ("PATCH", "/api/me", MEMBER),
        ("POST", "/api/users/member/ban", ADMIN),
    ]
    for method, url, claims in routes:
        reply = call(method, url, raw_body=raw, claims=claims)
        assert reply.status == 400, (method, url, reply.text[:300])
        assert reply.headers["content-type"] == "application/problem+json"
        assert reply.json["title"] == "Malformed JSON"
    # and none of them was taken for a bug of ours
    logged = capsys.readouterr()
    assert "UnhandledErrors" not in logged.out + logged.err


def test_a_body_nested_as_deep_as_a_request_is_still_read(call: Caller, table: Any) -> None:
    # Depth is counted in arrays and objects: an ordinary request is far from the limit.
    reply = call("POST", "/api/preview", raw_body='{"body": [[[[["x"]]]]]}')
    assert reply.status == 422, reply.text


def test_a_known_path_asked_with_another_method_is_405_with_allow(call: Caller, table: Any) -> None:
    # Given paths the API serves, asked with methods it does not serve there
    for method, path, allowed in (
        ("TRACE", "/api/me", "GET, PATCH"),
        ("DELETE", "/api/boards", "GET, POST"),
        ("PUT", "/api/topics/abc/posts/1", "DELETE, PATCH"),
    ):
        reply = call(method, path)
        # then each is refused as a method, saying which methods the path answers
        assert reply.status == 405, (method, path, reply.text)
        assert reply.headers["allow"] == allowed
        assert reply.headers["content-type"] == "application/problem+json"
        assert reply.json["title"] == "Method not allowed"
    # and a path the API does not serve at all is still 404
    assert call("TRACE", "/api/nothing").status == 404


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def test_every_operation_declares_its_problems_as_problem_json(call: Caller, table: Any) -> None:
    from api.responses import ALWAYS

    document = call("GET", "/api/openapi.json").json
    auth = {route.route_key for route in ROUTES if route.auth}
    for method, path, operation in _operations(document):
        responses = operation["responses"]
        statuses = {int(status) for status in responses}
        assert set(ALWAYS) <= statuses, (method, path)
        # every route the authorizer guards can be 401; every named thing can be missing
        if f"{method} {path}" in auth:
            assert 401 in statuses, (method, path)
        if "{" in path:
            assert 404 in statuses, (method, path)
        # the successes are what the handler answers (201 for creating, 204 for removing)
        assert any(200 <= status < 300 for status in statuses), (method, path)
        if method == "DELETE" and path != "/api/users/{username}/moderator":
            assert 204 in statuses, (method, path)
        for status, response in responses.items():
            if int(status) >= 400:
                content = response["content"]
                problem = content["application/problem+json"]["schema"]["$ref"]
                assert problem.endswith("/Problem"), (method, path, status)
                # the only other kind of error body is API Gateway's own 401
                assert set(content) - {"application/problem+json"} <= (
                    {"application/json"} if int(status) == 401 else set()
                ), (method, path, status)
    created = document["paths"]["/api/boards/{board_id}/topics"]["post"]["responses"]
    assert "201" in created and "200" not in created


def test_the_rules_a_request_is_held_to_are_in_its_schema(call: Caller, table: Any) -> None:
    schemas = call("GET", "/api/openapi.json").json["components"]["schemas"]
    username = schemas["SignUpIn"]["properties"]["username"]
    assert re.fullmatch(username["pattern"], "alice_1")
    assert not re.search(username["pattern"], "")
    preview = schemas["PreviewIn"]["properties"]["body"]
    assert preview["minLength"] == 1 and preview["maxLength"] == 50_000
    assert not re.search(preview["pattern"], "   ")
    title = schemas["TopicIn"]["properties"]["title"]
    assert title["maxLength"] == 200 and not re.search(title["pattern"], "a\nb")
    # a change needs at least one of its fields
    assert len(schemas["BoardChangeIn"]["anyOf"]) == 3


def test_an_integer_is_a_json_integer(call: Caller, topic: dict[str, Any]) -> None:
    # What the schema calls an integer (3 and 3.0), not what pydantic's lax mode would take
    url = f"/api/topics/{topic['id']}/heartbeat"
    for refused in (True, "0", 0.5):
        reply = call("POST", url, {"viewer_id": "abcdefgh", "counted_in": refused})
        assert reply.status == 422, (refused, reply.text)
    assert call("POST", url, {"viewer_id": "abcdefgh", "counted_in": 0.0}).status == 200


def test_the_document_says_which_operations_need_a_member_token(call: Caller, table: Any) -> None:
    document = call("GET", "/api/openapi.json").json
    scheme = document["components"]["securitySchemes"]["member"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    secured = {
        f"{method} {path}"
        for method, path, operation in _operations(document)
        if operation.get("security") == [{"member": []}]
    }
    assert secured == {route.route_key for route in ROUTES if route.auth}
