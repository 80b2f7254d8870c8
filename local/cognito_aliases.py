"""Signing in and resetting a password with the email address, as Cognito allows.

The user pool lets members use their verified email address wherever Cognito asks for the
username (``AliasAttributes: [email]``). moto ignores aliases: InitiateAuth, ForgotPassword and
ConfirmForgotPassword with an address find nobody (and a sign-in that did would put the
address in the tokens' ``cognito:username``). So, in front of the moto server, the runtime
replaces a verified address in those calls with its member's username, as Cognito resolves it,
and leaves everything else as it came.
"""

from __future__ import annotations

import io
import json
from typing import Any

from moto.cognitoidp.models import CognitoIdpUserPool, cognitoidp_backends

from .cognito_triggers import cognito_request

# The calls a member may make with the address, and where in each the name is.
NAMED = {
    "InitiateAuth": ("AuthParameters", "USERNAME"),
    "ForgotPassword": (None, "Username"),
    "ConfirmForgotPassword": (None, "Username"),
}


def _pools_of(client_id: str) -> list[CognitoIdpUserPool]:
    found = []
    for regions in list(cognitoidp_backends.values()):
        for backend in list(regions.values()):
            for pool in list(backend.user_pools.values()):
                if client_id in pool.clients:
                    found.append(pool)
    return found


def username_for(client_id: str, name: str) -> str | None:
    """The username whose verified email address ``name`` is, where the pool allows it."""
    if "@" not in name:
        return None
    for pool in _pools_of(client_id):
        if "email" not in (pool.extended_config.get("AliasAttributes") or []):
            continue
        if name in pool.users:
            return None
        for user in list(pool.users.values()):
            lookup = user.attribute_lookup
            if (
                str(lookup.get("email", "")).lower() == name.lower()
                and str(lookup.get("email_verified", "")).lower() == "true"
            ):
                return str(user.username)
    return None


def intercept(environ: dict[str, Any]) -> None:
    """For the moto server's WSGI app: the request with an address put as its username."""
    call = cognito_request(environ)
    where = NAMED.get(call[0]) if call is not None else None
    if call is None or where is None:
        return None
    request = call[1]
    section, key = where
    holder = request.get(section) if section and isinstance(request, dict) else request
    if not isinstance(holder, dict) or not isinstance(holder.get(key), str):
        return None
    username = username_for(str(request.get("ClientId") or ""), holder[key])
    if username is not None:
        holder[key] = username
        rewritten = json.dumps(request).encode()
        environ["wsgi.input"] = io.BytesIO(rewritten)
        environ["CONTENT_LENGTH"] = str(len(rewritten))
    return None
