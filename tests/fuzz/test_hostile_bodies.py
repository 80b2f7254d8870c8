"""Bodies no generator makes, sent to every operation that reads one, on the local runtime.

JSON that Python's parser cannot take (a number past the int-digit limit, arrays nested past the
recursion limit) or that nests deeper than any request: each is 400 malformed JSON as
problem+json, signed in or not, whatever the operation (api.bodies).
"""

from __future__ import annotations

from typing import Any

import pytest

from local.client import ForumClient

from ..local.conftest import PASSWORD

CORPUS = {
    "5,000 digits": '{"body": ' + "9" * 5000 + "}",
    "50,000 deep": '{"body": ' + "[" * 50_000 + "]" * 50_000 + "}",
    "900 deep": '{"body": ' + "[" * 900 + "]" * 900 + "}",
    "objects 100 deep": '{"body": ' + '{"a": ' * 100 + "1" + "}" * 100 + "}",
}


def _with_a_body(document: dict[str, Any]) -> list[tuple[str, str]]:
    """Each operation with a request body, its path's parameters filled in."""
    found = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if "requestBody" in operation:
                filled = path.replace("{number}", "1")
                for name in ("board_id", "topic_id", "username"):
                    filled = filled.replace("{" + name + "}", "x" * 12)
                found.append((method.upper(), filled))
    return found


@pytest.mark.parametrize("signed_in", [False, True], ids=["signed-out", "signed-in"])
def test_every_body_route_answers_400_to_json_it_cannot_read(runtime: Any, signed_in: bool) -> None:
    client = ForumClient(runtime.url)
    token = client.sign_in("admin", PASSWORD)["AccessToken"] if signed_in else None
    operations = _with_a_body(client.request("GET", "/api/openapi.json").json)
    assert len(operations) >= 10
    for name, raw in CORPUS.items():
        for method, path in operations:
            answer = client.request(method, path, data=raw.encode(), token=token)
            if answer.status == 401 and not signed_in:
                continue  # the authorizer answers first, as API Gateway's does
            assert answer.status == 400, (name, method, path, answer.text[:300])
            assert answer.headers["Content-Type"] == "application/problem+json"
