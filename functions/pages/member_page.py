"""A member's page: their profile and their latest posts, page by page."""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup

from forum import profiles
from forum.errors import BadRequest, NotFound

from .common import Head, Page, check_cursor
from .render import count, plain_text
from .urls import member_url, post_url

# What a username in an address may be before it is looked up (the claim decides the rest):
# ASCII only and all of it (``fullmatch``: ``$`` would let a final line break through).
USERNAME_PATTERN = re.compile(r"[A-Za-z0-9_.@+-]{1,128}", re.ASCII)


@dataclass(frozen=True)
class MemberPost:
    url: str
    topic_title: str
    number: int
    created_at: str
    body_html: Markup


def member(username: str, cursor: str | None) -> Page:
    if not USERNAME_PATTERN.fullmatch(username):
        raise NotFound("There is no member with that name.")
    missing = "There is no such page of this member's posts."
    check_cursor(cursor, missing)
    try:
        found = profiles.member_page(username, cursor)
    except BadRequest as error:
        raise NotFound(missing) from error
    profile = found.profile
    name = str(profile.display_name or profile.username)
    posts = [
        MemberPost(
            url=post_url(post.topic_id, shown_topic.title, int(post.number)),
            topic_title=shown_topic.title,
            number=int(post.number),
            created_at=post.created_at,
            body_html=Markup(post.body_html),
        )
        for post, shown_topic in found.posts
    ]
    # forum.profiles answers 404 for a deleted member, so there is a name and an address.
    path = member_url(profile.username) or "/"
    next_path = f"{path}?cursor={found.next_cursor}" if found.next_cursor else None
    about = Markup(profile.about_html or "")
    summary = plain_text(about) if about else ""
    description = summary or (
        f"{name} ({profile.username}) has written {count(int(profile.post_count or 0), 'post')}."
    )
    return Page(
        "member.html",
        Head(
            title=f"{name} ({profile.username})" if name != profile.username else name,
            description=description,
            path=path if cursor is None else f"{path}?cursor={cursor}",
            og_type="profile",
            next_path=next_path,
        ),
        {
            "profile": profile,
            "name": name,
            "about_html": about,
            "avatar_url": profiles.avatar_display_url(profile),
            "banned": profiles.is_banned(profile),
            "posts": posts,
            "next_url": next_path,
            "first_url": path if cursor is not None else None,
        },
        data={"page": "member", "username": str(profile.username)},
    )
