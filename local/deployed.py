"""What the local runtime knows of the stack once local/stack.py has made its resources: the
functions with their handlers and environment, the HTTP API's routes and JWT authorizer, the
queues' and the table stream's triggers, the names and ARNs made, CloudFront's response
headers, and how the static files are deployed to the web bucket."""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any


@dataclass(frozen=True)
class Function:
    logical_id: str
    name: str
    handler: str
    environment: dict[str, str]
    timeout: int
    memory: int


@dataclass(frozen=True)
class HttpRoute:
    route_key: str
    function: str
    jwt: bool

    @property
    def method(self) -> str:
        return "ANY" if self.route_key == "$default" else self.route_key.split(" ", 1)[0]

    @property
    def path(self) -> str:
        return "" if self.route_key == "$default" else self.route_key.split(" ", 1)[1]


@dataclass(frozen=True)
class JwtConfig:
    issuer: str
    audiences: tuple[str, ...]


@dataclass(frozen=True)
class QueueTrigger:
    queue_url: str
    function: str
    batch_size: int
    report_failures: bool


@dataclass(frozen=True)
class StaticDeployment:
    """One BucketDeployment under the web bucket's static/: the Cache-Control it gives the files
    it syncs, and the filters by which it syncs them."""

    cache_control: str
    exclude: tuple[str, ...] = ()
    include: tuple[str, ...] = ()

    def syncs(self, name: str) -> bool:
        """Whether ``aws s3 sync`` with these filters copies the file ``name`` (relative to
        static/): every file but what a filter says, the last matching filter deciding; CDK
        passes the excludes, then the includes."""
        synced = True
        for pattern in self.exclude:
            synced = synced and not fnmatchcase(name, pattern)
        for pattern in self.include:
            synced = synced or fnmatchcase(name, pattern)
        return synced


@dataclass(frozen=True)
class StreamTrigger:
    """A table stream's event source mapping (local/streams.py reads the stream for it)."""

    stream_arn: str
    function: str
    batch_size: int
    report_failures: bool
    # Lambda's filter patterns, any of which lets a record through; none: every record.
    filters: tuple[dict[str, Any], ...] = ()
    # -1: until the record expires, as Lambda's default.
    retry_attempts: int = -1
    bisect: bool = False
    on_failure_queue_url: str | None = None


@dataclass
class LocalStack:
    """What the runtime needs to know about the stack once its resources exist."""

    names: dict[str, str] = field(default_factory=dict)  # logical id → Ref value
    arns: dict[str, str] = field(default_factory=dict)  # logical id → Arn
    functions: dict[str, Function] = field(default_factory=dict)
    routes: list[HttpRoute] = field(default_factory=list)
    jwt: JwtConfig | None = None
    triggers: list[QueueTrigger] = field(default_factory=list)
    stream_triggers: list[StreamTrigger] = field(default_factory=list)
    # Event source mappings the runtime does not emulate: logical id → why.
    skipped: dict[str, str] = field(default_factory=dict)
    stream_arns: dict[str, str] = field(default_factory=dict)  # table logical id → stream ARN
    queue_urls: dict[str, str] = field(default_factory=dict)  # logical id → URL
    outputs: dict[str, str] = field(default_factory=dict)
    # CloudFront's response headers by path pattern, in the order CloudFront checks them;
    # the default behavior's pattern is "*" and comes last.
    response_headers: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    # The deployments of the files under /static, in the template's order.
    static_deployments: list[StaticDeployment] = field(default_factory=list)
