"""Signing up: the forum's username rules first, then Cognito, with nothing left half-written.

Confirming the email address, signing in, refreshing tokens and resetting a password go from
the browser straight to Cognito; only sign-up passes through here, so that a bad or taken
username gets the forum's own answer (422 / 409) before Cognito sees it.
"""

from __future__ import annotations

import contextlib
import re
import secrets
from datetime import timedelta

from pynamodb.exceptions import DeleteError, PutError, UpdateError

from . import clock, cognito, schema
from .errors import Busy, Conflict, Invalid
from .models import UsernameClaim
from .profiles import clean_username

# A claim whose sign-up never finished (the function died between its writes) lapses after this.
PENDING_CLAIM_LIFETIME = timedelta(days=1)
EMAIL_MAX = 254
PASSWORD_MAX = 256
# Deliberately loose: Cognito checks the address, and the confirmation code proves it.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def clean_email(email: str) -> str:
    email = email.strip()
    if len(email) > EMAIL_MAX or not _EMAIL.match(email):
        raise Invalid("That is not an email address.", "email")
    return email


def clean_password(password: str) -> str:
    if not password or len(password) > PASSWORD_MAX:
        raise Invalid(f"A password has 1 to {PASSWORD_MAX} characters.", "password")
    return password


def sign_up(username: str, email: str, password: str) -> cognito.SignedUp:
    """Claim the username in the table, then create the Cognito user; undo the claim on refusal.

    The claim is written only if nobody holds the name in any case (409 otherwise), so two
    sign-ups racing for one name cannot both pass. When Cognito refuses, the claim is deleted
    again, but only while it is still this sign-up's own pending claim.
    """
    username = clean_username(username)
    email = clean_email(email)
    password = clean_password(password)
    now = clock.now()
    token = secrets.token_urlsafe(12)
    claim = UsernameClaim(
        schema.username_pk(username),
        schema.USERNAME_SK,
        username=username,
        claimed_at=clock.iso(now),
        claim_token=token,
        expires_at=now + PENDING_CLAIM_LIFETIME,
    )
    try:
        claim.save(
            condition=UsernameClaim.pk.does_not_exist()
            | (UsernameClaim.user_id.does_not_exist() & (UsernameClaim.expires_at < now))
        )
    except PutError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            raise Conflict(f"The username {username!r} is taken.") from error
        raise Busy() from error

    try:
        signed_up = cognito.sign_up(username, email, password)
    except cognito.CognitoRefused as refusal:
        _release(claim, token)
        raise _refusal_error(refusal, username) from refusal

    # If this fails, the member signed in at once and their first call bound the name already,
    # or the table is busy: either way the account exists and the first signed-in call binds it.
    with contextlib.suppress(UpdateError):
        claim.update(
            actions=[
                UsernameClaim.user_id.set(signed_up.user_id),
                UsernameClaim.claim_token.remove(),
                UsernameClaim.expires_at.remove(),
            ],
            condition=UsernameClaim.claim_token == token,
        )
    return signed_up


def _release(claim: UsernameClaim, token: str) -> None:
    # If this fails, the name is bound to a member already (its Cognito user signed in
    # meanwhile) or the table is busy: a pending claim lapses by itself.
    with contextlib.suppress(DeleteError):
        claim.delete(
            condition=(UsernameClaim.claim_token == token) & UsernameClaim.user_id.does_not_exist()
        )


def _refusal_error(refusal: cognito.CognitoRefused, username: str) -> Exception:
    if refusal.code == "InvalidPasswordException":
        return Invalid(refusal.message or "The password is too weak.", "password")
    if refusal.code == "UsernameExistsException":
        return Conflict(f"The username {username!r} is taken.")
    if refusal.code == "InvalidParameterException":
        return Invalid(refusal.message or "Cognito refused the sign-up.")
    return Busy("Signing up is not possible right now; please try again in a moment.")
