"""A changed email address waits for its code, locally as in Cognito.

moto applies ``UpdateUserAttributes`` at once, sends no code and has no ``VerifyUserAttribute``.
Cognito, for a pool whose ``UserAttributeUpdateSettings`` name ``email``
(``AttributesRequireVerificationBeforeUpdate``, CDK's ``keepOriginal``), keeps the old address
until the code mailed to the new one comes back. The account page (/account) relies on that, so
the runtime does the same in front of moto: the new address waits, with its code, and the code
is mailed to it in the local mailbox (in the words of the pool's custom message trigger, when
it has one: local/cognito_messages.py) (``/_dev/mail``, local/mailbox.py) and printed in the
runtime's log (no mail goes out locally); ``VerifyUserAttribute`` with it
makes the new address the member's, verified. Pending changes live in memory only: a restart
forgets them, and the member asks again.
"""

from __future__ import annotations

import logging
import secrets
import threading
from typing import Any

from moto.cognitoidp.exceptions import CodeMismatchException, NotAuthorizedError
from moto.cognitoidp.models import CognitoIdpBackend, CognitoIdpUserPool
from moto.cognitoidp.responses import CognitoIdpResponse
from moto.core.responses import ActionResult, EmptyResult

from .cognito_messages import take
from .mailbox import Mailbox

log = logging.getLogger("forum.cognito")

# (pool id, username) -> (the new address, its code)
_pending: dict[tuple[str, str], tuple[str, str]] = {}
_lock = threading.Lock()
_update_user_attributes = CognitoIdpResponse.update_user_attributes
_mailbox: Mailbox | None = None
# What Cognito mails for a new address when the pool names no message of its own.
SUBJECT = "Your verification code"
MESSAGE = "Your verification code is {####}"


def _holder(backend: CognitoIdpBackend, access_token: str) -> tuple[CognitoIdpUserPool, str]:
    for pool in backend.user_pools.values():
        if access_token in pool.access_tokens:
            return pool, pool.access_tokens[access_token][1]
    raise NotAuthorizedError("Invalid Access Token")


def _backend(response: CognitoIdpResponse, access_token: str) -> CognitoIdpBackend:
    agnostic = response._get_region_agnostic_backend()
    return agnostic._find_backend_by_access_token(access_token)


def _waits_for_code(pool: CognitoIdpUserPool) -> bool:
    settings = pool.extended_config.get("UserAttributeUpdateSettings") or {}
    return "email" in (settings.get("AttributesRequireVerificationBeforeUpdate") or [])


def _masked(email: str) -> str:
    # As Cognito names the destination: its first letters only.
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain[:1]}***"


def update_user_attributes(self: CognitoIdpResponse) -> Any:
    access_token = self._get_param("AccessToken")
    attributes = self._get_param("UserAttributes") or []
    email = next((item["Value"] for item in attributes if item["Name"] == "email"), None)
    backend = _backend(self, access_token)
    pool, username = _holder(backend, access_token)
    if email is None or not _waits_for_code(pool):
        return _update_user_attributes(self)
    others = [item for item in attributes if item["Name"] not in ("email", "email_verified")]
    if others:
        backend.update_user_attributes(access_token, others)
    code = f"{secrets.randbelow(900_000) + 100_000}"
    with _lock:
        _pending[(pool.id, username)] = (email, code)
    log.info("email change of %s: the code for the new address is %s", username, code)
    if _mailbox is not None:
        words = take("email-change")
        if words is not None:
            subject, text = words.subject, words.text(code)
        else:
            template = pool.extended_config.get("VerificationMessageTemplate") or {}
            subject = str(template.get("EmailSubject") or SUBJECT)
            text = str(template.get("EmailMessage") or MESSAGE).replace("{####}", code)
        _mailbox.deliver(to=email, subject=subject, text=text, kind="cognito:email-change")
    return ActionResult(
        {
            "CodeDeliveryDetailsList": [
                {"Destination": _masked(email), "DeliveryMedium": "EMAIL", "AttributeName": "email"}
            ]
        }
    )


def verify_user_attribute(self: CognitoIdpResponse) -> Any:
    access_token = self._get_param("AccessToken")
    backend = _backend(self, access_token)
    pool, username = _holder(backend, access_token)
    with _lock:
        pending = _pending.get((pool.id, username))
        if (
            self._get_param("AttributeName") != "email"
            or pending is None
            or self._get_param("Code") != pending[1]
        ):
            raise CodeMismatchException("Invalid verification code provided, please try again.")
        del _pending[(pool.id, username)]
    backend.admin_update_user_attributes(
        pool.id,
        username,
        [{"Name": "email", "Value": pending[0]}, {"Name": "email_verified", "Value": "true"}],
    )
    return EmptyResult()


def install(mailbox: Mailbox | None = None) -> None:
    """Put the two calls in front of moto's (once; the runtime calls it at start), mailing the
    codes to ``mailbox``."""
    global _mailbox
    _mailbox = mailbox
    CognitoIdpResponse.update_user_attributes = update_user_attributes  # type: ignore[method-assign]
    CognitoIdpResponse.verify_user_attribute = verify_user_attribute  # type: ignore[attr-defined]
