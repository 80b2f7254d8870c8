"""GET /api/search: one page of posts that match a query."""

from __future__ import annotations

from pydantic import Field

from .common import Schema


class SearchHitOut(Schema):
    topic_id: str
    topic_title: str
    number: int = Field(description="The post's number in its topic (1 = the opening post).")
    board_id: str
    author: str = Field(description="The author's username.")
    created_at: str
    snippet_html: str = Field(
        description=(
            "Words of the post around the match, HTML-escaped, the matched words in <mark>: "
            "the only markup it ever holds."
        )
    )
    url: str = Field(description="The post on its topic page.")


class SearchPage(Schema):
    q: str
    order: str
    page: int
    per_page: int
    total: int = Field(description="Posts that match (only the first pages can be shown).")
    page_count: int
    results: list[SearchHitOut]
