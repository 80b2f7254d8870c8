"""S3 faults and the API's writes.

The API function never sends a request to S3: the browser posts originals straight to the
uploads bucket, and the thumbnail function reads them. What the API does with S3 is sign the
presigned POST of ``POST /api/uploads``, locally, with the function's credentials. So:

- S3 failing every request (throttled, erroring, denying, unreachable) changes nothing for the
  API: every route that deals with uploads and attachments still works, with no S3 request;
- signing failing (no credentials, or they cannot be refreshed) answers 503 with Retry-After
  and writes nothing, and the same request succeeds, writing once, when it passes.

The thumbnail function's S3 faults are in tests/thumbnail.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse, HTTPHeaders
from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    CredentialRetrievalError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
)

from forum import storage

from ..conftest import MEMBER, OTHER, Caller
from .test_post_attachments import PHOTO, items, make_ready, upload

ENDPOINT = "https://forum-uploads-test.s3.us-east-1.amazonaws.com"

# What S3 answers when it is struggling or when our side is misconfigured: each is ours to fix
# or to wait out, never the caller's.
SERVICE_ERRORS = {
    "SlowDown": 503,
    "ServiceUnavailable": 503,
    "InternalError": 500,
    "AccessDenied": 403,
}


class S3Faults:
    """Fails every request of the forum's S3 client, as S3 or the network fails them, and
    counts them; ``signing`` fails the signing of requests and presigned POSTs instead."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.error: str | Exception = "SlowDown"
        self.signing: Exception | None = None
        self.events = storage.s3().meta.events

    def on_call(self, model: Any, **kwargs: Any) -> tuple[AWSResponse, dict[str, Any]]:
        self.requests.append(model.name)
        if isinstance(self.error, Exception):
            raise self.error
        status = SERVICE_ERRORS[self.error]
        response = AWSResponse(ENDPOINT, status, HTTPHeaders(), None)
        error = {"Code": self.error, "Message": "injected"}
        return response, {"Error": error, "ResponseMetadata": {"HTTPStatusCode": status}}

    def on_sign(self, **kwargs: Any) -> None:
        if self.signing is not None:
            raise self.signing


@pytest.fixture
def s3_faults(table: Any) -> Iterator[S3Faults]:
    injected = S3Faults()
    injected.events.register_first("before-call.s3", injected.on_call)
    injected.events.register_first("before-sign.s3", injected.on_sign)
    yield injected
    injected.events.unregister("before-call.s3", injected.on_call)
    injected.events.unregister("before-sign.s3", injected.on_sign)


CONNECTION_FAULTS = [
    EndpointConnectionError(endpoint_url=ENDPOINT),
    ConnectTimeoutError(endpoint_url=ENDPOINT),
    ReadTimeoutError(endpoint_url=ENDPOINT),
]


@pytest.mark.parametrize(
    "error",
    [*SERVICE_ERRORS, *CONNECTION_FAULTS],
    ids=[*SERVICE_ERRORS, *(type(fault).__name__ for fault in CONNECTION_FAULTS)],
)
def test_s3_failing_every_request_leaves_the_api_untouched(
    call: Caller, topic: dict[str, Any], s3_faults: S3Faults, error: str | Exception
) -> None:
    s3_faults.error = error

    # Uploads for posts and avatars start (the presigned POST is signed here, not sent)
    photo, avatar = upload(call), upload(call, purpose="avatar")
    assert call("GET", f"/api/attachments/{photo}").status == 200
    # and attachments are used by posts (new topics, replies, edits) and profiles
    started = call(
        "POST",
        f"/api/boards/{topic['board']['id']}/topics",
        {"title": "Pictures", "body": "See below", "attachment_ids": [photo]},
        claims=MEMBER,
    )
    assert started.status == 201, started.text
    second = upload(call)
    reply = call(
        "POST",
        f"/api/topics/{topic['id']}/posts",
        {"body": "And another", "attachment_ids": [second]},
        claims=MEMBER,
    )
    assert reply.status == 201, reply.text
    make_ready(second)
    edit = call(
        "PATCH",
        f"/api/topics/{topic['id']}/posts/{reply.json['post']['number']}",
        {"body": "Changed my mind", "attachment_ids": [], "version": reply.json["post"]["version"]},
        claims=MEMBER,
    )
    assert edit.status == 200, edit.text
    chosen = call("PATCH", "/api/me", {"avatar_attachment_id": avatar}, claims=MEMBER)
    assert chosen.status == 200, chosen.text

    # without a single request to S3
    assert s3_faults.requests == []


SIGNING_FAULTS = [
    NoCredentialsError(),
    CredentialRetrievalError(provider="container-role", error_msg="injected"),
    EndpointConnectionError(endpoint_url="http://169.254.170.2/credentials"),
    ReadTimeoutError(endpoint_url="http://169.254.170.2/credentials"),
    ClientError({"Error": {"Code": "ExpiredToken", "Message": "injected"}}, "AssumeRole"),
]


@pytest.mark.parametrize("purpose", ["post", "avatar"])
@pytest.mark.parametrize("fault", SIGNING_FAULTS, ids=lambda fault: type(fault).__name__)
def test_an_upload_that_cannot_be_signed_is_503_writes_nothing_and_can_be_retried(
    call: Caller,
    table: Any,
    topic: dict[str, Any],
    s3_faults: S3Faults,
    fault: Exception,
    purpose: str,
) -> None:
    # Given a member (whose profile exists) and credentials that cannot sign
    before = items(table)
    s3_faults.signing = fault

    # When they start an upload
    request = {**PHOTO, "purpose": purpose}
    failed = call("POST", "/api/uploads", request, claims=MEMBER)

    # Then it is our fault: 503, a problem, a time to retry after, and nothing written
    assert failed.status == 503, failed.text
    assert failed.headers["content-type"] == "application/problem+json"
    assert int(failed.headers["retry-after"]) >= 1
    assert failed.json["status"] == 503
    assert items(table) == before

    # and the same request, once signing works again, writes exactly one attachment
    s3_faults.signing = None
    retried = call("POST", "/api/uploads", request, claims=MEMBER)
    assert retried.status == 201, retried.text
    attachment_id = retried.json["attachment"]["id"]
    assert retried.json["upload"]["fields"]["key"] == f"originals/{attachment_id}"
    added = [found for found in items(table) if found not in before]
    assert [
        (found["pk"], found["status"], found["purpose"])
        for found in added
        if found["sk"] != "PROFILE"
    ] == [(f"ATTACHMENT#{attachment_id}", "pending", purpose)]
    # (and counted it once among the member's uploads of the hour: forum.flood)
    assert [
        (found["pk"], found["uploads_this_hour"]) for found in added if found["sk"] == "PROFILE"
    ] == [(f"USER#{MEMBER['sub']}", 1)]
    assert s3_faults.requests == []


def test_a_signing_fault_changes_nobody_elses_uploads(
    call: Caller, table: Any, topic: dict[str, Any], s3_faults: S3Faults
) -> None:
    # Given another member's upload in use by a post
    theirs = upload(call, claims=OTHER)
    reply = call(
        "POST",
        f"/api/topics/{topic['id']}/posts",
        {"body": "Mine", "attachment_ids": [theirs]},
        claims=OTHER,
    )
    assert reply.status == 201, reply.text
    before = items(table)

    # When signing fails for a while
    s3_faults.signing = NoCredentialsError()
    assert call("POST", "/api/uploads", PHOTO, claims=MEMBER).status == 503
    assert call("POST", "/api/uploads", PHOTO, claims=OTHER).status == 503

    # Then the table is as it was, and reads go on
    assert items(table) == before
    assert call("GET", f"/api/attachments/{theirs}").status == 200
    assert call("GET", f"/api/topics/{topic['id']}").status == 200
