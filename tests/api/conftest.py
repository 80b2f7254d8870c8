from __future__ import annotations

from typing import Any

import pytest

from ..conftest import ADMIN, MEMBER, Caller


@pytest.fixture
def board(call: Caller) -> dict[str, Any]:
    reply = call("POST", "/api/boards", {"name": "General", "description": "Talk"}, claims=ADMIN)
    assert reply.status == 201, reply.text
    return reply.json


@pytest.fixture
def topic(call: Caller, board: dict[str, Any]) -> dict[str, Any]:
    reply = call(
        "POST",
        f"/api/boards/{board['id']}/topics",
        {"title": "Hello", "body": "First *post*"},
        claims=MEMBER,
    )
    assert reply.status == 201, reply.text
    return reply.json["topic"]
