"""Shared fixtures: a moto-backed table made from the shared definitions, and the API handler."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core.botocore_stubber import BotocoreStubber

from forum import models, schema
from forum.settings import (
    STATIC_FILES_ENV,
    USER_POOL_CLIENT_ID_ENV,
    USER_POOL_ID_ENV,
    get_settings,
)
from infra.static_build import StaticFilesNotBuilt, manifest_text

from .cognito import MemberPool, create_member_pool
from .events import claims as make_claims
from .events import http_event

# Fake credentials, one region, and the functions' settings, for every test.
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "FORUM_TABLE": "forum-test",
        "FORUM_UPLOADS_BUCKET": "forum-uploads-test",
        "FORUM_MEDIA_BUCKET": "forum-media-test",
        "POWERTOOLS_SERVICE_NAME": "forum-api",
        "POWERTOOLS_METRICS_NAMESPACE": "Forum",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        "POWERTOOLS_DEV": "false",
        # Most tests post as fast as they can; tests/api/test_flood.py turns flood control on.
        "FORUM_POST_INTERVAL_SECONDS": "0",
        "FORUM_NEW_MEMBER_POSTS_PER_HOUR": "0",
        # And upload as many images as they need; tests/api/test_upload_flood.py limits them.
        "FORUM_UPLOADS_PER_HOUR": "0",
    }
)
# The pages name the static files the build made (`make static`); without it the site
# function's import fails and says so (pages.static).
with contextlib.suppress(StaticFilesNotBuilt):
    os.environ[STATIC_FILES_ENV] = manifest_text()
os.environ.pop("FORUM_DYNAMODB_ENDPOINT", None)
os.environ.pop("AWS_ENDPOINT_URL", None)

# DynamoDB applies each request atomically; moto's in-memory backend does not guard against two
# threads at once (a transaction copies the table while another writes it). Serving one request
# at a time gives the tests the service's atomicity; the code under test still races for real.
_one_request_at_a_time = threading.RLock()
_process_request = BotocoreStubber.process_request


def _atomic_process_request(self: BotocoreStubber, request: Any) -> Any:
    with _one_request_at_a_time:
        return _process_request(self, request)


BotocoreStubber.process_request = _atomic_process_request  # type: ignore[method-assign]


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        yield


@functools.cache
def aws_client(service: str) -> Any:
    """One boto3 client per service for the whole session: making one costs a tenth of a
    second, and moto intercepts every client's calls while a mock is active."""
    return boto3.client(service)  # type: ignore[call-overload]


@functools.cache
def dynamodb_resource() -> Any:
    return boto3.resource("dynamodb")


@pytest.fixture
def table(aws: None) -> Any:
    settings = get_settings()
    aws_client("dynamodb").create_table(**schema.create_table_arguments(settings.table_name))
    # As a function's cold start does (the handlers do it too, when first imported).
    models.configure(settings)
    return dynamodb_resource().Table(settings.table_name)


@pytest.fixture
def cognito(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[MemberPool]:
    """A member pool made as the stack makes it, whose ids the functions' settings read."""
    pool = create_member_pool(aws_client("cognito-idp"))
    monkeypatch.setenv(USER_POOL_ID_ENV, pool.pool_id)
    monkeypatch.setenv(USER_POOL_CLIENT_ID_ENV, pool.client_id)
    # get_settings() reads the environment once per process; moto picks new ids per pool.
    get_settings.cache_clear()
    yield pool
    get_settings.cache_clear()


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    text: str

    @property
    def json(self) -> Any:
        return json.loads(self.text) if self.text else None


class LambdaContextStub:
    """The context object Lambda passes: only the attributes Powertools reads."""

    function_name = "forum-api"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:forum-api"
    aws_request_id = "00000000-0000-0000-0000-000000000000"

    def get_remaining_time_in_millis(self) -> int:
        return 29_000


Caller = Callable[..., Reply]


@pytest.fixture
def call(table: Any) -> Caller:
    """Invoke the real API handler with a real HTTP API event; returns status, headers, body."""
    from api.handler import lambda_handler

    def invoke(method: str, url: str, body: Any = None, **kwargs: Any) -> Reply:
        response = lambda_handler(http_event(method, url, body, **kwargs), LambdaContextStub())
        headers = {key.lower(): value for key, value in (response.get("headers") or {}).items()}
        return Reply(response["statusCode"], headers, response.get("body") or "")

    return invoke


ADMIN = make_claims("user-admin", "admin", ("admins",))
MODERATOR = make_claims("user-moderator", "moderator", ("moderators",))
MEMBER = make_claims("user-member", "member")
OTHER = make_claims("user-other", "other")


@pytest.fixture(scope="session")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The local runtime (`python -m local`) in a subprocess, seeded, for the whole session."""
    from .local.conftest import running

    with running(tmp_path_factory, "forum-state") as local:
        yield local
