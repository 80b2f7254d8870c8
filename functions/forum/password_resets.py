"""Asking for a password reset: counted per IP address and per name, then Cognito mails a code.

``POST /api/password-resets`` is step 1 of a reset (web/js/forgot-password.js); step 2, the
code and the new password (ConfirmForgotPassword), goes from the browser to Cognito. The
answer is the same for every name, whether an account has it or not: the limits
(forum.reset_limits) count names, not accounts, and whatever Cognito says of the name (the
custom message trigger's refusal beyond an account's limit, its own throttling of one user, an
account without a verified address) is not passed on. Only what concerns every name alike is
told: a limit reached (429), Cognito unreachable or busy (503).
"""

from __future__ import annotations

import re

from . import clock, cognito, reset_limits
from .errors import Busy, Invalid
from .i18n import _

NAME_MAX = 254
# What no username or address holds: white space and control characters (as the sign-up's
# EMAIL_PATTERN leaves out).
NAME_PATTERN = r"^[^\s\x00-\x20\x7f-\x9f]+$"
_NOT_IN_NAME = re.compile(r"[\s\x00-\x20\x7f-\x9f]")
# Cognito's answers that say nothing about one name: it is unreachable, busy or not the pool
# the function was given (a wrong app client), for everyone alike.
_BUSY = frozenset(
    {
        "Unreachable",
        "TooManyRequestsException",
        "InternalErrorException",
        "ResourceNotFoundException",
    }
)


def clean_name(name: str) -> str:
    """A username or an email address as the browser sends it (trimmed): neither holds a
    space or a control character, and the API's schema says the same (NAME_PATTERN)."""
    if not name.strip():
        raise Invalid(_("Enter your username or email address."), "name")
    if len(name) > NAME_MAX or _NOT_IN_NAME.search(name):
        raise Invalid(_("That is neither a username nor an email address."), "name")
    return name


def ask(name: str, network: str) -> str | None:
    """Count the request, then have Cognito mail the account of ``name`` a code, if there is one.

    Returns the code of Cognito's refusal that was kept from the caller (for the log), if any."""
    name = clean_name(name)
    reset_limits.count_request(name, network, clock.now())
    try:
        cognito.forgot_password(name)
    except cognito.CognitoRefused as refusal:
        if refusal.code in _BUSY:
            raise Busy(
                _("Resetting a password is not possible right now; please try again in a moment.")
            ) from refusal
        return refusal.code
    return None
