"""The body of every error: an RFC 9457 problem document."""

from __future__ import annotations

from .common import Schema


class FieldProblem(Schema):
    field: str
    message: str


class Problem(Schema):
    """An RFC 9457 problem document (application/problem+json)."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] | None = None


class GatewayMessage(Schema):
    """What API Gateway answers by itself (its JWT authorizer's 401): application/json."""

    message: str
