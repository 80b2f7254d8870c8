"""Cognito's custom message trigger, run by the local runtime where Cognito would run it.

Cognito hands the pool's custom message function every mail it is about to send (the codes of
a sign-up, a resent code, a password reset, a new email address), with the placeholder
``{####}`` where the code goes, and sends the subject and body the function gives back, the
code put in. A function that raises makes Cognito refuse the call
(``UserLambdaValidationException``, "CustomMessage failed with error ...") and send nothing:
the forum's trigger does so for an account mailed too many reset codes today.

moto runs no triggers, so the runtime does, in front of moto (as local/cognito_triggers.py does
the pre sign-up trigger, and for the same reason: the function reads the table from the same
moto server, which serves one request at a time): for the calls that mail a code, it finds the
account as Cognito would (none for an unknown name: Cognito mails nobody and runs no trigger),
runs the function with Cognito's event, and either answers the refusal or keeps the function's
words for the request, in the thread that serves it. The code is made later, inside moto
(local/cognito_mail.py, local/cognito_email.py); those modules ``take`` the words kept here
and deliver them to the local mailbox with the code in place of ``{####}``, as text (Cognito
sends the body as HTML: paragraphs become blank lines, tags are dropped).
"""

from __future__ import annotations

import html
import logging
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from moto.cognitoidp.models import CognitoIdpUser, CognitoIdpUserPool, cognitoidp_backends

from .cognito_triggers import NO_CLIENT, Answer, CognitoTriggers, cognito_request, refusal_answer

log = logging.getLogger("forum.cognito")

CODE_PARAMETER = "{####}"
LINK_PARAMETER = "{##Click Here##}"
USERNAME_PARAMETER = "{username}"
# The calls that mail a code, the trigger source Cognito names for each, and the purpose the
# local mail modules keep the code under.
SOURCES = {
    "SignUp": ("CustomMessage_SignUp", "sign-up"),
    "ResendConfirmationCode": ("CustomMessage_ResendCode", "sign-up"),
    "ForgotPassword": ("CustomMessage_ForgotPassword", "reset"),
    "UpdateUserAttributes": ("CustomMessage_UpdateUserAttribute", "email-change"),
}


@dataclass(frozen=True)
class Words:
    subject: str
    html: str

    def text(self, code: str) -> str:
        """The mail as a person reads it, with the code in its place."""
        body = re.sub(r"</p>\s*", "\n\n", self.html.replace(CODE_PARAMETER, code))
        body = re.sub(r"<br\s*/?>", "\n", body)
        return html.unescape(re.sub(r"<[^>]+>", "", body)).strip()


_kept = threading.local()


def keep(purpose: str, words: Words | None) -> None:
    _kept.words = (purpose, words) if words is not None else None


def take(purpose: str) -> Words | None:
    """The trigger's words for the mail this request sends, if it gave any (once)."""
    kept = getattr(_kept, "words", None)
    _kept.words = None
    if kept is None or kept[0] != purpose:
        return None
    return kept[1]


def custom_message_event(
    *,
    trigger_source: str,
    pool_id: str,
    client_id: str,
    username: str,
    attributes: Mapping[str, str],
    client_metadata: Mapping[str, str] | None = None,
    region: str = "us-east-1",
) -> dict[str, Any]:
    """The event Cognito hands a custom message function."""
    invitation = trigger_source == "CustomMessage_AdminCreateUser"
    return {
        "version": "1",
        "region": region,
        "userPoolId": pool_id,
        "userName": username,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": client_id},
        "triggerSource": trigger_source,
        "request": {
            "userAttributes": dict(attributes),
            "codeParameter": CODE_PARAMETER,
            "linkParameter": LINK_PARAMETER,
            "usernameParameter": USERNAME_PARAMETER if invitation else None,
            "clientMetadata": dict(client_metadata or {}),
        },
        "response": {"smsMessage": None, "emailMessage": None, "emailSubject": None},
    }


def _pool(pool_id: str) -> CognitoIdpUserPool | None:
    for regions in list(cognitoidp_backends.values()):
        for backend in list(regions.values()):
            if pool_id in backend.user_pools:
                return backend.user_pools[pool_id]
    return None


def _holder(access_token: str) -> tuple[CognitoIdpUserPool, str] | None:
    for regions in list(cognitoidp_backends.values()):
        for backend in list(regions.values()):
            for pool in list(backend.user_pools.values()):
                if access_token in pool.access_tokens:
                    return pool, str(pool.access_tokens[access_token][1])
    return None


def _attributes_of(user: CognitoIdpUser) -> dict[str, str]:
    found = {str(key): str(value) for key, value in user.attribute_lookup.items()}
    found["cognito:user_status"] = str(user.status)
    return found


class CustomMessages:
    def __init__(self, triggers: CognitoTriggers) -> None:
        self.triggers = triggers

    def _event(
        self, operation: str, request: Mapping[str, Any]
    ) -> tuple[str, dict[str, Any]] | None:
        """The pool's custom message function and its event for this call, or None when the
        pool has none or the call mails nobody."""
        trigger_source = SOURCES[operation][0]
        client_id = str(request.get("ClientId") or NO_CLIENT)
        if operation == "UpdateUserAttributes":
            held = _holder(str(request.get("AccessToken") or ""))
            new = {
                str(item["Name"]): str(item["Value"])
                for item in request.get("UserAttributes") or []
            }
            if held is None or "email" not in new:
                return None
            pool, username = held
            user = pool._get_user(username)
            attributes = {**_attributes_of(user), **new} if user is not None else new
        else:
            pool_id = self.triggers.pool_of_client.get(client_id, "")
            found = _pool(pool_id)
            if found is None:
                return None
            pool = found
            username = str(request.get("Username") or "")
            if operation == "SignUp":
                attributes = {
                    str(item["Name"]): str(item.get("Value", ""))
                    for item in request.get("UserAttributes") or []
                }
                attributes["cognito:user_status"] = "UNCONFIRMED"
            else:
                user = pool._get_user(username)
                if user is None:  # Cognito mails an unknown name nothing, and runs no trigger
                    return None
                username = str(user.username)
                attributes = _attributes_of(user)
        function = self.triggers.custom_message.get(pool.id)
        if function is None:
            return None
        event = custom_message_event(
            trigger_source=trigger_source,
            pool_id=pool.id,
            client_id=client_id,
            username=username,
            attributes=attributes,
            client_metadata=request.get("ClientMetadata"),
        )
        return function, event

    def intercept(self, environ: dict[str, Any]) -> Answer | None:
        """For the moto server's WSGI app: Cognito's refusal of this call, or None (the
        function's words kept for the mail it sends)."""
        call = cognito_request(environ)
        if call is None:
            return None
        keep("", None)
        operation, request = call
        if operation not in SOURCES or not isinstance(request, dict):
            return None
        found = self._event(operation, request)
        if found is None:
            return None
        function, event = found
        try:
            answered = self.triggers.invoke(function, event)
        except Exception as error:  # any failure of the function is a refusal, as in Cognito
            log.info("%s refused by the custom message trigger", operation)
            return refusal_answer(f"CustomMessage failed with error {error}.")
        response = (answered or {}).get("response") or {}
        subject, body = response.get("emailSubject"), response.get("emailMessage")
        if subject and body:
            keep(SOURCES[operation][1], Words(str(subject), str(body)))
        return None
