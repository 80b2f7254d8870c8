"""Idempotency-Key: a retried create (topic, reply, upload) answers as the first and writes nothing.

A client that did not hear back (a dropped connection, a timeout) cannot know whether its post
was made; sending the same request again with the same ``Idempotency-Key`` header is always
safe. Powertools' idempotency utility keeps each keyed request and its answer in the forum table
(``IDEMPOTENCY#{member}`` / ``{operation}#{hash}``, see forum.schema) for a day:

- the same key and the same body again: the stored answer, marked ``Idempotent-Replayed: true``;
- the same key with another body: 422, since the key names another request;
- the same key while the first request is still running: 409 with Retry-After.

Keys belong to a member and to an operation, so two members (or a reply and an upload) never
share one. A request without the header runs as before, at no extra cost; with it, the record
costs two small writes. The utility is imported only when a key arrives (cold starts stay cheap).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from forum import schema
from forum.errors import BadRequest, Busy, Conflict, Invalid
from forum.identity import Member
from forum.settings import get_settings

HEADER = "Idempotency-Key"
# Printable ASCII without spaces, as the IETF draft's examples (UUIDs, random tokens).
KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}")
EXPIRES_AFTER_SECONDS = 24 * 3600
REPLAYED_HEADER = "Idempotent-Replayed"
_REPLAYED = "_replayed"

Answer = dict[str, Any]


def key_of(headers: dict[str, str] | None) -> str | None:
    """The request's Idempotency-Key, checked; None when it has none."""
    for name, value in (headers or {}).items():
        if name.lower() == HEADER.lower():
            if not KEY_PATTERN.fullmatch(value):
                raise BadRequest(
                    f"The {HEADER} header must be 1 to 255 visible ASCII characters "
                    "(a UUID is a good choice)."
                )
            return value
    return None


def once(
    headers: dict[str, str] | None,
    member: Member,
    operation: str,
    payload: Any,
    work: Callable[[], Answer],
    lambda_context: Any = None,
) -> tuple[Answer, bool]:
    """Run ``work`` (which returns a JSON-ready answer) once per key; returns (answer, replayed).

    ``payload`` is what makes two requests the same one (the route's parameters and body).
    """
    key = key_of(headers)
    if key is None:
        return work(), False

    from aws_lambda_powertools.utilities.idempotency import exceptions

    config, run = _idempotent(operation)
    if lambda_context is not None:
        # In-progress records then expire with the invocation, not after an hour, if it dies.
        config.register_lambda_context(lambda_context)
    request = {"member": member.user_id, "key": key, "payload": payload}
    try:
        answer: Answer = run(
            request=request,
            work=work,
            persistence=_persistence(member.user_id),
        )
    except exceptions.IdempotencyValidationError:
        raise Invalid(
            f"This {HEADER} was already used for a different request; use a new key for a new "
            "request."
        ) from None
    except exceptions.IdempotencyAlreadyInProgressError:
        error = Conflict(
            f"A request with this {HEADER} is still being processed; try again in a moment."
        )
        error.retry_after = 1
        raise error from None
    except (
        exceptions.IdempotencyPersistenceLayerError,
        exceptions.IdempotencyInconsistentStateError,
        exceptions.IdempotencyPersistenceConnectionError,
        exceptions.IdempotencyPersistenceConsistencyError,
    ) as error:
        raise Busy("The forum is busy; please try again with the same key.") from error
    replayed = bool(answer.pop(_REPLAYED, False))
    return answer, replayed


@functools.cache
def _client() -> Any:
    import boto3

    settings = get_settings()
    return boto3.client(
        "dynamodb", region_name=settings.region, endpoint_url=settings.dynamodb_endpoint
    )


def _persistence(user_id: str) -> Any:
    """The member's own partition of idempotency records (a light object over a shared client)."""
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    return DynamoDBPersistenceLayer(
        table_name=get_settings().table_name,
        key_attr=schema.PARTITION_KEY,
        sort_key_attr=schema.SORT_KEY,
        static_pk_value=schema.idempotency_pk(user_id),
        expiry_attr=schema.TTL_ATTRIBUTE,
        boto3_client=_client(),
    )


def _mark_replayed(response: Any, idempotent_data: Any) -> Any:
    return {**response, _REPLAYED: True}


@functools.cache
def _idempotent(operation: str) -> tuple[Any, Callable[..., Answer]]:
    """A config and an idempotent runner for one operation (made once per process)."""
    from aws_lambda_powertools.utilities.idempotency import (
        IdempotencyConfig,
        idempotent_function,
    )

    config = IdempotencyConfig(
        event_key_jmespath="[member, key]",
        payload_validation_jmespath="payload",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=EXPIRES_AFTER_SECONDS,
        hash_function="sha256",
        response_hook=_mark_replayed,
    )

    def runner(request: dict[str, Any], work: Callable[[], Answer], persistence: Any) -> Answer:
        return work()

    # The persistence layer is per member, so the decorator is applied per call (it is light).
    def run(request: dict[str, Any], work: Callable[[], Answer], persistence: Any) -> Answer:
        decorated = idempotent_function(
            runner,
            data_keyword_argument="request",
            persistence_store=persistence,
            config=config,
            key_prefix=operation,
        )
        answer: Answer = decorated(request=request, work=work, persistence=persistence)
        return answer

    return config, run
