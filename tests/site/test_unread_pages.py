"""The viewers line without JavaScript, /t/{id}/new and the Unread page's shell."""

from __future__ import annotations

import re
from typing import Any

from ..api.recording import hooked
from ..conftest import MEMBER, OTHER, Caller
from .conftest import Browse


def beat_as_member(call: Caller, topic_id: str, who: dict[str, str]) -> None:
    reply = call("POST", f"/api/topics/{topic_id}/heartbeat/member", {}, claims=who)
    assert reply.status == 200, reply.text


def beat_as_guest(call: Caller, topic_id: str) -> None:
    body = {"viewer_id": "guest-aaaa"}
    reply = call("POST", f"/api/topics/{topic_id}/heartbeat", body)
    assert reply.status == 200, reply.text


def test_the_viewers_line_is_printed_with_its_counts(
    browse: Browse, call: Caller, forum: dict[str, Any]
) -> None:
    topic_id = forum["topic_id"]
    # Given one member and one guest viewing the topic
    beat_as_member(call, topic_id, MEMBER)
    beat_as_guest(call, topic_id)
    # then the page, as a reader without JavaScript gets it, counts them, in the singular
    page = browse(f"/t/{topic_id}")
    assert "1 Member and 1 Guest are viewing this topic." in page.words()
    # and with a second member, in the plural
    beat_as_member(call, topic_id, OTHER)
    assert "2 Members and 1 Guest are viewing this topic." in browse(f"/t/{topic_id}").words()


def test_the_viewers_line_costs_no_request(browse: Browse, forum: dict[str, Any]) -> None:
    names: list[str] = []
    with hooked("before-call.dynamodb", lambda model, **_: names.append(model.name)):
        page = browse(f"/t/{forum['topic_id']}")
    assert page.status == 200
    assert names == ["Query", "BatchGetItem"]


def test_new_posts_lead_to_the_last_page(browse: Browse, forum: dict[str, Any]) -> None:
    page = browse(f"/t/{forum['topic_id']}/new")
    assert page.status == 302
    assert page.headers["location"] == f"/t/{forum['topic_id']}/hello-world-friends?page=3#new"
    assert browse("/t/nope/new").status == 404


def test_the_unread_page_is_the_same_for_everyone(browse: Browse) -> None:
    page = browse("/unread")
    assert page.status == 200
    assert 'data-page="unread"' in page.text and 'data-unread-list="unread"' in page.text
    assert '<meta name="robots" content="noindex">' in page.text
    replies = browse("/unread?show=replies")
    assert 'data-unread-list="replies"' in replies.text
    assert "Replies to you" in replies.words()
    assert "Disallow: /unread" in browse("/robots.txt").text


def test_pages_name_what_a_members_markers_attach_to(browse: Browse, forum: dict[str, Any]) -> None:
    # The same for everyone: ids and dates the script matches the overlay's answer with.
    index = browse("/")
    assert f'data-board-id="{forum["board_id"]}"' in index.text
    board = browse(f"/b/{forum['board_id']}")
    assert f'data-topic-id="{forum["topic_id"]}"' in board.text
    assert "data-unread-tools" in board.text
    topic = browse(f"/t/{forum['topic_id']}")
    assert len(re.findall(r'data-created-at="\d{4}-\d\d-\d\dT[^"]+Z"', topic.text)) == 20
