"""Parameters shared by several routers."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Header, Path

ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"

TopicId = Annotated[str, Path(pattern=ID_PATTERN, description="The topic's id.")]
PostNumber = Annotated[int, Path(ge=1, le=10**9, description="The post's number in its topic.")]

# Read by api.idempotency (which checks it); declared here so the OpenAPI document shows it.
IdempotencyKey = Annotated[
    str | None,
    Header(
        description=(
            "Makes a retry safe: the same key and body within a day answers as the first "
            "request did and writes nothing new (Idempotent-Replayed: true); the same key with "
            "another body is 422. 1-255 visible ASCII characters, e.g. a UUID."
        ),
    ),
]
