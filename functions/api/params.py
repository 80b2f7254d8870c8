"""Parameters shared by several routers."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import BeforeValidator

from forum import paging
from forum.ids import ID_SCHEMA_PATTERN

# Kept under this name for the routers that import it.
ID_PATTERN = ID_SCHEMA_PATTERN

BoardId = Annotated[str, Path(pattern=ID_SCHEMA_PATTERN, description="The board's id.")]
TopicId = Annotated[str, Path(pattern=ID_SCHEMA_PATTERN, description="The topic's id.")]
PostNumber = Annotated[
    int,
    Path(ge=1, le=paging.LARGEST_POST_NUMBER, description="The post's number in its topic."),
]


def _page_text(value: Any) -> Any:
    # Before pydantic's own int parsing, which would take "1\n", " 1", "+1" and "1_0".
    if isinstance(value, str) and paging.parse_page(value) is None:
        raise ValueError(f"a page is a whole number from 1 to {paging.largest_page()}, in digits")
    return value


Page = Annotated[
    int,
    BeforeValidator(_page_text),
    Query(ge=1, description="1 is the first page; the topic's page_count is the last."),
]
