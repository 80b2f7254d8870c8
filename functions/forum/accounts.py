"""Signing up: the forum's rules and limits first, then Cognito, with nothing left half-written.

Confirming the email address, signing in, refreshing tokens and setting a new password with a
reset code go from the browser straight to Cognito (asking for the code goes through
forum.password_resets); sign-up passes through here, so that a bad or taken username
gets the forum's own answer (422 / 409) before Cognito sees it, and so that sign-ups are
counted per IP address and per email address (forum.sign_up_limits) before any mail goes out.
It is the only way in: the claim this writes carries a token that the sign-up hands Cognito,
and Cognito's pre sign-up trigger (forum.sign_up_check) refuses a sign-up without it.
"""

from __future__ import annotations

import contextlib
import re
import secrets
from datetime import timedelta

from pynamodb.exceptions import TransactWriteError, UpdateError

from . import clock, cognito, schema, sign_up_limits, usernames
from .errors import Busy, Conflict, Invalid
from .i18n import _
from .models import UsernameClaim
from .sign_up_check import CLAIM_TOKEN
from .transactions import Cancelled, transaction

# A claim whose sign-up never finished (the function died between its writes) lapses after this.
PENDING_CLAIM_LIFETIME = timedelta(days=1)
EMAIL_MAX = 254
PASSWORD_MAX = 256
# Deliberately loose: Cognito checks the address, and the confirmation code proves it.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def clean_email(email: str) -> str:
    email = email.strip()
    if len(email) > EMAIL_MAX or not _EMAIL.match(email):
        raise Invalid(_("That is not an email address."), "email")
    return email


def clean_password(password: str) -> str:
    if not password or len(password) > PASSWORD_MAX:
        raise Invalid(
            _("A password has 1 to {maximum} characters.").format(maximum=PASSWORD_MAX),
            "password",
        )
    return password


def sign_up(username: str, email: str, password: str, network: str) -> cognito.SignedUp:
    """Claim the username and count the sign-up in the table, then create the Cognito user;
    undo both when Cognito refuses.

    One transaction writes the claim, only if nobody holds the name or a name that looks like
    it (409 otherwise), and adds to the counters of the caller's IP address and of the email
    address, only while they are below their limits (429 otherwise): two sign-ups racing for
    one name cannot both pass, and a burst cannot overshoot a limit. When Cognito refuses, the
    claim is deleted and the counts taken back, but only while the claim is still this
    sign-up's own pending one.
    """
    username = usernames.clean(username)
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
    counters = sign_up_limits.counters(email, network, now)
    try:
        with transaction() as tx:
            tx.save(
                "username",
                claim,
                # A lapsed claim: a sign-up that never finished, or a deleted account's name
                # after its grace period (forum.deletion); bound claims have no expiry.
                condition=UsernameClaim.pk.does_not_exist() | (UsernameClaim.expires_at < now),
            )
            for index, counter in enumerate(counters):
                sign_up_limits.count(tx, f"limit-{index}", counter)
    except Cancelled as error:
        # A limit first: a caller who is refused learns nothing about which names are taken.
        for index, counter in enumerate(counters):
            if error.failed(f"limit-{index}"):
                raise counter.refuse(now) from error
        if error.failed("username"):
            raise Conflict(_("The username {name!r} is taken.").format(name=username)) from error
        raise Busy() from error

    try:
        signed_up = cognito.sign_up(username, email, password, {CLAIM_TOKEN: token})
    except cognito.CognitoRefused as refusal:
        _release(claim, token, counters)
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


def _release(claim: UsernameClaim, token: str, counters: list[sign_up_limits.Counter]) -> None:
    # If this fails, the name is bound to a member already (its Cognito user signed in
    # meanwhile) or the table is busy: a pending claim lapses by itself, and the counts stay.
    with contextlib.suppress(TransactWriteError), transaction() as tx:
        tx.delete(
            "username",
            claim,
            condition=(UsernameClaim.claim_token == token) & UsernameClaim.user_id.does_not_exist(),
        )
        for index, counter in enumerate(counters):
            sign_up_limits.uncount(tx, f"limit-{index}", counter)


def _refusal_error(refusal: cognito.CognitoRefused, username: str) -> Exception:
    if refusal.code == "InvalidPasswordException":
        return Invalid(refusal.message or _("The password is too weak."), "password")
    if refusal.code == "UsernameExistsException":
        return Conflict(_("The username {name!r} is taken.").format(name=username))
    if refusal.code == "InvalidParameterException":
        return Invalid(refusal.message or _("Cognito refused the sign-up."))
    if refusal.code == "UserLambdaValidationException":
        # The pre sign-up trigger said no: its words follow Cognito's "PreSignUp failed with
        # error"; the API checked the same rules before, so this is a race or a bug.
        return Invalid(refusal.message or _("Cognito refused the sign-up."), "username")
    return Busy(_("Signing up is not possible right now; please try again in a moment."))
