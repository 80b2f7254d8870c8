"""Who is asking: a signed-in member as the HTTP API's JWT authorizer describes them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

ADMINS = "admins"
MODERATORS = "moderators"

# The roles a profile shows, from the Cognito groups.
MEMBER_ROLE = "member"
MODERATOR_ROLE = "moderator"
ADMIN_ROLE = "admin"


@dataclass(frozen=True)
class Member:
    user_id: str
    name: str
    groups: frozenset[str] = field(default_factory=frozenset)
    # When the token was issued (its ``iat``, epoch seconds), None when unknown.
    issued_at: int | None = None
    # When the member last signed in with their password (the token's ``auth_time``, epoch
    # seconds; Cognito keeps it through refreshes), None when unknown.
    authenticated_at: int | None = None

    @property
    def is_admin(self) -> bool:
        return ADMINS in self.groups

    @property
    def is_moderator(self) -> bool:
        """Moderators and admins may moderate."""
        return self.is_admin or MODERATORS in self.groups

    @property
    def role(self) -> str:
        return role_of(self.groups)


def role_of(groups: frozenset[str] | set[str]) -> str:
    if ADMINS in groups:
        return ADMIN_ROLE
    if MODERATORS in groups:
        return MODERATOR_ROLE
    return MEMBER_ROLE


def parse_groups(value: Any) -> frozenset[str]:
    """Read ``cognito:groups`` in every form it reaches a function.

    The HTTP API authorizer turns every claim into a string, so a list arrives as
    ``"[admins moderators]"``; a test or another integration may pass a real list or JSON.
    """
    if value is None:
        return frozenset()
    if isinstance(value, list | tuple | set | frozenset):
        return frozenset(str(item) for item in value if str(item))
    text = str(value).strip()
    if text.startswith("[") and text.endswith("]"):
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if isinstance(parsed, list):
            return frozenset(str(item) for item in parsed if str(item))
        text = text[1:-1]
    return frozenset(part for part in text.replace(",", " ").split() if part)


def member_from_claims(claims: Mapping[str, Any] | None) -> Member | None:
    """The member the claims describe, or None when the request carries no usable identity."""
    if not claims:
        return None
    user_id = str(claims.get("sub") or "").strip()
    name = str(claims.get("cognito:username") or claims.get("username") or "").strip()
    if not user_id or not name:
        return None
    return Member(
        user_id=user_id,
        name=name,
        groups=parse_groups(claims.get("cognito:groups")),
        issued_at=_epoch(claims.get("iat")),
        authenticated_at=_epoch(claims.get("auth_time")),
    )


def _epoch(value: Any) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None
