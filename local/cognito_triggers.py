"""Cognito's Lambda triggers, run by the local runtime where Cognito would run them.

moto never invokes a user pool's triggers, so without this a SignUp straight to the local
Cognito would make any account, whatever the pre sign-up trigger says in AWS. The runtime reads
each pool's ``LambdaConfig`` from the stack's template (as it reads the routes) and, for the
calls that make an account (SignUp, AdminCreateUser), invokes the pool's pre sign-up function
with the event Cognito sends, before moto sees the call. A refusal is answered as Cognito
answers it: ``UserLambdaValidationException``, "PreSignUp failed with error ...".

The check runs in front of moto's one-request-at-a-time lock (local/aws.py), not inside it: the
function reads the table from the same moto server, which would otherwise wait for the very
request it serves.

The pool's custom message function (the words of Cognito's mail) is found here too, and run by
local/cognito_messages.py.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("forum.cognito")

TARGET_PREFIX = "AWSCognitoIdentityProviderService."
# The calls that make an account, and the trigger source Cognito names for each.
TRIGGER_SOURCES = {
    "SignUp": "PreSignUp_SignUp",
    "AdminCreateUser": "PreSignUp_AdminCreateUser",
}
# What Cognito puts in callerContext.clientId when no app client made the call.
NO_CLIENT = "CLIENT_ID_NOT_APPLICABLE"

Invoke = Callable[[str, dict[str, Any]], Any]
Answer = tuple[str, list[tuple[str, str]], bytes]


class TriggerRefused(Exception):
    """The trigger raised: Cognito refuses the call with the function's words."""


def cognito_request(environ: dict[str, Any]) -> tuple[str, Any] | None:
    """A Cognito call's operation and its JSON body, from the moto server's WSGI environ; None
    for another service's request or a body that is no JSON (moto answers it). The body is put
    back, so that moto reads it again when the call goes on."""
    target = str(environ.get("HTTP_X_AMZ_TARGET") or "")
    if not target.startswith(TARGET_PREFIX):
        return None
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    try:
        return target.removeprefix(TARGET_PREFIX), json.loads(body or b"{}")
    except ValueError:
        return None


def _attributes(listed: Any) -> dict[str, str]:
    """Cognito's [{"Name": ..., "Value": ...}] as the trigger receives it: a plain object."""
    return {str(item["Name"]): str(item.get("Value", "")) for item in listed or []}


def pre_sign_up_event(
    *,
    trigger_source: str,
    pool_id: str,
    client_id: str,
    username: str,
    attributes: Mapping[str, str],
    validation_data: Mapping[str, str] | None = None,
    client_metadata: Mapping[str, str] | None = None,
    region: str = "us-east-1",
) -> dict[str, Any]:
    """The event Cognito hands a pre sign-up function."""
    return {
        "version": "1",
        "region": region,
        "userPoolId": pool_id,
        "userName": username,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": client_id},
        "triggerSource": trigger_source,
        "request": {
            "userAttributes": dict(attributes),
            "validationData": dict(validation_data) if validation_data is not None else None,
            "clientMetadata": dict(client_metadata or {}),
        },
        "response": {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False},
    }


@dataclass
class CognitoTriggers:
    invoke: Invoke
    # user pool id → the logical id of its pre sign-up function
    pre_sign_up: dict[str, str] = field(default_factory=dict)
    # user pool id → the logical id of its custom message function
    custom_message: dict[str, str] = field(default_factory=dict)
    # app client id → its user pool's id
    pool_of_client: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_template(
        cls, template: Mapping[str, Any], names: Mapping[str, str], invoke: Invoke
    ) -> CognitoTriggers:
        """The pools' triggers as the template declares them; ``names``: logical id → id."""
        triggers = cls(invoke=invoke)
        resources: Mapping[str, Any] = template.get("Resources", {})
        for logical_id, resource in resources.items():
            properties = resource.get("Properties") or {}
            if resource["Type"] == "AWS::Cognito::UserPool" and logical_id in names:
                config = properties.get("LambdaConfig") or {}
                function = _logical_id(config.get("PreSignUp"))
                if function is not None:
                    triggers.pre_sign_up[names[logical_id]] = function
                function = _logical_id(config.get("CustomMessage"))
                if function is not None:
                    triggers.custom_message[names[logical_id]] = function
            elif resource["Type"] == "AWS::Cognito::UserPoolClient" and logical_id in names:
                pool = _logical_id(properties.get("UserPoolId"))
                if pool is not None and pool in names:
                    triggers.pool_of_client[names[logical_id]] = names[pool]
        return triggers

    def check(self, operation: str, request: Mapping[str, Any]) -> None:
        """Run the pre sign-up function for a call that makes an account, if its pool has one."""
        trigger_source = TRIGGER_SOURCES.get(operation)
        if trigger_source is None:
            return
        client_id = str(request.get("ClientId") or NO_CLIENT)
        pool_id = str(request.get("UserPoolId") or self.pool_of_client.get(client_id) or "")
        function = self.pre_sign_up.get(pool_id)
        if function is None:
            return
        validation = request.get("ValidationData")
        event = pre_sign_up_event(
            trigger_source=trigger_source,
            pool_id=pool_id,
            client_id=client_id,
            username=str(request.get("Username") or ""),
            attributes=_attributes(request.get("UserAttributes")),
            validation_data=_attributes(validation) if validation is not None else None,
            client_metadata=request.get("ClientMetadata"),
        )
        try:
            self.invoke(function, event)
        except Exception as error:  # any failure of the function is a refusal, as in Cognito
            raise TriggerRefused(f"PreSignUp failed with error {error}.") from error

    def intercept(self, environ: dict[str, Any]) -> Answer | None:
        """For the moto server's WSGI app: Cognito's refusal of this request, or None.

        Reads the body and puts it back, so that moto reads it again when the call goes on.
        """
        call = cognito_request(environ)
        if call is None or call[0] not in TRIGGER_SOURCES:
            return None
        operation, request = call
        try:
            self.check(operation, request)
        except TriggerRefused as refusal:
            log.info(
                "%s of %s refused by the pre sign-up trigger", operation, request.get("Username")
            )
            return refusal_answer(str(refusal))
        return None


def refusal_answer(message: str) -> Answer:
    """Cognito's answer to a call a trigger refused, with the trigger's words."""
    answer = {"__type": "UserLambdaValidationException", "message": message}
    headers = [
        ("Content-Type", "application/x-amz-json-1.1"),
        ("x-amzn-ErrorType", "UserLambdaValidationException"),
        ("Access-Control-Allow-Origin", "*"),
    ]
    return "400 Bad Request", headers, json.dumps(answer).encode()


def _logical_id(reference: Any) -> str | None:
    """The logical id a ``Ref`` or ``Fn::GetAtt`` points at."""
    if isinstance(reference, dict):
        if "Ref" in reference:
            return str(reference["Ref"])
        attribute = reference.get("Fn::GetAtt")
        if isinstance(attribute, list) and attribute:
            return str(attribute[0])
        if isinstance(attribute, str):
            return attribute.split(".", 1)[0]
    return None
