"""What Cognito's pre sign-up trigger checks before an account is made (functions/presignup).

Cognito calls the trigger for every account about to be made, whoever asks:

- ``PreSignUp_SignUp``: the public SignUp call, which anybody can make with the browser's app
  client id. It passes only when it comes from the forum's own sign-up (forum.accounts): the
  username keeps the rules, and its claim in the table is pending with the very token the
  sign-up handed Cognito (``ValidationData``, which Cognito passes to the trigger and does not
  keep). A sign-up straight to Cognito has no claim, so the forum's checks (the rules, the
  look-alike names, the limits per IP and per address) cannot be gone around.
- ``PreSignUp_AdminCreateUser``: an administrator with IAM rights on the pool (the console, the
  CLI, the local demo members). The username rules still hold; the name is claimed on the
  member's first signed-in call, which refuses a look-alike of a name held (409).
- anything else (``PreSignUp_ExternalProvider``: the pool federates no provider) is refused
  unless it has a claim, as a SignUp.

A refusal is an exception whose words Cognito passes on (``UserLambdaValidationException``:
"PreSignUp failed with error ..."). Nothing is written: the claim is the sign-up's to settle.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from . import clock, schema, usernames
from .i18n import _
from .models import UsernameClaim

# The name of the ValidationData entry that carries the sign-up's claim token.
CLAIM_TOKEN = "forum_claim_token"
ADMIN_CREATE_USER = "PreSignUp_AdminCreateUser"


class SignUpRefused(Exception):
    """Cognito must not make this account; the message says why, in words."""


def check(trigger_source: str, username: str, validation_data: Mapping[str, str] | None) -> None:
    """Return when Cognito may make the account; raise SignUpRefused when it may not."""
    broken = usernames.problem(username)
    if broken is not None:
        raise SignUpRefused(broken)
    if trigger_source == ADMIN_CREATE_USER:
        return
    token = (validation_data or {}).get(CLAIM_TOKEN) or ""
    if not token or not _holds(username, token):
        raise SignUpRefused(_("Please sign up on the forum's own sign-up page."))


def _holds(username: str, token: str) -> bool:
    """Whether the sign-up holding ``token`` has a pending claim on exactly ``username``."""
    try:
        claim = UsernameClaim.get(
            schema.username_pk(username), schema.USERNAME_SK, consistent_read=True
        )
    except UsernameClaim.DoesNotExist:
        return False
    return (
        claim.user_id is None
        and claim.username == username
        and secrets.compare_digest(claim.claim_token or "", token)
        and (claim.expires_at is None or claim.expires_at > clock.now())
    )
