"""Export my data: GET /api/me/export gives the member's document one page at a time.

Every post they wrote, removed ones with their text, exactly once and oldest first across the
pages; the images the forum serves of theirs (never the originals); nobody else's data; each
page a bounded number of DynamoDB requests, whatever the member's history.
"""

from __future__ import annotations

from typing import Any

import pytest

from forum import cursors, export

from ..conftest import MEMBER, OTHER, Caller
from ..events import url
from ..factory import new_topic
from .conftest import Faults
from .test_avatars import set_avatar
from .test_post_attachments import make_ready, upload


def reply(call: Caller, topic_id: str, body: str, claims: dict[str, str] = MEMBER) -> int:
    answer = call("POST", f"/api/topics/{topic_id}/posts", {"body": body}, claims=claims)
    assert answer.status == 201, answer.text
    return int(answer.json["post"]["number"])


def export_url(cursor: str | None) -> str:
    return url("/api/me/export", cursor=cursor) if cursor is not None else "/api/me/export"


def pages(call: Caller, claims: dict[str, str] = MEMBER) -> list[dict[str, Any]]:
    """Every page of the member's document, as the account page fetches them."""
    found: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        answer = call("GET", export_url(cursor), claims=claims)
        assert answer.status == 200, answer.text
        assert answer.headers["cache-control"] == "private, no-store"
        found.append(answer.json)
        cursor = answer.json["next_cursor"]
        if cursor is None:
            return found
        assert len(found) < 100, "the pages never end"


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(export, "POSTS_PER_PAGE", 3)
    return 3


def test_every_post_once_in_order_across_pages_and_nobody_elses(
    call: Caller, board: dict[str, Any], small_pages: int
) -> None:
    # Given MEMBER's posts in two topics, OTHER's replies between them, and one of MEMBER's
    # replies removed by MEMBER
    first = new_topic(call, board["id"], "First", "opening one")
    second = new_topic(call, board["id"], "Second", "opening two", claims=OTHER)
    written = [(first["id"], 1, "opening one")]
    for n in range(4):
        reply(call, second["id"], f"other's {n}", claims=OTHER)
        for topic in (first, second):
            body = f"mine {n} in {topic['title']}"
            written.append((topic["id"], reply(call, topic["id"], body), body))
    removed = written[3]
    gone = call("DELETE", f"/api/topics/{removed[0]}/posts/{removed[1]}", claims=MEMBER)
    assert gone.status == 204, gone.text
    # When MEMBER fetches their document until next_cursor is null
    document = pages(call)
    # Then it takes several pages of at most three posts, each with MEMBER's profile
    assert len(document) >= 3
    assert all(len(page["posts"]) <= small_pages for page in document)
    assert all(page["member"]["id"] == "user-member" for page in document)
    # And holds each of their posts exactly once, oldest first, the removed one with its text
    posts = [post for page in document for post in page["posts"]]
    assert [(p["topic"]["id"], p["number"], p["body"]) for p in posts] == written
    assert [p["created_at"] for p in posts] == sorted(p["created_at"] for p in posts)
    assert [p["removed"] for p in posts] == [p[:2] == removed[:2] for p in written]
    titles = {first["id"]: "First", second["id"]: "Second"}
    assert all(post["topic"]["title"] == titles[post["topic"]["id"]] for post in posts)
    # And nothing of OTHER's
    assert "other's" not in str(document)
    # And OTHER's own document holds theirs only
    theirs = [post for page in pages(call, OTHER) for post in page["posts"]]
    assert [post["body"] for post in theirs] == ["opening two"] + [f"other's {n}" for n in range(4)]


def test_a_post_removed_between_two_pages_is_still_exported_once(
    call: Caller, board: dict[str, Any], small_pages: int
) -> None:
    topic = new_topic(call, board["id"], "T", "opening")
    for n in range(5):
        reply(call, topic["id"], f"reply {n}")
    page = call("GET", "/api/me/export", claims=MEMBER).json
    assert [post["number"] for post in page["posts"]] == [1, 2, 3]
    # When post 5, not yet exported, and post 2, already exported, are removed
    for number in (5, 2):
        assert (
            call("DELETE", f"/api/topics/{topic['id']}/posts/{number}", claims=MEMBER).status == 204
        )
    rest = call("GET", export_url(page["next_cursor"]), claims=MEMBER).json
    # Then the next page goes on after post 3, post 5 among them as removed
    assert [(post["number"], post["removed"]) for post in rest["posts"]] == [
        (4, False),
        (5, True),
        (6, False),
    ]
    assert rest["next_cursor"] is None


def test_a_page_carries_a_bounded_text(
    call: Caller, board: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given posts of 1,000 characters, and pages of at most 2,500 characters of text
    topic = new_topic(call, board["id"], "T", "a" * 1000)
    for _ in range(4):
        reply(call, topic["id"], "b" * 1000)
    monkeypatch.setattr(export, "TEXT_BUDGET", 2500)
    # Then each page holds two, and all five come, once each
    document = pages(call)
    assert [len(page["posts"]) for page in document] == [2, 2, 1]
    assert [post["number"] for page in document for post in page["posts"]] == [1, 2, 3, 4, 5]


def test_the_images_served_of_theirs_and_never_the_originals(
    call: Caller, board: dict[str, Any], small_pages: int
) -> None:
    # Given an avatar, and a reply showing an image, both made ready
    avatar = upload(call, purpose="avatar")
    make_ready(avatar, 512, 512)
    assert set_avatar(call, avatar).status == 200
    topic = new_topic(call, board["id"], "Photos", "look")
    for n in range(3):
        reply(call, topic["id"], f"text {n}")
    photo = upload(call)
    posted = call(
        "POST",
        f"/api/topics/{topic['id']}/posts",
        {"body": "a walk", "attachment_ids": [photo]},
        claims=MEMBER,
    )
    assert posted.status == 201, posted.text
    make_ready(photo)
    # And an upload of OTHER's
    theirs = upload(call, claims=OTHER)
    make_ready(theirs)
    # When MEMBER exports
    first, second = pages(call)
    # Then the avatar comes on the first page, the photo with its post's page
    assert first["uploads"] == [
        {
            "id": avatar,
            "filename": "walk.jpg",
            "status": "ready",
            "used_by": "avatar",
            "thumb_url": f"/media/{avatar}/thumb.jpg",
            "display_url": f"/media/{avatar}/display.jpg",
        }
    ]
    assert second["uploads"] == [
        {
            "id": photo,
            "filename": "walk.jpg",
            "status": "ready",
            "used_by": f"{topic['id']}/5",
            "thumb_url": f"/media/{photo}/thumb.jpg",
            "display_url": f"/media/{photo}/display.jpg",
        }
    ]
    # And no original, nor anything of OTHER's
    assert "originals/" not in str(first) + str(second)
    assert theirs not in str(first) + str(second)


def test_a_member_without_posts_gets_one_page(call: Caller, table: Any) -> None:
    document = pages(call, OTHER)
    assert len(document) == 1
    assert document[0]["member"]["username"] == "other"
    assert document[0]["posts"] == [] and document[0]["uploads"] == []


def test_forged_cursors_are_400_and_read_nothing(
    call: Caller, board: dict[str, Any], faults: Faults, small_pages: int
) -> None:
    topic = new_topic(call, board["id"], "T", "opening")
    for n in range(4):
        reply(call, topic["id"], f"reply {n}")
    good = call("GET", "/api/me/export", claims=MEMBER).json["next_cursor"]
    key = cursors.decode_section(good, {"posts": cursors.USER_POST_KEY}, "start")[1]
    assert key is not None
    for forged in (
        "not-a-cursor",
        good + "A",
        good[:-2],
        cursors.encode(key),  # the member page's cursor: no section
        cursors.encode_section("watches", key),  # a section there is not
        cursors.encode_section("posts", key + "\n"),
        cursors.encode_section("posts", key[:-1] + "\u0662"),
        cursors.encode(f"posts:{key}") + "%0A",
        cursors.encode("0#2026-11-28T09:05:00.123456Z#" + topic["id"]),  # a board's
    ):
        faults.calls.clear()
        answer = call("GET", f"/api/me/export?cursor={forged}", claims=MEMBER)
        assert answer.status == 400, (forged, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
        assert "cursor" in answer.json["detail"]
        assert "Query" not in faults.calls, forged


def test_signed_out_is_401(call: Caller, table: Any) -> None:
    answer = call("GET", "/api/me/export")
    assert answer.status == 401
    assert answer.headers["content-type"] == "application/problem+json"


def test_a_page_costs_the_same_few_requests_whatever_the_history(
    call: Caller, board: dict[str, Any], faults: Faults, small_pages: int
) -> None:
    # Given MEMBER's posts in five topics: a first page and a later one
    for n in range(5):
        topic = new_topic(call, board["id"], f"Topic {n}", f"opening {n}")
        reply(call, topic["id"], f"reply {n}")
    avatar = upload(call, purpose="avatar")
    make_ready(avatar, 512, 512)
    assert set_avatar(call, avatar).status == 200
    costs: list[dict[str, int]] = []
    cursor: str | None = None
    while True:
        faults.calls.clear()
        answer = call("GET", export_url(cursor), claims=MEMBER)
        assert answer.status == 200, answer.text
        costs.append(dict(faults.calls))
        cursor = answer.json["next_cursor"]
        if cursor is None:
            break
    # Then each page is the profile, two Queries (their posts, their removed posts) and one
    # batch of titles; the first page reads the avatar's attachment too
    assert len(costs) == 4
    assert costs[0] == {"GetItem": 2, "Query": 2, "BatchGetItem": 1}
    assert all(cost == {"GetItem": 1, "Query": 2, "BatchGetItem": 1} for cost in costs[1:])
    # And a Query asks for one page and a bit, never more
    sent: list[dict[str, Any]] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        sent.append(params)

    faults.events.register("provide-client-params.dynamodb.Query", record)
    try:
        call("GET", "/api/me/export", claims=MEMBER)
    finally:
        faults.events.unregister("provide-client-params.dynamodb.Query", record)
    assert [params["Limit"] for params in sent] == [small_pages + 1] * 2


def test_posts_removed_before_they_kept_their_index_are_put_back_once(
    call: Caller, table: Any, board: dict[str, Any]
) -> None:
    from forum.removed_posts import index_removed_posts

    # Given a reply removed as removals used to: out of the user_posts index altogether
    topic = new_topic(call, board["id"], "T", "opening")
    reply(call, topic["id"], "said and regretted")
    assert call("DELETE", f"/api/topics/{topic['id']}/posts/2", claims=MEMBER).status == 204
    table.update_item(
        Key={"pk": f"TOPIC#{topic['id']}", "sk": "POST#0000000002"},
        UpdateExpression="REMOVE gsi2pk, gsi2sk",
    )
    assert [post["number"] for page in pages(call) for post in page["posts"]] == [1]
    # When the backfill runs, twice
    assert index_removed_posts() == 1
    assert index_removed_posts() == 0
    # Then the export has the removed reply again, with its text, once
    posts = [post for page in pages(call) for post in page["posts"]]
    assert [(post["number"], post["removed"], post["body"]) for post in posts] == [
        (1, False, "opening"),
        (2, True, "said and regretted"),
    ]
    # And the member's public page still lists only the opening post
    assert [post["number"] for post in call("GET", "/api/users/member").json["posts"]] == [1]
