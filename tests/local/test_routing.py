"""API Gateway's route precedence, as the local gateway applies it."""

from __future__ import annotations

from local.deployed import HttpRoute
from local.routing import match

ROUTES = [
    HttpRoute("GET /api/boards", "api", jwt=False),
    HttpRoute("GET /api/boards/{board_id}", "api", jwt=False),
    HttpRoute("POST /api/boards/{board_id}/topics", "api", jwt=True),
    HttpRoute("ANY /api/{proxy+}", "api", jwt=False),
    HttpRoute("$default", "site", jwt=False),
]


def route_of(method: str, path: str) -> tuple[str, dict[str, str]]:
    found = match(ROUTES, method, path)
    assert found is not None
    return found[0].route_key, found[1]


def test_exact_routes_win() -> None:
    assert route_of("GET", "/api/boards") == ("GET /api/boards", {})


def test_parameters_are_captured() -> None:
    assert route_of("GET", "/api/boards/b1") == ("GET /api/boards/{board_id}", {"board_id": "b1"})
    assert route_of("POST", "/api/boards/b1/topics")[0] == "POST /api/boards/{board_id}/topics"


def test_other_methods_and_paths_fall_to_the_greedy_route_then_default() -> None:
    assert route_of("DELETE", "/api/boards/b1") == ("ANY /api/{proxy+}", {"proxy": "boards/b1"})
    assert route_of("GET", "/api/a/b/c") == ("ANY /api/{proxy+}", {"proxy": "a/b/c"})
    assert route_of("GET", "/t/123") == ("$default", {})
    assert route_of("GET", "/") == ("$default", {})
