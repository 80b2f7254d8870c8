"""Profiles appear on a member's first write; their post and topic counts are exact; a ban
refuses every write at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ..conftest import MEMBER, MODERATOR, OTHER
from ..events import claims


def profile_item(table: Any, user_id: str) -> dict[str, Any] | None:
    item = table.get_item(Key={"pk": f"USER#{user_id}", "sk": "PROFILE"}, ConsistentRead=True)
    return item.get("Item")


def counts(table: Any, user_id: str) -> tuple[int, int]:
    item = profile_item(table, user_id)
    assert item is not None, f"{user_id} has no profile"
    return int(item["post_count"]), int(item["topic_count"])


def ban_in_table(table: Any, user_id: str, until: str, reason: str = "spam") -> None:
    table.update_item(
        Key={"pk": f"USER#{user_id}", "sk": "PROFILE"},
        UpdateExpression="SET banned_until = :until, ban_reason = :reason",
        ExpressionAttributeValues={":until": until, ":reason": reason},
    )


def all_items(table: Any) -> list[dict[str, Any]]:
    return sorted(table.scan()["Items"], key=lambda item: (item["pk"], item["sk"]))


def test_the_first_write_makes_the_profile_and_claims_the_username(call, table, board) -> None:
    # Given a member who never wrote anything
    assert profile_item(table, "user-member") is None
    # When they start a topic
    started = call(
        "POST", f"/api/boards/{board['id']}/topics", {"title": "Hi", "body": "x"}, claims=MEMBER
    )
    assert started.status == 201, started.text
    # Then their profile exists with the topic and its opening post counted
    profile = profile_item(table, "user-member")
    assert profile is not None
    assert profile["username"] == "member" and profile["display_name"] == "member"
    assert profile["role"] == "member"
    assert (int(profile["post_count"]), int(profile["topic_count"])) == (1, 1)
    # And the username is theirs
    claim = table.get_item(Key={"pk": "USERNAME#member", "sk": "USERNAME"})["Item"]
    assert claim["user_id"] == "user-member"


def test_post_counts_follow_replies_and_removals_exactly(call, table, topic) -> None:
    # Given a topic by MEMBER, with three replies by OTHER and one by MEMBER
    for _ in range(3):
        call("POST", f"/api/topics/{topic['id']}/posts", {"body": "r"}, claims=OTHER)
    call("POST", f"/api/topics/{topic['id']}/posts", {"body": "mine"}, claims=MEMBER)
    assert counts(table, "user-other") == (3, 0)
    assert counts(table, "user-member") == (2, 1)
    # When a moderator removes one of OTHER's replies, twice (the second changes nothing)
    for _ in range(2):
        removed = call("DELETE", f"/api/topics/{topic['id']}/posts/3", claims=MODERATOR)
        assert removed.status == 204
    # Then OTHER's count drops by one, and nobody else's
    assert counts(table, "user-other") == (2, 0)
    assert counts(table, "user-member") == (2, 1)
    assert profile_item(table, "user-moderator") is not None
    assert counts(table, "user-moderator") == (0, 0)


def test_removing_a_topic_takes_every_post_of_it_off_the_counts(call, table, topic) -> None:
    for _ in range(2):
        call("POST", f"/api/topics/{topic['id']}/posts", {"body": "r"}, claims=OTHER)
    call("DELETE", f"/api/topics/{topic['id']}/posts/2", claims=OTHER)
    assert counts(table, "user-other") == (1, 0)
    # When a moderator removes the topic
    assert call("DELETE", f"/api/topics/{topic['id']}/posts/1", claims=MODERATOR).status == 204
    # Then the starter loses the topic and its post, the replier their remaining reply
    assert counts(table, "user-member") == (0, 0)
    assert counts(table, "user-other") == (0, 0)
    # And every post of the topic is marked removed and out of its author's partition of the
    # members' index, in their removed posts' one (their export reads it)
    posts = [item for item in all_items(table) if item["sk"].startswith("POST#")]
    assert len(posts) == 3
    assert all(post["removed"] for post in posts)
    assert not any(post["gsi2pk"].startswith("USER#") for post in posts)
    assert all(post["gsi2pk"] == f"REMOVED#{post['author']['id']}" for post in posts)
    topic_item = table.get_item(Key={"pk": f"TOPIC#{topic['id']}", "sk": "TOPIC"})["Item"]
    assert "removing_posts" not in topic_item
    # And removing it again finds nothing
    assert call("DELETE", f"/api/topics/{topic['id']}/posts/1", claims=MODERATOR).status == 404


def test_a_banned_member_cannot_write_and_nothing_is_written(call, table, topic) -> None:
    # Given OTHER, who has written a reply, banned for ever
    call("POST", f"/api/topics/{topic['id']}/posts", {"body": "hello"}, claims=OTHER)
    ban_in_table(table, "user-other", "9999-12-31T23:59:59.999999Z", "posting spam")
    before = all_items(table)
    # When they reply, start a topic, edit or remove their post
    board_id = topic["board"]["id"]
    attempts = [
        call("POST", f"/api/topics/{topic['id']}/posts", {"body": "again"}, claims=OTHER),
        call("POST", f"/api/boards/{board_id}/topics", {"title": "T", "body": "b"}, claims=OTHER),
        call("PATCH", f"/api/topics/{topic['id']}/posts/2", {"body": "edit"}, claims=OTHER),
        call("DELETE", f"/api/topics/{topic['id']}/posts/2", claims=OTHER),
    ]
    # Then each is 403 with the reason, and the table is as it was
    for attempt in attempts:
        assert attempt.status == 403, attempt.text
        assert "posting spam" in attempt.json["detail"]
    assert all_items(table) == before


def test_a_ban_that_ran_out_no_longer_refuses(call, table, topic) -> None:
    call("POST", f"/api/topics/{topic['id']}/posts", {"body": "hello"}, claims=OTHER)
    ban_in_table(table, "user-other", "2001-01-01T00:00:00.000000Z")
    reply = call("POST", f"/api/topics/{topic['id']}/posts", {"body": "back"}, claims=OTHER)
    assert reply.status == 201
    assert counts(table, "user-other") == (2, 0)


def test_removing_a_long_topic_carries_on_when_asked_again(call, table, topic, monkeypatch) -> None:
    from forum import removal

    for _ in range(24):
        call("POST", f"/api/topics/{topic['id']}/posts", {"body": "r"}, claims=OTHER)
    assert counts(table, "user-other") == (24, 0)
    # Given a removal that has time for one batch of posts per request (each look at the
    # clock finds 5 seconds passed)
    monkeypatch.setattr(removal, "SWEEP_BATCH", 10)
    clock = iter(range(0, 10_000, 5))
    monkeypatch.setattr(removal, "_monotonic", lambda: float(next(clock)))
    monkeypatch.setattr(removal, "SWEEP_SECONDS", 7.0)
    # When a moderator removes the topic, it is gone for readers at once but not finished
    first = call("DELETE", f"/api/topics/{topic['id']}/posts/1", claims=MODERATOR)
    assert first.status == 202, first.text
    assert "again" in first.json["detail"]
    assert call("GET", f"/api/topics/{topic['id']}").status == 404
    assert 0 < counts(table, "user-other")[0] < 24
    # And repeating the request finishes it, with every count exact
    statuses: list[int] = []
    while not statuses or statuses[-1] == 202:
        statuses.append(
            call("DELETE", f"/api/topics/{topic['id']}/posts/1", claims=MODERATOR).status
        )
    assert statuses[-1] == 204
    assert counts(table, "user-other") == (0, 0)
    assert counts(table, "user-member") == (0, 0)
    assert call("DELETE", f"/api/topics/{topic['id']}/posts/1", claims=MODERATOR).status == 404


def test_one_members_simultaneous_first_writes_count_exactly(call, table, topic) -> None:
    # Given a member without a profile who sends ten replies at the same moment
    newcomer = claims("user-newcomer", "newcomer")

    def one(index: int):
        return call(
            "POST", f"/api/topics/{topic['id']}/posts", {"body": f"r{index}"}, claims=newcomer
        )

    with ThreadPoolExecutor(max_workers=10) as pool:
        replies = list(pool.map(one, range(10)))
    # Then every reply is written, and the one profile made counts all ten
    assert [reply.status for reply in replies] == [201] * 10, [r.text for r in replies]
    assert counts(table, "user-newcomer") == (10, 0)
    profiles = [item["user_id"] for item in all_items(table) if item["kind"] == "profile"]
    assert sorted(profiles) == ["user-admin", "user-member", "user-newcomer"]
