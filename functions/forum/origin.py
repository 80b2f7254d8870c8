"""Requests reach the forum's functions through CloudFront only.

The HTTP API has an address of its own beside CloudFront, and a request sent there would skip
AWS WAF (its rate limit, the IP reputation list, the managed rules). CloudFront adds a header
with a secret to every request it sends the API (infra/api.py); the API and site functions
check it, once, before anything is routed or read, and refuse a request without it. The
secret comes with the functions' environment, so the check costs no request.

Where no secret is configured (the API tests, which call the handlers directly) nothing is
checked; the local gateway adds the header as CloudFront does whenever the functions have one.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping
from typing import Any

from .i18n import _
from .settings import get_settings

# Lower case, as the HTTP API passes header names to the functions.
ORIGIN_HEADER = "x-forum-origin"
PROBLEM_TYPE = "https://forum.invalid/problems/not-through-cloudfront"


def admitted(headers: Mapping[str, str] | None, secret: str) -> bool:
    """Whether the request carries the secret (compared in constant time)."""
    if not secret:
        return True
    sent = next(
        (value for name, value in (headers or {}).items() if name.lower() == ORIGIN_HEADER), ""
    )
    return hmac.compare_digest(sent.encode("utf-8", "surrogatepass"), secret.encode("utf-8"))


def refusal(event: Mapping[str, Any]) -> dict[str, Any] | None:
    """The 403 a request that did not come through CloudFront gets, or None to serve it."""
    if admitted(event.get("headers"), get_settings().origin_secret):
        return None
    body = {
        "type": PROBLEM_TYPE,
        "title": _("Forbidden"),
        "status": 403,
        "detail": _("The forum answers only requests made through its own address."),
    }
    return {
        "statusCode": 403,
        "headers": {"Content-Type": "application/problem+json", "Cache-Control": "no-store"},
        "body": json.dumps(body),
        "isBase64Encoded": False,
    }
