"""Notifications: replies in watched topics (collapsed until read), new topics in watched
boards, mentions, quotes and moderators' actions; listing, counting and marking them read."""

from __future__ import annotations

from typing import Any

from .. import notices
from ..cognito import MemberPool
from ..conftest import ADMIN, MEMBER, MODERATOR, OTHER, Caller
from ..events import claims
from ..factory import new_board, new_topic

# alice watches; bob writes (MEMBER starts the topics).
ALICE = OTHER
BOB = claims("user-bob", "bob")


def reply(call: Caller, topic_id: str, body: str, who: Any = BOB) -> int:
    answer = call("POST", f"/api/topics/{topic_id}/posts", {"body": body}, claims=who)
    assert answer.status == 201, answer.text
    return int(answer.json["post"]["number"])


def listed(call: Caller, who: Any = ALICE) -> list[dict[str, Any]]:
    answer = call("GET", "/api/me/notifications", claims=who)
    assert answer.status == 200, answer.text
    assert answer.headers["cache-control"] == "private, no-store"
    return list(answer.json["notifications"])


def unread(call: Caller, who: Any = ALICE) -> int:
    answer = call("GET", "/api/me/notifications/unread", claims=who)
    assert answer.status == 200 and answer.headers["cache-control"] == "private, no-store"
    return int(answer.json["unread"])


def watch(call: Caller, topic_id: str, level: str = "watching", who: Any = ALICE) -> None:
    answer = call("PUT", f"/api/topics/{topic_id}/watch", {"level": level}, claims=who)
    assert answer.status == 200, answer.text


def test_replies_in_a_watched_topic_collapse_into_one_entry_until_read(
    call: Caller, topic: dict[str, Any]
) -> None:
    # Given alice watching a topic, and bob replying three times
    watch(call, topic["id"])
    numbers = [reply(call, topic["id"], f"reply {n}") for n in range(3)]
    # When the notifier handles the three new posts
    notices.deliver([notices.new_post(topic["id"], n) for n in numbers])
    # Then alice has one entry for the three, linking to the first of them
    entries = listed(call)
    assert len(entries) == 1
    entry = entries[0]
    assert entry["kind"] == "reply" and entry["count"] == 3 and not entry["read"]
    assert entry["text"] == "3 new replies in Hello"
    assert entry["url"] == f"/t/{topic['id']}#msg2" and entry["number"] == 2
    assert entry["actor"]["name"] == "bob"
    assert unread(call) == 1
    # When she reads it, and bob replies again
    marked = call("POST", f"/api/me/notifications/{entry['id']}/read", claims=ALICE)
    assert marked.status == 204
    assert unread(call) == 0
    notices.deliver([notices.new_post(topic["id"], reply(call, topic["id"], "more"))])
    # Then the new reply is a new entry of its own, and the read one stays read
    entries = listed(call)
    assert [(e["count"], e["read"]) for e in entries] == [(1, False), (3, True)]
    assert entries[0]["text"] == "bob replied in Hello"
    assert entries[0]["url"] == f"/t/{topic['id']}#msg5"


def test_a_message_twice_or_out_of_order_tells_nothing_twice(
    call: Caller, topic: dict[str, Any]
) -> None:
    watch(call, topic["id"])
    second, third = reply(call, topic["id"], "a"), reply(call, topic["id"], "b")
    later, earlier = notices.new_post(topic["id"], third), notices.new_post(topic["id"], second)
    # The later post first, then the earlier, then both again
    notices.deliver([later])
    notices.deliver([earlier, later])
    notices.deliver([earlier])
    entries = listed(call)
    assert len(entries) == 1 and entries[0]["count"] == 2 and entries[0]["number"] == second
    # And again after she read it: nothing new, nothing unread again
    call("POST", "/api/me/notifications/read", claims=ALICE)
    notices.deliver([earlier, later])
    assert unread(call) == 0 and len(listed(call)) == 1


def test_nobody_hears_of_their_own_post_a_removed_post_or_a_banned_author(
    call: Caller, topic: dict[str, Any], cognito: MemberPool
) -> None:
    cognito.add_claims(BOB)
    watch(call, topic["id"])
    watch(call, topic["id"], who=BOB)
    # alice's own reply tells her nothing (bob hears of it)
    own = reply(call, topic["id"], "mine", who=ALICE)
    notices.deliver([notices.new_post(topic["id"], own)])
    assert listed(call) == [] and len(listed(call, BOB)) == 1
    # a post removed before its message went out tells nobody
    gone = reply(call, topic["id"], "oops")
    assert call("DELETE", f"/api/topics/{topic['id']}/posts/{gone}", claims=BOB).status == 204
    notices.deliver([notices.new_post(topic["id"], gone)])
    assert listed(call) == []
    # nor does the post of a member banned before it went out
    late = reply(call, topic["id"], "spam")
    banned = call("POST", "/api/users/bob/ban", {"reason": "spam"}, claims=MODERATOR)
    assert banned.status == 200, banned.text
    notices.deliver([notices.new_post(topic["id"], late)])
    assert listed(call) == []


def test_a_removed_topic_tells_nobody(call: Caller, topic: dict[str, Any]) -> None:
    watch(call, topic["id"])
    number = reply(call, topic["id"], "a reply")
    assert call("DELETE", f"/api/topics/{topic['id']}", claims=MODERATOR).status == 204
    notices.deliver([notices.new_post(topic["id"], number)])
    assert [e["kind"] for e in listed(call, MEMBER)] == ["removed"]  # the starter's notice
    assert listed(call) == []


def test_a_muted_topic_tells_nothing_not_even_a_mention(
    call: Caller, topic: dict[str, Any]
) -> None:
    call("GET", "/api/me", claims=ALICE)
    watch(call, topic["id"], "muted")
    number = reply(call, topic["id"], "what do you think, @other?")
    notices.deliver([notices.new_post(topic["id"], number)])
    assert listed(call) == [] and unread(call) == 0


def test_a_new_topic_in_a_watched_board(call: Caller, board: dict[str, Any]) -> None:
    assert call("PUT", f"/api/boards/{board['id']}/watch", claims=ALICE).status == 200
    started = new_topic(call, board["id"], "Fresh news", claims=BOB)
    notices.deliver(notices.started(started["id"]))
    notices.deliver(notices.started(started["id"]))  # delivered twice
    entries = listed(call)
    assert len(entries) == 1
    assert entries[0]["kind"] == "topic"
    assert entries[0]["text"] == "bob started Fresh news in General"
    assert entries[0]["url"] == f"/t/{started['id']}#msg1"
    # bob, who started it, watches it now; nobody tells him of it
    assert listed(call, BOB) == []


def test_a_mention_links_the_member_and_tells_them_once(
    call: Caller, topic: dict[str, Any]
) -> None:
    # Given alice (a member with a profile) watching the topic
    call("GET", "/api/me", claims=ALICE)
    watch(call, topic["id"])
    # When bob mentions her and someone who does not exist
    answer = call(
        "POST",
        f"/api/topics/{topic['id']}/posts",
        {"body": "Thanks @Other, and @nobody-here"},
        claims=BOB,
    )
    html = answer.json["post"]["body_html"]
    assert '<a href="/u/other" rel="nofollow ugc noopener">@Other</a>' in html
    assert "@nobody-here" in html and "/u/nobody-here" not in html
    number = answer.json["post"]["number"]
    notices.deliver([notices.new_post(topic["id"], number), notices.new_post(topic["id"], number)])
    # Then she has one entry, the mention (not also a reply)
    entries = listed(call)
    assert [(e["kind"], e["text"]) for e in entries] == [("mention", "bob mentioned you in Hello")]


def test_a_banned_members_name_stays_text(
    call: Caller, topic: dict[str, Any], cognito: MemberPool
) -> None:
    cognito.add_claims(ALICE)
    call("GET", "/api/me", claims=ALICE)
    banned = call("POST", "/api/users/other/ban", {"reason": "spam"}, claims=MODERATOR)
    assert banned.status == 200, banned.text
    answer = call("POST", f"/api/topics/{topic['id']}/posts", {"body": "hi @other"}, claims=BOB)
    assert "/u/other" not in answer.json["post"]["body_html"]


def test_five_hundred_mentions_tell_at_most_twenty(call: Caller, topic: dict[str, Any]) -> None:
    names = [f"member{n:03d}" for n in range(25)]
    for index, name in enumerate(names):
        call("GET", "/api/me", claims=claims(f"user-{index}", name))
    body = " ".join(f"@{name}" for name in names) + " " + " ".join(f"@x{n}yz" for n in range(475))
    number = reply(call, topic["id"], body)
    html = call("GET", f"/api/topics/{topic['id']}", claims=None).json["posts"][-1]["body_html"]
    assert html.count('href="/u/') == 20
    notices.deliver([notices.new_post(topic["id"], number)])
    told = [n for n in range(25) if listed(call, claims(f"user-{n}", names[n]))]
    assert told == list(range(20))


def test_a_quote_tells_the_quoted_author(call: Caller, topic: dict[str, Any]) -> None:
    mine = reply(call, topic["id"], "My point", who=ALICE)
    body = (
        f"> **other** wrote in [#{mine}](/t/{topic['id']}/hello#msg{mine}):\n>\n> My point\n\n"
        "I disagree."
    )
    number = reply(call, topic["id"], body)
    notices.deliver([notices.new_post(topic["id"], number)])
    entries = listed(call)
    assert [(e["kind"], e["text"], e["number"]) for e in entries] == [
        ("quote", "bob quoted you in Hello", number)
    ]


def test_moderators_actions_tell_the_author_with_the_reason(
    call: Caller, board: dict[str, Any], topic: dict[str, Any]
) -> None:
    other_board = new_board(call, "Elsewhere")
    number = reply(call, topic["id"], "off topic", who=ALICE)
    removed = call(
        "DELETE",
        f"/api/topics/{topic['id']}/posts/{number}?reason=Off%20topic",
        claims=MODERATOR,
    )
    assert removed.status == 204
    entries = listed(call)
    assert [(e["kind"], e["reason"], e["number"]) for e in entries] == [
        ("removed", "Off topic", number)
    ]
    assert entries[0]["text"] == "A moderator removed your post in Hello"
    # The starter hears of their topic locked and moved
    changed = call(
        "PATCH",
        f"/api/topics/{topic['id']}",
        {"locked": True, "board_id": other_board["id"], "reason": "Belongs there"},
        claims=MODERATOR,
    )
    assert changed.status == 200, changed.text
    kinds = {(e["kind"], e["reason"]) for e in listed(call, MEMBER)}
    assert kinds == {("locked", "Belongs there"), ("moved", "Belongs there")}
    # A moderator's own post, or an admin pinning, tells nobody
    call("PATCH", f"/api/topics/{topic['id']}", {"pinned": True}, claims=ADMIN)
    assert len(listed(call, MEMBER)) == 2


def test_a_too_long_reason_is_422(call: Caller, topic: dict[str, Any]) -> None:
    number = reply(call, topic["id"], "x")
    answer = call(
        "DELETE", f"/api/topics/{topic['id']}/posts/{number}?reason={'a' * 501}", claims=MODERATOR
    )
    assert answer.status == 422
    assert answer.headers["content-type"] == "application/problem+json"


def test_another_members_notification_is_404(call: Caller, topic: dict[str, Any]) -> None:
    watch(call, topic["id"])
    notices.deliver([notices.new_post(topic["id"], reply(call, topic["id"], "hi"))])
    entry_id = listed(call)[0]["id"]
    for who, path in (
        (BOB, f"/api/me/notifications/{entry_id}/read"),
        (ALICE, "/api/me/notifications/nonsense/read"),
        (ALICE, f"/api/me/notifications/{entry_id[:-1]}x/read"),
    ):
        answer = call("POST", path, claims=who)
        assert answer.status == 404, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
    assert unread(call) == 1


def test_mark_all_read_and_paging(call: Caller, board: dict[str, Any]) -> None:
    assert call("PUT", f"/api/boards/{board['id']}/watch", claims=ALICE).status == 200
    for index in range(23):
        started = new_topic(call, board["id"], f"Topic {index}", claims=BOB)
        notices.deliver([notices.new_topic(started["id"])])
    first = call("GET", "/api/me/notifications", claims=ALICE).json
    assert len(first["notifications"]) == 20 and first["next_cursor"]
    assert first["notifications"][0]["topic_title"] == "Topic 22"
    rest = call("GET", f"/api/me/notifications?cursor={first['next_cursor']}", claims=ALICE)
    assert len(rest.json["notifications"]) == 3 and rest.json["next_cursor"] is None
    assert unread(call) == 23
    marked = call("POST", "/api/me/notifications/read", claims=ALICE)
    assert marked.status == 200 and marked.json == {"marked": 23}
    assert unread(call) == 0
    forged = call("GET", "/api/me/notifications?cursor=WyJQUk9GSUxFIl0", claims=ALICE)
    assert forged.status == 400


def test_a_guest_has_no_notifications(call: Caller, table: Any) -> None:
    for method, path in (
        ("GET", "/api/me/notifications"),
        ("GET", "/api/me/notifications/unread"),
        ("POST", "/api/me/notifications/read"),
    ):
        answer = call(method, path)
        assert answer.status == 401
        assert answer.headers["content-type"] == "application/problem+json"


def test_a_name_without_a_member_behind_it_stays_text(call: Caller, topic: dict[str, Any]) -> None:
    # Given a name claimed by an account that is gone (no profile) and one still signing up
    from forum import schema
    from forum.models import UsernameClaim

    UsernameClaim(
        schema.username_pk("ghost"),
        schema.USERNAME_SK,
        username="ghost",
        user_id="user-ghost",
        claimed_at="2026-01-01T00:00:00.000000Z",
    ).save()
    UsernameClaim(
        schema.username_pk("pending"),
        schema.USERNAME_SK,
        username="pending",
        claimed_at="2026-01-01T00:00:00.000000Z",
        claim_token="t",
    ).save()
    # When a post mentions both
    answer = call(
        "POST", f"/api/topics/{topic['id']}/posts", {"body": "@ghost and @pending"}, claims=BOB
    )
    # Then both stay text, and nobody is told
    assert 'href="/u/' not in answer.json["post"]["body_html"]
    notices.deliver([notices.new_post(topic["id"], int(answer.json["post"]["number"]))])
    assert listed(call, claims("user-ghost", "ghost")) == []


def test_a_blank_reason_is_422_and_removes_nothing(call: Caller, topic: dict[str, Any]) -> None:
    answer = call("DELETE", f"/api/topics/{topic['id']}?reason=", claims=MODERATOR)
    assert answer.status == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert call("GET", f"/api/topics/{topic['id']}").status == 200


def test_a_reason_with_a_line_break_is_422(call: Caller, topic: dict[str, Any]) -> None:
    for url in (f"/api/topics/{topic['id']}?reason=spam%0A", f"/api/topics/{topic['id']}"):
        if url.endswith("%0A"):
            answer = call("DELETE", url, claims=MODERATOR)
        else:
            answer = call("PATCH", url, {"locked": True, "reason": "spam\t"}, claims=MODERATOR)
        assert answer.status == 422, answer.text
    assert call("GET", f"/api/topics/{topic['id']}").json["topic"]["locked"] is False
