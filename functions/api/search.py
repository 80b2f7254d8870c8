"""GET /api/search: posts that match a query, for guests and members alike.

Served by the search function (``search.handler``), not by the api function: Tantivy is a
native module and a search function keeps a copy of the index in its ``/tmp``, which only the
few containers that search should hold. The api function includes this router so that the
route is in its OpenAPI document; it never imports the engine unless it serves a search itself
(the local runtime's api function, when no search function is deployed, does).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from forum.ids import ID_SCHEMA_PATTERN

from .responses import answers, ok
from .schemas.search import SearchHitOut, SearchPage

router = Router()

# Longer than the engine takes (forum.search.query.MAX_QUERY_CHARS), so that its reason is the
# one a person reads; anything beyond this is refused by validation before any work.
MAX_Q = 1000
MAX_PAGE = 50

Q = Annotated[
    str,
    Query(
        min_length=1,
        max_length=MAX_Q,
        description=(
            'Words (all must match), "exact phrases", -excluded words, prefix* and OR. '
            "Nothing else is syntax: field names, ^, ~ and ranges are plain text."
        ),
    ),
]
BoardFilter = Annotated[
    str | None, Query(pattern=ID_SCHEMA_PATTERN, description="Only posts of this board.")
]
TopicFilter = Annotated[
    str | None, Query(pattern=ID_SCHEMA_PATTERN, description="Only posts of this topic.")
]
AuthorFilter = Annotated[
    str | None, Query(min_length=1, max_length=128, description="Only posts by this username.")
]
Since = Annotated[dt.date | None, Query(description="Only posts written on or after this day.")]
Until = Annotated[dt.date | None, Query(description="Only posts written on or before this day.")]
TitlesOnly = Annotated[bool, Query(description="Match topic titles only.")]
SortOrder = Annotated[
    Literal["relevance", "newest"],
    Query(description="relevance (BM25, titles count more, recent posts a little) or newest."),
]
PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE, description="The page of results.")]


@router.get(
    "/api/search",
    summary="Search posts",
    responses=answers(ok(), problems=(422,)),
)
def search_posts(
    q: Q,
    board: BoardFilter = None,
    topic: TopicFilter = None,
    author: AuthorFilter = None,
    since: Since = None,
    until: Until = None,
    titles_only: TitlesOnly = False,
    order: SortOrder = "relevance",
    page: PageNumber = 1,
) -> SearchPage:
    # Imported here: the api function never loads Tantivy for its other routes.
    from forum.search.engine import Filters, SearchRequest
    from forum.search.service import search
    from pages.urls import post_url

    results = search(
        SearchRequest(
            q,
            Filters(board, author, topic, since, until, titles_only),
            order=order,
            page=page,
        )
    )
    return SearchPage(
        q=q,
        order=order,
        page=results.page,
        per_page=results.per_page,
        total=results.total,
        page_count=results.page_count,
        results=[
            SearchHitOut(
                topic_id=hit.topic_id,
                topic_title=hit.topic_title,
                number=hit.number,
                board_id=hit.board_id,
                author=hit.author,
                created_at=hit.created_at.isoformat().replace("+00:00", "Z"),
                snippet_html=str(hit.snippet),
                url=post_url(hit.topic_id, hit.topic_title, hit.number),
            )
            for hit in results.hits
        ],
    )
