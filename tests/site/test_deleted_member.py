"""A deleted member on the pages: "deleted member" wherever their name was, linked nowhere, and
no member page."""

from __future__ import annotations

from ..cognito import MemberPool
from ..conftest import Caller
from ..events import claims
from ..factory import new_board, new_replies, new_topic
from .conftest import Browse


def test_the_pages_show_a_deleted_member_by_no_name(
    call: Caller, browse: Browse, cognito: MemberPool
) -> None:
    # Given dora started a topic that carol answered, then deleted her account
    dora = claims(cognito.add("dora"), "dora")
    carol = claims(cognito.add("carol"), "carol")
    board = new_board(call, "General")
    topic = new_topic(call, board["id"], "A question", "Anyone?", claims=dora)
    new_replies(call, topic["id"], ["Me!"], claims=carol)
    new_replies(call, topic["id"], ["Thanks"], claims=dora)
    deleted = call("POST", "/api/me/deletion", {"posts": "keep"}, claims=dora)
    assert deleted.status == 200, deleted.text
    # Then the board page says the topic was started by a deleted member, with no link
    listing = browse(f"/b/{board['id']}")
    assert listing.status == 200
    assert "Started by deleted member" in listing.words()
    assert "by deleted member" in listing.words()  # its last post
    hrefs = [tag.get("href") for tag in listing.tags("a")]
    assert "/u/carol" not in hrefs  # carol's post is not the last
    assert not any(href and href.startswith("/u/dora") for href in hrefs)
    # And the topic page shows her posts by "deleted member", carol's by carol
    page = browse(f"/t/{topic['id']}")
    assert page.status == 200
    assert "dora" not in page.text and "~deleted" not in page.text
    assert page.text.count("deleted member") >= 3
    assert "/u/carol" in [tag.get("href") for tag in page.tags("a")]
    articles = page.tags("article")
    assert [tag.get("data-author") for tag in articles] == [
        "deleted member",
        "carol",
        "deleted member",
    ]
    # And she has no member page any more
    assert browse("/u/dora").status == 404
    assert browse("/").status == 200 and "by deleted member" in browse("/").words()
