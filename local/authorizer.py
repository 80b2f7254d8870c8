"""What the HTTP API's JWT authorizer does, for the local gateway.

Bearer token from the Authorization header; signature checked against the user pool's JWKS;
issuer; audience (``aud`` of an ID token or ``client_id`` of an access token); expiry. The
claims reach the function as AWS passes them: every value a string, lists as ``[a b]``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import jwt


class Unauthorized(Exception):
    """The request is refused with 401, as API Gateway refuses it."""


def stringify_claim(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "[" + " ".join(str(item) for item in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


class JwtAuthorizer:
    def __init__(self, issuer: str, audiences: Iterable[str], jwks_url: str) -> None:
        self.issuer = issuer
        self.audiences = set(audiences)
        # The JWKS is fetched once and cached, as API Gateway caches it.
        self._keys = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=3600)

    def claims(self, authorization: str | None) -> dict[str, str]:
        if not authorization:
            raise Unauthorized("no Authorization header")
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("not a Bearer token")
        token = token.strip()
        try:
            key = self._keys.get_signing_key_from_jwt(token)
            payload = jwt.decode(
                token,
                key.key,
                algorithms=["RS256"],
                issuer=self.issuer,
                options={"verify_aud": False, "require": ["exp", "iss", "sub"]},
                leeway=0,
            )
        except jwt.PyJWKClientError as error:
            raise Unauthorized(f"unknown signing key: {error}") from error
        except jwt.InvalidTokenError as error:
            raise Unauthorized(str(error)) from error
        audience = payload.get("aud") or payload.get("client_id")
        audiences = audience if isinstance(audience, list) else [audience]
        if not self.audiences.intersection(str(item) for item in audiences if item):
            raise Unauthorized("the token was issued to another client")
        return {name: stringify_claim(value) for name, value in payload.items()}
