"""Parameters shared by several routers."""

from __future__ import annotations

import re
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import BeforeValidator

from forum import cursors, paging
from forum.errors import BadRequest
from forum.i18n import _
from forum.ids import ID_SCHEMA_PATTERN

from .schemas.common import line

# Kept under this name for the routers that import it.
ID_PATTERN = ID_SCHEMA_PATTERN

BoardId = Annotated[str, Path(pattern=ID_SCHEMA_PATTERN, description="The board's id.")]
TopicId = Annotated[str, Path(pattern=ID_SCHEMA_PATTERN, description="The topic's id.")]
# A page's cursor: the next_cursor the page before answered (forum.cursors checks it, 400).
Cursor = Annotated[
    str | None, Query(max_length=cursors.CURSOR_MAX, description="next_cursor of the page before.")
]
# A moderator's reason for removing something, told to its author (forum.notifications).
Reason = Annotated[
    str | None,
    Query(
        max_length=10_000,
        description="Moderators: why; the author is told it (1-500 characters, one line).",
        # The domain's rule (forum.content.clean_line), stated for clients and fuzzers; the
        # domain enforces it with its own message (422).
        json_schema_extra=line(500),
    ),
]
PostNumber = Annotated[
    int,
    Path(ge=1, le=paging.LARGEST_POST_NUMBER, description="The post's number in its topic."),
]


# How an integer is written in a query string: ASCII digits, perhaps a minus, no leading zero.
_CANONICAL_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)", re.ASCII)


def _page_text(value: Any) -> Any:
    # Before pydantic's own int parsing, which takes "1\n", " 1", "+1", "01", "1_0" and digits
    # of other scripts: text that reads as a number only when read loosely is a forged address
    # (400, as a forged cursor is). Text that is no number ("two") or a number out of range
    # ("0") stays pydantic's 422; a page no topic can have, past paging.largest_page(), is 404.
    if isinstance(value, str) and _loose_integer(value):
        raise BadRequest(
            _(
                "A page is a whole number written in digits (0-9), without a sign, a space or "
                "a leading zero."
            )
        )
    return value


def _loose_integer(text: str) -> bool:
    if len(text) > 4 * paging.POST_NUMBER_DIGITS or _CANONICAL_INTEGER.fullmatch(text):
        return False
    try:
        int(text)
    except ValueError:
        return False
    return True


Page = Annotated[
    int,
    # The schema's bound is the largest page at one post a page: the largest at the forum's
    # own page size depends on its settings, and past it the answer is 404 (no such page).
    Query(
        ge=1,
        le=paging.LARGEST_POST_NUMBER,
        description="1 is the first page; the topic's page_count is the last.",
        # Beside a BeforeValidator, Powertools copies the bounds under pydantic's names (ge,
        # le), which no OpenAPI client reads: named here as JSON Schema names them.
        json_schema_extra={"minimum": 1, "maximum": paging.LARGEST_POST_NUMBER},
    ),
    BeforeValidator(_page_text),
]
