"""Builders of the events API Gateway's HTTP API (payload format 2.0) sends to a function."""

from __future__ import annotations

import base64
import json
import time
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from api.routes import match
from local.events import build_event


def claims(
    sub: str = "user-member",
    username: str = "member",
    groups: tuple[str, ...] = (),
) -> dict[str, str]:
    """JWT claims as the HTTP API authorizer passes them: all strings, lists as '[a b]'."""
    now = int(time.time())
    result = {
        "sub": sub,
        "cognito:username": username,
        "token_use": "access" if not groups else "id",
        "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_test",
        "exp": str(now + 3600),
        "iat": str(now),
        # When the member typed their password: as Cognito says it, kept through refreshes.
        "auth_time": str(now),
    }
    if groups:
        result["cognito:groups"] = "[" + " ".join(groups) + "]"
    return result


def http_event(
    method: str,
    url: str,
    body: Any = None,
    *,
    claims: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    raw_body: str | None = None,
    base64_body: bool = False,
    source_ip: str = "203.0.113.9",
) -> dict[str, Any]:
    """The event API Gateway would send for this request, routed as the stack routes it."""
    split = urlsplit(url)
    matched = match(method, split.path)
    if matched:
        route, params = matched
        route_key = route.route_key
    else:
        route_key, params = "ANY /api/{proxy+}", {"proxy": split.path.removeprefix("/api/")}
    text = raw_body if raw_body is not None else (json.dumps(body) if body is not None else None)
    all_headers = {"host": "forum.example", "user-agent": "tests"}
    if text is not None:
        all_headers["content-type"] = "application/json"
    if claims is not None:
        all_headers["authorization"] = "Bearer test-token"
    all_headers.update(headers or {})
    event = build_event(
        method,
        quote(split.path),
        split.query,
        all_headers,
        text.encode() if text is not None else None,
        route_key=route_key,
        path_parameters=params,
        source_ip=source_ip,
        claims=claims,
    )
    if base64_body and text is not None:
        event["body"] = base64.b64encode(text.encode()).decode()
        event["isBase64Encoded"] = True
    return event


def url(path: str, **query: Any) -> str:
    return f"{path}?{urlencode(query)}" if query else path
