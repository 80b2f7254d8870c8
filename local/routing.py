"""Which route of the HTTP API a request takes, with API Gateway's precedence."""

from __future__ import annotations

from collections.abc import Sequence

from .deployed import HttpRoute


def _match_path(template: str, path: str) -> dict[str, str] | None:
    expected = template.strip("/").split("/")
    actual = path.strip("/").split("/")
    params: dict[str, str] = {}
    for index, part in enumerate(expected):
        if part.startswith("{") and part.endswith("+}"):
            rest = actual[index:]
            if not rest or not rest[0]:
                return None
            params[part[1:-2]] = "/".join(rest)
            return params
        if index >= len(actual):
            return None
        if part.startswith("{") and part.endswith("}"):
            if not actual[index]:
                return None
            params[part[1:-1]] = actual[index]
        elif part != actual[index]:
            return None
    return params if len(actual) == len(expected) else None


def _specificity(route: HttpRoute) -> tuple[int, int, int, int]:
    parts = route.path.strip("/").split("/")
    greedy = any(part.endswith("+}") for part in parts)
    literal = sum(1 for part in parts if not part.startswith("{"))
    # Higher sorts first: no greedy, more literal segments, longer, a method over ANY.
    return (0 if greedy else 1, literal, len(parts), 0 if route.method == "ANY" else 1)


def match(
    routes: Sequence[HttpRoute], method: str, path: str
) -> tuple[HttpRoute, dict[str, str]] | None:
    candidates: list[tuple[HttpRoute, dict[str, str]]] = []
    fallback = None
    for route in routes:
        if route.route_key == "$default":
            fallback = route
            continue
        if route.method not in ("ANY", method.upper()):
            continue
        params = _match_path(route.path, path)
        if params is not None:
            candidates.append((route, params))
    if candidates:
        return max(candidates, key=lambda pair: _specificity(pair[0]))
    return (fallback, {}) if fallback else None
