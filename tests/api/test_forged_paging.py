"""Forged cursors and page numbers are refused before any DynamoDB request is sent.

Python's ``\\d`` takes any script's digits and ``$`` takes a final line break; the cursors and
page numbers are checked in ASCII and whole (forum.cursors, forum.paging), so what was not made
here is a 400 (cursors, and page numbers not written in digits), and a page number past the
largest page is no page (404), found out before any request too."""

from __future__ import annotations

from typing import Any

import pytest

from forum import cursors, paging

from ..conftest import OTHER, Caller
from .conftest import Faults

WHEN = "2026-11-28T09:05:00.123456Z"
ARABIC_INDIC = str.maketrans("0123456789", "".join(map(chr, range(0x660, 0x66A))))


def forged_order_keys(topic_id: str) -> list[str]:
    key = f"0#{WHEN}#{topic_id}"
    return [
        cursors.encode(key.translate(ARABIC_INDIC)),
        cursors.encode(key + "\n"),
        cursors.encode(key) + "%0A",
    ]


def test_forged_board_cursors_are_400_and_read_nothing(
    call: Caller, board: dict[str, Any], topic: dict[str, Any], faults: Faults
) -> None:
    # Given a cursor of the board's form, which pages as any other
    good = cursors.encode(f"0#{WHEN}#{topic['id']}")
    assert call("GET", f"/api/boards/{board['id']}?cursor={good}").status == 200
    # When it is forged with other digits or a final line break
    for forged in forged_order_keys(topic["id"]):
        faults.calls.clear()
        reply = call("GET", f"/api/boards/{board['id']}?cursor={forged}")
        # Then it is a problem, and the board's topics were not queried
        assert reply.status == 400, (forged, reply.text)
        assert reply.headers["content-type"] == "application/problem+json"
        assert "cursor" in reply.json["detail"]
        assert "Query" not in faults.calls, forged


def test_forged_member_cursors_are_400_and_read_nothing(
    call: Caller, topic: dict[str, Any], faults: Faults
) -> None:
    assert (
        call("POST", f"/api/topics/{topic['id']}/posts", {"body": "hi"}, claims=OTHER).status == 201
    )
    key = f"{WHEN}#{topic['id']}#0000000002"
    assert call("GET", f"/api/users/other?cursor={cursors.encode(key)}").status == 200
    for forged in (
        cursors.encode(key.translate(ARABIC_INDIC)),
        cursors.encode(key[:-1] + "\u0662"),
        cursors.encode(key + "\n"),
        cursors.encode(key) + "%0A",
    ):
        faults.calls.clear()
        reply = call("GET", f"/api/users/other?cursor={forged}")
        assert reply.status == 400, (forged, reply.text)
        assert reply.headers["content-type"] == "application/problem+json"
        assert "Query" not in faults.calls, forged


@pytest.mark.parametrize(
    "bad", ["1%0A", "%0A1", "%201", "%2B1", "1_0", "01", "%D9%A1", "%EF%BC%91"]
)
def test_a_page_number_is_ascii_digits_only(
    call: Caller, topic: dict[str, Any], faults: Faults, bad: str
) -> None:
    reply = call("GET", f"/api/topics/{topic['id']}?page={bad}")
    assert reply.status == 400, (bad, reply.text)
    assert reply.headers["content-type"] == "application/problem+json"
    assert "digits" in reply.json["detail"]
    assert "Query" not in faults.calls


def test_the_largest_page_is_the_last_that_fits_a_post_key(
    call: Caller, topic: dict[str, Any], faults: Faults
) -> None:
    largest = paging.largest_page()
    # The largest page is a page (of no topic this size: 404), whose keys are ten digits
    sent: list[dict[str, Any]] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        sent.append(params)

    faults.events.register("provide-client-params.dynamodb.Query", record)
    try:
        assert call("GET", f"/api/topics/{topic['id']}?page={largest}").status == 404
    finally:
        faults.events.unregister("provide-client-params.dynamodb.Query", record)
    keys = [value["S"] for value in sent[0]["ExpressionAttributeValues"].values()]
    assert all(len(key) == len("POST#") + 10 for key in keys if key.startswith("POST#")), keys
    # One more, or the API's old bound, is no page: 404 before anything is read
    for beyond in (largest + 1, 10**9):
        faults.calls.clear()
        reply = call("GET", f"/api/topics/{topic['id']}?page={beyond}")
        assert reply.status == 404, reply.text
        assert faults.calls == {}
    # Past the largest page at one post a page, the number is out of the schema's range
    reply = call("GET", f"/api/topics/{topic['id']}?page={paging.LARGEST_POST_NUMBER + 1}")
    assert reply.status == 422, reply.text


def test_a_reply_says_which_page_it_is_on(call: Caller, topic: dict[str, Any]) -> None:
    answers = [
        call("POST", f"/api/topics/{topic['id']}/posts", {"body": f"r{n}"}, claims=OTHER).json
        for n in range(20)
    ]
    assert [answer["page"] for answer in answers[:19]] == [1] * 19
    assert answers[19]["post"]["number"] == 21
    assert answers[19]["page"] == 2 and answers[19]["page_count"] == 2
