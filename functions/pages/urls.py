"""The site's addresses, made in one place so that links and canonical URLs always agree."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from forum import paging
from forum.deleted import is_deleted_name

from .render import slugify


def board_url(board_id: str, cursor: str | None = None) -> str:
    path = f"/b/{quote(board_id, safe='')}"
    return f"{path}?{urlencode({'cursor': cursor})}" if cursor else path


def topic_url(topic_id: str, title: str, page: int = 1) -> str:
    slug = slugify(title)
    path = f"/t/{quote(topic_id, safe='')}" + (f"/{slug}" if slug else "")
    return f"{path}?page={page}" if page > 1 else path


def post_url(topic_id: str, title: str, number: int) -> str:
    return f"{topic_url(topic_id, title, paging.page_of(number))}#msg{number}"


def member_url(username: str) -> str | None:
    """A member's page; a deleted member has none (forum.deleted)."""
    if is_deleted_name(username):
        return None
    return f"/u/{quote(username, safe='')}"


def new_topic_url(board_id: str) -> str:
    return f"/new-topic?{urlencode({'board': board_id})}"


def login_url(next_path: str | None = None) -> str:
    return f"/login?{urlencode({'next': next_path})}" if next_path else "/login"
