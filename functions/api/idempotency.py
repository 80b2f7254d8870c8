"""Idempotency-Key: a retried create (topic, reply, upload) answers as the first and writes nothing.

A client that did not hear back (a dropped connection, a timeout) cannot know whether its post
was made; sending the same request again with the same ``Idempotency-Key`` header is always
safe. Powertools' idempotency utility keeps each keyed request in the forum table
(``IDEMPOTENCY#{member}`` / ``{operation}#{hash}``, see forum.schema) for a day, with the ids of
what it made (never the content, which can be large):

- the same key and the same body again: nothing is written; the answer names what the first
  request made, read again, marked ``Idempotent-Replayed: true``;
- the same key with another body: 422, since the key names another request;
- the same key while the first request is still running: 409 with Retry-After.

The record is written apart from the post, so it alone cannot tell a request whose invocation
died after its write (a timeout: its in-progress record expires, and the retry runs again) from
one that never wrote. So ``make`` also gets a receipt to save in its own transaction
(forum.receipts): a retry that finds it has written nothing and is answered as a replay; the
work then returns that reference, so the record is completed with it and later retries replay
from the record without trying the write again.

A replay answers with what the first request made, read again; it must not hand out anything
new that the member may have lost the right to since. Reading a post again is fine; an upload's
fresh presigned form is a new capability, so its recall checks again (a ban since: 403).

Every creating route goes through ``create`` (the member, the key, 201 with Location and the
replay header), so the three of them share one mechanism. Keys belong to a member and to an
operation, so two members (or a reply and an upload) never share one. A request without the
header runs as before, at no extra cost; with it, the record costs two small writes and the
receipt one more small item in the creating transaction. The utility is imported only when a key
arrives (cold starts stay cheap).
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Header
from pynamodb.exceptions import PynamoDBException

from forum import receipts, schema
from forum.errors import BadRequest, Busy, Conflict, ForumError
from forum.identity import Member
from forum.models import Receipt
from forum.settings import get_settings

from .auth import require_member

HEADER = "Idempotency-Key"
# Printable ASCII without spaces, as the IETF draft's examples (UUIDs, random tokens).
KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}")

# The header as the OpenAPI document shows it; key_of checks it (400 with this module's words).
IdempotencyKey = Annotated[
    str | None,
    Header(
        description=(
            "Makes a retry safe: the same key and body within a day answers as the first "
            "request did and writes nothing new (Idempotent-Replayed: true); the same key with "
            "another body is 422. 1-255 visible ASCII characters, e.g. a UUID."
        ),
        json_schema_extra={"pattern": f"^{KEY_PATTERN.pattern}$"},
    ),
]
# As long as the receipts a keyed create leaves in its own transaction (forum.receipts).
EXPIRES_AFTER_SECONDS = int(receipts.LIFETIME.total_seconds())
REPLAYED_HEADER = "Idempotent-Replayed"

T = TypeVar("T")
# What a record keeps of the answer: the ids of what was made, never the content.
Reference = dict[str, Any]
log = logging.getLogger(__name__)


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


def create(
    router: Router,
    operation: str,
    payload: Any,
    make: Callable[[Member, Receipt | None], tuple[T, Reference]],
    recall: Callable[[Member, Reference], T],
    location: Callable[[T], str],
) -> Response[Any]:
    """A creating route's answer: made once per Idempotency-Key, 201 with its Location.

    ``make(member, receipt)`` writes and returns the answer with a reference to what it made,
    saving the receipt (when a key came) in its own transaction;
    ``recall(member, reference)`` answers a replay (see ``once``). ``payload`` is what makes two
    requests the same one: the route's parameters and body.
    """
    event = router.current_event
    member = require_member(event)
    answer, replayed = once(
        event.headers,
        member,
        operation,
        payload,
        lambda receipt: make(member, receipt),
        lambda reference: recall(member, reference),
        router.lambda_context,
    )
    headers = {"Location": location(answer)}
    if replayed:
        headers[REPLAYED_HEADER] = "true"
    return Response(status_code=201, content_type="application/json", body=answer, headers=headers)


def once(
    headers: dict[str, str] | None,
    member: Member,
    operation: str,
    payload: Any,
    make: Callable[[Receipt | None], tuple[T, Reference]],
    recall: Callable[[Reference], T],
    lambda_context: Any = None,
) -> tuple[T, bool]:
    """Make the thing once per key; returns (answer, replayed).

    ``make`` writes and returns its answer with a small JSON reference to what it made (ids),
    which is all that is stored; a replay gives the reference to ``recall``, which reads the
    answer again. ``payload`` is what makes two requests the same one (the route's parameters
    and body). ``make`` gets the receipt to save in its transaction (None without a key): the
    record alone cannot tell a request whose invocation died after its write from one that
    never wrote (see forum.receipts).
    """
    key = key_of(headers)
    if key is None:
        return make(None)[0], False

    from aws_lambda_powertools.utilities.idempotency import exceptions

    config, run = _idempotent(operation)
    if lambda_context is not None:
        # In-progress records then expire with the invocation, not after an hour, if it dies.
        config.register_lambda_context(lambda_context)
    made: list[T] = []
    receipt = receipts.new(member.user_id, operation, key, payload)
    found: list[Reference] = []

    def work() -> Reference:
        # A receipt found means an earlier invocation made it and died before completing its
        # record. Caught here, so that the record is completed with what was made and later
        # retries replay from it without trying the write again.
        try:
            answer, reference = make(receipt)
        except receipts.AlreadyMade as before:
            found.append(before.reference)
            return before.reference
        except receipts.AnotherRequest:
            raise
        except ForumError as refusal:
            # Refused before its transaction (the topic locked since, its attachments now used
            # by the first post): if it was made already, that is the answer.
            try:
                earlier = receipts.made_before(receipt)
            except PynamoDBException:
                raise refusal from None  # the refusal is still the better answer
            if earlier is None:
                raise
            found.append(earlier)
            return earlier
        made.append(answer)
        return reference

    request = {"member": member.user_id, "key": key, "payload": payload}
    try:
        reference: Reference = run(
            request=request, work=work, persistence=_persistence(member.user_id)
        )
    except exceptions.IdempotencyValidationError:
        raise receipts.another_request() from None
    except exceptions.IdempotencyAlreadyInProgressError:
        error = Conflict(
            f"A request with this {HEADER} is still being processed; try again in a moment."
        )
        error.retry_after = 1
        raise error from None
    except exceptions.BaseError as error:
        if made:
            # The write happened; only remembering its answer failed. It is answered as made:
            # "busy" would only send the member back for the replay its receipt would give.
            log.warning("idempotency record not completed", extra={"error": repr(error)})
            return made[0], False
        if found:
            log.warning("idempotency record not completed", extra={"error": repr(error)})
            return recall(found[0]), True
        if isinstance(error.__context__, ForumError):
            # The work was refused (and its record could not be cleared): say why it was.
            raise error.__context__ from None
        raise Busy("The forum is busy; please try again with the same key.") from error
    if made:
        return made[0], False
    return recall(reference), True


def _client() -> Any:
    # PynamoDB's own botocore client (its endpoint, retries and timeouts): making another costs
    # tens of milliseconds on a cold start.
    from forum.models import ForumItem

    return ForumItem._get_connection().connection.client


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


@functools.cache
def _idempotent(operation: str) -> tuple[Any, Callable[..., Reference]]:
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
    )

    def runner(
        request: dict[str, Any], work: Callable[[], Reference], persistence: Any
    ) -> Reference:
        return work()

    # The persistence layer is per member, so the decorator is applied per call (it is light).
    def run(request: dict[str, Any], work: Callable[[], Reference], persistence: Any) -> Reference:
        decorated = idempotent_function(
            runner,
            data_keyword_argument="request",
            persistence_store=persistence,
            config=config,
            key_prefix=operation,
        )
        reference: Reference = decorated(request=request, work=work, persistence=persistence)
        return reference

    return config, run
