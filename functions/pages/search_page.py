"""/search?q=…: the search page, rendered on the server, readable without JavaScript.

Served by the search function (``search.handler``), with the site's templates: the header's
search box leads here, and topic and board pages link here with ``topic=`` or ``board=`` to
search only them. The page is ``noindex``: results are no content of their own, and a crawler
following every query would only cost searches. A query that breaks a rule of the language is
the form again, with the reason, as 422; filters naming nothing (an unknown board, a member
who never posted) simply find nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from forum.deleted import shown_name
from forum.errors import Invalid
from forum.i18n import _
from forum.ids import is_id

from .common import Head, Page
from .urls import member_url, post_url

SEARCH_PATH = "/search"
# The API refuses longer queries outright; the page shows the engine's reason instead.
MAX_Q = 1000


@dataclass(frozen=True)
class SearchForm:
    q: str = ""
    board: str = ""
    topic: str = ""
    author: str = ""
    since: str = ""
    until: str = ""
    titles_only: bool = False
    order: str = "relevance"
    page: int = 1

    def query(self, **changes: Any) -> str:
        """This search's address, with ``changes`` (another page, say)."""
        fields = {
            "q": self.q,
            "board": self.board,
            "topic": self.topic,
            "author": self.author,
            "since": self.since,
            "until": self.until,
            "titles_only": "1" if self.titles_only else "",
            "order": "" if self.order == "relevance" else self.order,
            "page": "" if self.page == 1 else str(self.page),
        }
        fields.update({name: str(value) for name, value in changes.items()})
        if fields["page"] == "1":
            fields["page"] = ""
        if fields["order"] == "relevance":
            fields["order"] = ""
        return f"{SEARCH_PATH}?{urlencode({name: v for name, v in fields.items() if v})}"


def _day(raw: str, field: str) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise Invalid(_("A date is written YYYY-MM-DD."), field=field) from None


def read_form(value: Callable[[str], str | None]) -> SearchForm:
    """The form as the address gives it; ids that can name nothing are dropped."""

    def text(name: str, limit: int = 128) -> str:
        return (value(name) or "").strip()[:limit]

    page_text = text("page", 4)
    page = int(page_text) if page_text.isdigit() and page_text[0] != "0" else 1
    board, topic = text("board", 64), text("topic", 64)
    return SearchForm(
        q=(value("q") or "").strip()[: MAX_Q + 1],
        board=board if is_id(board) else "",
        topic=topic if is_id(topic) else "",
        author=text("author"),
        since=text("since", 10),
        until=text("until", 10),
        titles_only=text("titles_only", 5) in ("1", "on", "true"),
        order="newest" if text("order", 10) == "newest" else "relevance",
        page=page,
    )


@dataclass(frozen=True)
class HitView:
    url: str
    topic_title: str
    number: int
    author: str
    author_url: str | None
    created_at: str
    snippet: Any


def search_page(form: SearchForm) -> Page:
    """The page: the form, and the results when there is a query."""
    context: dict[str, Any] = {"form": form, "hits": [], "error": None, "searched": False}
    status = 200
    if form.q:
        try:
            context.update(_results(form))
            context["searched"] = True
        except Invalid as error:
            context["error"] = error.detail
            status = 422
    title = _("Search: %(q)s") % {"q": form.q} if form.q else _("Search")
    return Page(
        "search.html",
        Head(
            title=title,
            description=_("Search the forum's posts."),
            path=SEARCH_PATH,
            indexable=False,
        ),
        context,
        status=status,
        data={"page": "search"},
    )


def _results(form: SearchForm) -> dict[str, Any]:
    # Imported here: Tantivy is loaded by the search function only when it searches.
    from forum.search.engine import Filters, SearchRequest
    from forum.search.service import search

    if len(form.q) > MAX_Q:
        raise Invalid(
            _("A search is at most %(count)d characters long.") % {"count": MAX_Q}, field="q"
        )
    filters = Filters(
        board=form.board or None,
        author=form.author or None,
        topic=form.topic or None,
        since=_day(form.since, "since"),
        until=_day(form.until, "until"),
        titles_only=form.titles_only,
    )
    results = search(SearchRequest(form.q, filters, order=form.order, page=form.page))  # type: ignore[arg-type]
    hits = [
        HitView(
            url=post_url(hit.topic_id, hit.topic_title, hit.number),
            topic_title=hit.topic_title,
            number=hit.number,
            author=shown_name(hit.author),
            author_url=member_url(hit.author),
            created_at=hit.created_at.isoformat().replace("+00:00", "Z"),
            snippet=hit.snippet,
        )
        for hit in results.hits
    ]
    pages = results.page_count
    return {
        "hits": hits,
        "total": results.total,
        "page_count": pages,
        "previous_url": form.query(page=form.page - 1) if form.page > 1 else None,
        "next_url": form.query(page=form.page + 1) if form.page < pages else None,
        "newest_url": form.query(order="newest", page=1),
        "relevance_url": form.query(order="relevance", page=1),
    }
