"""What local/stack.py's creators share while they make the stack (local/stack_cdn.py's too)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .deployed import LocalStack
from .template import Resolver, Resource


class Deployment:
    """What the creators share while they make the stack: the clients, what is made so far
    (the stack the runtime gets), and what one creator leaves for another."""

    def __init__(self, clients: Callable[[str], Any], local_origin: str) -> None:
        self.stack = LocalStack()
        self.resolve = Resolver(self.stack)
        self.local_origin = local_origin
        self._clients = clients
        self._made_clients: dict[str, Any] = {}
        # An HTTP API integration's logical id → the function it invokes.
        self.integrations: dict[str, str | None] = {}
        # A CloudFront response headers policy's logical id → the headers it adds.
        self.header_policies: dict[str, dict[str, str]] = {}

    def client(self, service: str) -> Any:
        if service not in self._made_clients:
            self._made_clients[service] = self._clients(service)
        return self._made_clients[service]

    def made(self, logical_id: str, name: str, arn: str | None = None) -> None:
        self.stack.names[logical_id] = name
        if arn is not None:
            self.stack.arns[logical_id] = arn


Creator = Callable[[Deployment, str, Resource], None]
