"""The DynamoDB requests botocore sends, as sent, seen through event hooks on the clients.

Each PynamoDB model may hold a connection (and a botocore client) of its own, made the first
time it is used, so a hook on one model's client sees only part of a request's work: these
register on every model's client at once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from forum.models import ForumItem


def _emitters() -> list[Any]:
    """The event emitters of the clients of ForumItem and all its kinds (each one once)."""
    models: list[type[ForumItem]] = [ForumItem]
    emitters: dict[int, Any] = {}
    while models:
        model = models.pop()
        models.extend(model.__subclasses__())
        client = model._get_connection().connection.client
        emitters.setdefault(id(client), client.meta.events)
    return list(emitters.values())


@contextmanager
def hooked(event: str, hook: Callable[..., Any]) -> Iterator[None]:
    """``hook`` registered for botocore's ``event`` on every model's client while inside."""
    emitters = _emitters()
    for events in emitters:
        events.register(event, hook)
    try:
        yield
    finally:
        for events in emitters:
            events.unregister(event, hook)


def body_of(params: dict[str, Any]) -> dict[str, Any]:
    """A before-call hook's request, as the JSON DynamoDB receives."""
    return dict(json.loads(params.get("body") or b"{}"))


class Requests:
    """The operation and parameters of every DynamoDB request sent, in order."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        self.sent.append((model.name, body_of(params)))

    @property
    def operations(self) -> list[str]:
        return [name for name, _ in self.sent]

    def of(self, operation: str) -> list[dict[str, Any]]:
        return [params for name, params in self.sent if name == operation]

    def clear(self) -> None:
        self.sent.clear()


@contextmanager
def recording() -> Iterator[Requests]:
    requests = Requests()
    with hooked("before-call.dynamodb", requests):
        yield requests
