"""Domain errors. Each carries the HTTP status it maps to; the API maps them in one place."""

from __future__ import annotations

from .i18n import _


class ForumError(Exception):
    """Something the caller asked for that the forum refuses, with a reason a person understands."""

    status = 400
    title = "Bad request"
    slug = "bad-request"
    # Seconds after which a retry may succeed (sent as Retry-After), for errors of ours.
    retry_after: int | None = None

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class BadRequest(ForumError):
    pass


class Unauthorized(ForumError):
    status = 401
    title = "Sign-in required"
    slug = "unauthorized"


class Forbidden(ForumError):
    status = 403
    title = "Forbidden"
    slug = "forbidden"


class NotFound(ForumError):
    status = 404
    title = "Not found"
    slug = "not-found"


class Conflict(ForumError):
    status = 409
    title = "Conflict"
    slug = "conflict"


class Gone(ForumError):
    status = 410
    title = "Gone"
    slug = "gone"


class PayloadTooLarge(ForumError):
    status = 413
    title = "Payload too large"
    slug = "payload-too-large"


class Invalid(ForumError):
    """Well-formed input that breaks a rule of the forum (a blank title, a body too long)."""

    status = 422
    title = "Invalid input"
    slug = "invalid"

    def __init__(self, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.field = field


class Locked(ForumError):
    status = 423
    title = "Topic locked"
    slug = "locked"


class Busy(ForumError):
    """Our side could not finish in time (contention, throttling); the caller may retry."""

    status = 503
    title = "Busy"
    slug = "busy"
    retry_after = 1

    def __init__(self, detail: str | None = None) -> None:
        # Most writes have nothing more to say than this, written once here.
        super().__init__(_("The forum is busy; please try again.") if detail is None else detail)


class TooManyRequests(ForumError):
    """The caller writes faster than the forum allows; Retry-After says when they may again."""

    status = 429
    title = "Too many requests"
    slug = "too-many-requests"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = max(1, retry_after)
