"""The signed-in member of a request, from the claims the HTTP API's JWT authorizer passed on."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent

from forum.errors import Unauthorized
from forum.identity import Member, member_from_claims


def claims_of(event: BaseProxyEvent) -> dict[str, Any] | None:
    authorizer = (event.raw_event.get("requestContext") or {}).get("authorizer") or {}
    jwt = authorizer.get("jwt") or {}
    claims = jwt.get("claims")
    return claims if isinstance(claims, dict) else None


def require_member(event: BaseProxyEvent) -> Member:
    """The member making the request; 401 when there is none (the authorizer should say so)."""
    member = member_from_claims(claims_of(event))
    if member is None:
        raise Unauthorized("Sign in to do this: the request carries no valid member token.")
    return member
