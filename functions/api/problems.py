"""Every error the API answers, as application/problem+json (RFC 9457)."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import Response

from forum.errors import ForumError, Invalid
from forum.i18n import _

from .bodies import REASONS

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://forum.invalid/problems/"


def problem(
    status: int,
    title: str,
    detail: str,
    slug: str,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[Any]:
    body: dict[str, Any] = {
        "type": TYPE_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    return Response(
        status_code=status,
        content_type=PROBLEM_JSON,
        body=json.dumps(body),
        headers=headers or {},
    )


def from_forum_error(error: ForumError) -> Response[Any]:
    errors = None
    if isinstance(error, Invalid) and error.field:
        errors = [{"field": error.field, "message": error.detail}]
    headers = {"Retry-After": str(error.retry_after)} if error.retry_after else None
    return problem(error.status, error.title, error.detail, error.slug, errors, headers)


def _field_name(location: Any) -> str:
    parts = [str(part) for part in (location or ())]
    # Powertools prefixes the place ("body", "query", "path"); keep it, it tells where to look.
    return ".".join(parts) or "request"


def from_validation_errors(errors: Any) -> Response[Any]:
    """Turn the validator's errors into one problem: 400 for unreadable JSON, else 422."""
    items = list(errors or [])
    unreadable = [item for item in items if item.get("type") == "json_invalid"]
    if unreadable:
        reason = (unreadable[0].get("ctx") or {}).get("error")
        detail = "The request body is not valid JSON."
        if reason in REASONS:
            detail = _("The request body is not valid JSON: {reason}.").format(reason=_(reason))
        return problem(400, "Malformed JSON", detail, "malformed-json")
    fields = [
        {"field": _field_name(item.get("loc")), "message": str(item.get("msg", "is not valid"))}
        for item in items
    ]
    summary = "; ".join(f"{entry['field']}: {entry['message']}" for entry in fields[:5])
    return problem(422, "Invalid input", summary or "The request is not valid.", "invalid", fields)
