"""Replying, editing and removing posts through the real handler."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ..conftest import ADMIN, MEMBER, MODERATOR, OTHER, Caller
from ..events import claims


def reply_to(call: Caller, topic_id: str, body: str = "A reply", who=OTHER):
    return call("POST", f"/api/topics/{topic_id}/posts", {"body": body}, claims=who)


def read(call: Caller, topic_id: str, page: int = 1) -> dict[str, Any]:
    reply = call("GET", f"/api/topics/{topic_id}?page={page}")
    assert reply.status == 200, reply.text
    return reply.json


def board_of(call: Caller, board_id: str) -> dict[str, Any]:
    return next(b for b in call("GET", "/api/boards").json["boards"] if b["id"] == board_id)


# --- replying ---------------------------------------------------------------------------------


def test_a_reply_gets_the_next_number_and_bumps_the_counters(call, board, topic) -> None:
    # Given a topic with its opening post, when another member replies
    reply = reply_to(call, topic["id"], "Welcome, **friend**")
    # then the reply is post 2 on page 1, rendered, and the counters follow
    assert reply.status == 201, reply.text
    assert reply.headers["location"] == f"/api/topics/{topic['id']}?page=1"
    body = reply.json
    assert body["post"]["number"] == 2
    assert body["post"]["body_html"] == "<p>Welcome, <strong>friend</strong></p>\n"
    assert body["reply_count"] == 1
    page = read(call, topic["id"])
    assert [post["number"] for post in page["posts"]] == [1, 2]
    assert page["topic"]["reply_count"] == 1
    summary = call("GET", f"/api/boards/{board['id']}").json["topics"][0]
    assert summary["last_post"]["number"] == 2
    assert summary["last_post"]["author"] == {"id": "user-other", "name": "other"}
    listed = board_of(call, board["id"])
    assert listed["post_count"] == 2
    assert listed["last_post"]["number"] == 2
    assert listed["last_post"]["topic_title"] == "Hello"


def test_twenty_members_replying_at_once_get_dense_numbers(call, topic) -> None:
    # Given one topic, when 20 members reply at the same moment
    def one(index: int):
        who = claims(f"user-{index}", f"member{index}")
        return reply_to(call, topic["id"], f"reply {index}", who)

    with ThreadPoolExecutor(max_workers=20) as pool:
        replies = list(pool.map(one, range(20)))
    # then every reply succeeded, and the posts are 1..21 with no gap and no duplicate
    assert [r.status for r in replies] == [201] * 20, [r.text for r in replies if r.status != 201]
    assert sorted(r.json["post"]["number"] for r in replies) == list(range(2, 22))
    posts = read(call, topic["id"], 1)["posts"] + read(call, topic["id"], 2)["posts"]
    assert [post["number"] for post in posts] == list(range(1, 22))
    assert sorted(post["body"] for post in posts[1:]) == sorted(f"reply {i}" for i in range(20))
    assert read(call, topic["id"])["topic"]["reply_count"] == 20


def test_replies_flow_onto_new_pages(call, topic) -> None:
    for index in range(20):
        reply = reply_to(call, topic["id"], f"reply {index}")
    assert reply.json["page"] == 2 and reply.json["page_count"] == 2
    second = read(call, topic["id"], 2)
    assert [post["number"] for post in second["posts"]] == [21]
    assert second["topic"]["page"] == 2 and second["topic"]["page_count"] == 2


def test_a_reply_needs_a_member(call, topic) -> None:
    reply = call("POST", f"/api/topics/{topic['id']}/posts", {"body": "hi"})
    assert reply.status == 401
    assert reply.headers["content-type"] == "application/problem+json"
    assert read(call, topic["id"])["topic"]["reply_count"] == 0


def test_a_reply_to_an_unknown_topic_is_404(call, table) -> None:
    reply = reply_to(call, "nope")
    assert reply.status == 404
    assert "nope" in reply.json["detail"]


def test_a_locked_topic_takes_replies_from_moderators_only(call, table, topic) -> None:
    # Given a locked topic (locking arrives with moderation; set it in the table here)
    table.update_item(
        Key={"pk": f"TOPIC#{topic['id']}", "sk": "TOPIC"},
        UpdateExpression="SET locked = :t",
        ExpressionAttributeValues={":t": True},
    )
    refused = reply_to(call, topic["id"], "let me in")
    assert refused.status == 423
    assert "locked" in refused.json["detail"]
    assert reply_to(call, topic["id"], "noted", MODERATOR).status == 201
    assert read(call, topic["id"])["topic"]["reply_count"] == 1


def test_blank_oversize_and_malformed_replies_are_refused(call, topic) -> None:
    assert reply_to(call, topic["id"], "   \n ").status == 422
    too_long = reply_to(call, topic["id"], "x" * 50_001)
    assert too_long.status == 422
    assert "50000" in too_long.json["detail"]
    assert reply_to(call, topic["id"], "bell \x07").status == 422
    huge = call("POST", f"/api/topics/{topic['id']}/posts", {"body": "x" * 300_000}, claims=OTHER)
    assert huge.status == 413
    unknown = call(
        "POST", f"/api/topics/{topic['id']}/posts", {"body": "hi", "sticky": True}, claims=OTHER
    )
    assert unknown.status == 422
    assert unknown.json["errors"][0]["field"].endswith("sticky")
    wrong_type = call("POST", f"/api/topics/{topic['id']}/posts", {"body": 5}, claims=OTHER)
    assert wrong_type.status == 422
    malformed = call("POST", f"/api/topics/{topic['id']}/posts", raw_body='{"body": ', claims=OTHER)
    assert malformed.status == 400
    assert malformed.json["title"] == "Malformed JSON"
    # and nothing of it was written
    page = read(call, topic["id"])
    assert page["topic"]["reply_count"] == 0 and len(page["posts"]) == 1


# --- editing ----------------------------------------------------------------------------------


def edit(call: Caller, topic_id: str, number: int, body: dict[str, Any], who=MEMBER):
    return call("PATCH", f"/api/topics/{topic_id}/posts/{number}", body, claims=who)


def test_the_author_edits_and_the_edit_is_recorded(call, topic) -> None:
    reply = edit(call, topic["id"], 1, {"body": "Changed _text_"})
    assert reply.status == 200, reply.text
    post = reply.json
    assert post["body"] == "Changed _text_"
    assert post["body_html"] == "<p>Changed <em>text</em></p>\n"
    assert post["edited_by"] == {"id": "user-member", "name": "member"}
    assert post["edited_at"] >= post["created_at"]
    assert read(call, topic["id"])["posts"][0]["edited_at"] == post["edited_at"]


def test_another_member_may_not_edit_but_a_moderator_may(call, topic) -> None:
    assert edit(call, topic["id"], 1, {"body": "mine now"}, OTHER).status == 403
    moderated = edit(call, topic["id"], 1, {"body": "tidied"}, MODERATOR)
    assert moderated.status == 200
    assert moderated.json["edited_by"]["name"] == "moderator"
    assert edit(call, topic["id"], 1, {"body": "admin too"}, ADMIN).status == 200


def test_a_stale_edit_is_a_conflict(call, topic) -> None:
    # Given two people who loaded version 1 of the post
    version = read(call, topic["id"])["posts"][0]["version"]
    first = edit(call, topic["id"], 1, {"body": "first", "version": version})
    assert first.status == 200
    # when the second saves on top of the old version, then it is refused, not lost silently
    second = edit(call, topic["id"], 1, {"body": "second", "version": version}, MODERATOR)
    assert second.status == 409
    assert read(call, topic["id"])["posts"][0]["body"] == "first"


def test_editing_unknown_or_removed_posts(call, topic) -> None:
    assert edit(call, topic["id"], 7, {"body": "x"}).status == 404
    assert edit(call, "unknown", 1, {"body": "x"}).status == 404
    assert edit(call, topic["id"], 0, {"body": "x"}).status == 422
    assert reply_to(call, topic["id"], "oops").status == 201
    assert call("DELETE", f"/api/topics/{topic['id']}/posts/2", claims=OTHER).status == 204
    gone = edit(call, topic["id"], 2, {"body": "back"}, OTHER)
    assert gone.status == 409
    assert "removed" in gone.json["detail"]


# --- removing ---------------------------------------------------------------------------------


def test_removing_a_reply_keeps_its_number(call, board, topic) -> None:
    for index in range(3):
        reply_to(call, topic["id"], f"reply {index}")
    assert call("DELETE", f"/api/topics/{topic['id']}/posts/3", claims=MEMBER).status == 403
    assert call("DELETE", f"/api/topics/{topic['id']}/posts/3", claims=OTHER).status == 204
    page = read(call, topic["id"])
    assert [post["number"] for post in page["posts"]] == [1, 2, 3, 4]
    removed = page["posts"][2]
    assert removed["removed"] is True and removed["body"] == "" and removed["body_html"] == ""
    assert page["topic"]["reply_count"] == 2
    assert board_of(call, board["id"])["post_count"] == 3
    # removing twice changes nothing more
    assert call("DELETE", f"/api/topics/{topic['id']}/posts/3", claims=OTHER).status == 204
    assert read(call, topic["id"])["topic"]["reply_count"] == 2


def test_removing_the_last_reply_moves_last_post_back(call, board, topic) -> None:
    reply_to(call, topic["id"], "one")
    reply_to(call, topic["id"], "two")
    assert call("DELETE", f"/api/topics/{topic['id']}/posts/3", claims=MODERATOR).status == 204
    summary = call("GET", f"/api/boards/{board['id']}").json["topics"][0]
    assert summary["last_post"]["number"] == 2
    assert board_of(call, board["id"])["last_post"]["number"] == 2


def test_removing_the_opening_post_removes_the_topic(call, board, topic) -> None:
    reply_to(call, topic["id"], "one")
    # the author may not remove a whole topic; a moderator may
    assert call("DELETE", f"/api/topics/{topic['id']}/posts/1", claims=MEMBER).status == 403
    assert call("DELETE", f"/api/topics/{topic['id']}/posts/1", claims=MODERATOR).status == 204
    assert call("GET", f"/api/topics/{topic['id']}").status == 404
    listed = board_of(call, board["id"])
    assert listed["topic_count"] == 0 and listed["post_count"] == 0
    assert listed["last_post"] is None
    assert call("GET", f"/api/boards/{board['id']}").json["topics"] == []


def test_removing_needs_a_member_and_a_real_post(call, topic) -> None:
    assert call("DELETE", f"/api/topics/{topic['id']}/posts/1").status == 401
    assert call("DELETE", f"/api/topics/{topic['id']}/posts/9", claims=MODERATOR).status == 404


def test_a_post_too_large_to_store_with_its_html_is_413_and_writes_nothing(
    call, table, board, topic
) -> None:
    # 50,000 characters are allowed, but 50,000 four-byte emoji and their HTML exceed what one
    # item can hold: refused before anything is written, not a failed write.
    emoji = "\U0001f600" * 50_000
    before = table.scan()["Items"]

    def send(method: str, url: str, body: dict[str, str], who: dict[str, str]) -> Any:
        # As a browser sends it: UTF-8, 200 KB, within the request limit.
        raw = json.dumps(body, ensure_ascii=False)
        return call(method, url, raw_body=raw, claims=who)

    replied = send("POST", f"/api/topics/{topic['id']}/posts", {"body": emoji}, OTHER)
    started = send(
        "POST", f"/api/boards/{board['id']}/topics", {"title": "Big", "body": emoji}, OTHER
    )
    edited = send("PATCH", f"/api/topics/{topic['id']}/posts/1", {"body": emoji}, MEMBER)
    for reply in (replied, started, edited):
        assert reply.status == 413, reply.text
        assert "KB" in reply.json["detail"]
    after = table.scan()["Items"]
    assert [item for item in after if item["sk"] != "PROFILE"] == [
        item for item in before if item["sk"] != "PROFILE"
    ]


# --- how a post's text is stored --------------------------------------------------------------


def stored_post(table: Any, topic_id: str, number: int) -> dict[str, Any]:
    key = {"pk": f"TOPIC#{topic_id}", "sk": f"POST#{number:010d}"}
    item = table.get_item(Key=key, ConsistentRead=True)["Item"]
    assert isinstance(item, dict)
    return item


def test_a_posts_markdown_and_html_are_stored_deflated_together(call, table, topic) -> None:
    # Given a reply of some length, with the characters JSON and Markdown treat specially
    text = ('A *reply* with "quotes", a back\\slash, ünïcödé and 🦆 emoji. ' * 12).strip()
    reply = reply_to(call, topic["id"], text)
    assert reply.status == 201, reply.text
    number = reply.json["post"]["number"]
    # Then the item holds one binary attribute, much smaller than the text it carries
    item = stored_post(table, topic["id"], number)
    assert "body" not in item and "body_html" not in item
    stored = bytes(item["text"])
    html = reply.json["post"]["body_html"]
    assert len(stored) * 3 < len(text.encode()) + len(html.encode())
    # and reads give back exactly what was written
    shown = read(call, topic["id"])["posts"][-1]
    assert (shown["body"], shown["body_html"]) == (text, html)
    assert "<em>reply</em>" in html and "🦆" in html


def test_a_post_stored_before_compression_reads_and_edits(call, table, topic) -> None:
    # Given a post written with its Markdown and HTML as plain attributes
    item = stored_post(table, topic["id"], 1)
    del item["text"]
    item.update(body="Old *words*", body_html="<p>Old <em>words</em></p>\n")
    table.put_item(Item=item)
    # Then it reads as before
    first = read(call, topic["id"])["posts"][0]
    assert (first["body"], first["body_html"]) == ("Old *words*", "<p>Old <em>words</em></p>\n")
    # And an edit stores it the new way, with nothing of the old attributes left
    reply = edit(call, topic["id"], 1, {"body": "New **words**", "version": first["version"]})
    assert reply.status == 200, reply.text
    assert reply.json["body_html"] == "<p>New <strong>words</strong></p>\n"
    item = stored_post(table, topic["id"], 1)
    assert "body" not in item and "body_html" not in item and "text" in item
    assert read(call, topic["id"])["posts"][0]["body"] == "New **words**"
