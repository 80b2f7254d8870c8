"""Path parameters shared by several routers."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path

ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"

TopicId = Annotated[str, Path(pattern=ID_PATTERN, description="The topic's id.")]
PostNumber = Annotated[int, Path(ge=1, le=10**9, description="The post's number in its topic.")]
