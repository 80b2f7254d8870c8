"""What Cognito would mail, made and checked by the local runtime, and kept in its mailbox.

moto sends no mail, and checks almost no codes:

- SignUp makes no code at all, and ConfirmSignUp confirms with any code (moto's response
  handler never passes the code on);
- ForgotPassword makes one (``moto-confirmation-code:123456``, handed back in a header no AWS
  client reads), but ConfirmForgotPassword checks it only when the code given starts with that
  prefix: any six digits a person types set the new password. It does not check the new
  password against the pool's policy either, and for an unknown name it answers
  ``ResourceNotFoundException`` where Cognito (PreventUserExistenceErrors) answers as for a
  wrong code.

So the runtime does what Cognito does, around moto's own methods (moto runs in this process):
a six-digit code per account and purpose, kept on moto's user (so it is saved and restored
with the user pool), mailed to the local mailbox and logged: in the words the pool's custom
message trigger gave for the call (local/cognito_messages.py runs it before moto sees the
call), else in the pool's verification message (``{####}`` replaced, as Cognito does for both
confirmation and reset mail when no custom message trigger is set); ConfirmSignUp (which then
marks the address verified, as Cognito does and moto does not) and ConfirmForgotPassword
refuse a wrong code (``CodeMismatchException``), a used or too old one
(``ExpiredCodeException``), and a new password the pool's policy refuses
(``InvalidPasswordException``), with Cognito's words.
"""

from __future__ import annotations

import logging
import secrets
import time
from typing import Any

from moto.cognitoidp.exceptions import (
    CodeMismatchException,
    ExpiredCodeException,
)
from moto.cognitoidp.models import (
    CognitoIdpBackend,
    CognitoIdpUser,
    CognitoIdpUserPool,
    cognitoidp_backends,
    find_account_region_by_value,
)
from moto.cognitoidp.responses import CognitoIdpResponse

from .cognito_messages import take
from .mailbox import Mailbox

log = logging.getLogger("forum.cognito")

SIGN_UP = "sign-up"
RESET = "reset"
# How long Cognito's codes hold: a sign-up's a day, a password reset's an hour.
LIFETIME_SECONDS = {SIGN_UP: 24 * 3600, RESET: 3600}
# Kept on moto's user: purpose → (code, when it was made).
CODES_ATTRIBUTE = "forum_codes"
# Cognito's own words, for the answers the browser shows in its own.
WRONG_CODE = "Invalid verification code provided, please try again."
NO_CODE = "Invalid code provided, please request a code again."
DEFAULT_SUBJECT = "Your verification code"
DEFAULT_MESSAGE = "Your verification code is {####}"

_mailbox: Mailbox | None = None
_original: dict[str, Any] = {}


def _new_code() -> str:
    return f"{secrets.randbelow(900_000) + 100_000}"


def _codes(user: CognitoIdpUser) -> dict[str, tuple[str, float]]:
    codes: dict[str, tuple[str, float]] | None = getattr(user, CODES_ATTRIBUTE, None)
    if codes is None:
        codes = {}
        setattr(user, CODES_ATTRIBUTE, codes)
    return codes


def _pool_and_user(
    backend: CognitoIdpBackend, client_id: str, username: str
) -> tuple[CognitoIdpUserPool | None, CognitoIdpUser | None]:
    for pool in backend.user_pools.values():
        if client_id in pool.clients:
            return pool, pool._get_user(username)
    return None, None


def _send(pool: CognitoIdpUserPool, user: CognitoIdpUser, purpose: str) -> None:
    """Make the account a new code for ``purpose``, and mail it as Cognito would."""
    code = _new_code()
    _codes(user)[purpose] = (code, time.time())
    words = take(purpose)
    if words is not None:
        subject, text = words.subject, words.text(code)
    else:
        template = pool.extended_config.get("VerificationMessageTemplate") or {}
        subject = str(template.get("EmailSubject") or DEFAULT_SUBJECT)
        text = str(template.get("EmailMessage") or DEFAULT_MESSAGE).replace("{####}", code)
    address = user.attribute_lookup.get("email", "")
    if purpose == SIGN_UP:
        log.info("sign-up of %s: the confirmation code is %s", user.username, code)
    else:
        log.info("password reset for %s: the code is %s", user.username, code)
    if _mailbox is not None and address:
        _mailbox.deliver(to=address, subject=subject, text=text, kind=f"cognito:{purpose}")


def check_code(user: CognitoIdpUser | None, purpose: str, given: str) -> None:
    """Cognito's refusal of ``given`` for ``purpose``, if it is not the account's live code."""
    if user is None:
        # PreventUserExistenceErrors: an unknown name is answered as a wrong code.
        raise CodeMismatchException(WRONG_CODE)
    kept = _codes(user).get(purpose)
    if kept is None or time.time() - kept[1] > LIFETIME_SECONDS[purpose]:
        raise ExpiredCodeException(NO_CODE)
    if not secrets.compare_digest(kept[0], given.strip()):
        raise CodeMismatchException(WRONG_CODE)


def _used(user: CognitoIdpUser, purpose: str) -> None:
    _codes(user).pop(purpose, None)


# --- moto's methods, wrapped ------------------------------------------------------------------


def _sign_up(self: CognitoIdpBackend, client_id: str, username: str, *args: Any) -> Any:
    user, details = _original["sign_up"](self, client_id, username, *args)
    pool, _ = _pool_and_user(self, client_id, username)
    if pool is not None and details is not None:  # a code goes out when the email is verified
        _send(pool, user, SIGN_UP)
    return user, details


def _confirm_sign_up(self: CognitoIdpResponse) -> Any:
    client_id = str(self._get_param("ClientId") or "")
    username = str(self._get_param("Username") or "")
    # The backend of the client's pool, found as moto's ConfirmForgotPassword finds it.
    account, region = find_account_region_by_value(
        "client_id", client_id, fallback=(self.current_account, self.region)
    )
    backend = cognitoidp_backends[account][region]
    _, user = _pool_and_user(backend, client_id, username)
    check_code(user, SIGN_UP, str(self._get_param("ConfirmationCode") or ""))
    answer = _original["confirm_sign_up"](self)
    if user is not None:
        _used(user, SIGN_UP)
        # The code came by mail, so the address is verified (moto forgets to say so), and a
        # member may use it in place of the username (local/cognito_aliases.py).
        user.update_attributes([{"Name": "email_verified", "Value": "true"}])
    return answer


def _forgot_password(self: CognitoIdpBackend, client_id: str, username: str) -> Any:
    code, details = _original["forgot_password"](self, client_id, username)
    pool, user = _pool_and_user(self, client_id, username)
    if pool is not None and user is not None:
        _send(pool, user, RESET)
    return code, details


def _confirm_forgot_password(
    self: CognitoIdpBackend, client_id: str, username: str, password: str, confirmation_code: str
) -> None:
    pool, user = _pool_and_user(self, client_id, username)
    check_code(user, RESET, confirmation_code)
    assert pool is not None and user is not None
    self._validate_password(pool.id, password)  # InvalidPasswordException, as Cognito
    _original["confirm_forgot_password"](self, client_id, username, password, confirmation_code)
    _used(user, RESET)


def install(mailbox: Mailbox) -> None:
    """Route Cognito's mail to ``mailbox`` and check its codes (once per process)."""
    global _mailbox
    _mailbox = mailbox
    if _original:
        return
    _original["sign_up"] = CognitoIdpBackend.sign_up
    _original["forgot_password"] = CognitoIdpBackend.forgot_password
    _original["confirm_forgot_password"] = CognitoIdpBackend.confirm_forgot_password
    _original["confirm_sign_up"] = CognitoIdpResponse.confirm_sign_up
    CognitoIdpBackend.sign_up = _sign_up  # type: ignore[method-assign,assignment]
    CognitoIdpBackend.forgot_password = _forgot_password  # type: ignore[method-assign]
    CognitoIdpBackend.confirm_forgot_password = _confirm_forgot_password  # type: ignore[method-assign]
    CognitoIdpResponse.confirm_sign_up = _confirm_sign_up  # type: ignore[method-assign]
