"""The words of the mail Cognito sends for the forum: codes for a sign-up, a password reset and
a new email address, and an administrator's invitation.

Cognito's custom message trigger (functions/custommessage) hands each message here before
Cognito sends it: the forum's name (``site_name``), plain sentences through gettext, the
placeholder Cognito puts the code in (``codeParameter``, ``{####}``; an invitation also needs
``usernameParameter``, ``{username}``, or Cognito refuses the message) and, when the forum knows
its own address (``site_url``), a link to the page where the code is typed. Cognito sends the
body as HTML: paragraphs, every value escaped, each link written out as its address so that it
reads the same as text.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass

from .i18n import _
from .settings import get_settings

SIGN_UP = "CustomMessage_SignUp"
RESEND_CODE = "CustomMessage_ResendCode"
FORGOT_PASSWORD = "CustomMessage_ForgotPassword"
UPDATE_ATTRIBUTE = "CustomMessage_UpdateUserAttribute"
VERIFY_ATTRIBUTE = "CustomMessage_VerifyUserAttribute"
ADMIN_CREATE_USER = "CustomMessage_AdminCreateUser"
# Where each message's code is typed (nothing for a sign-up: /register asks for the code on
# the page where the member signed up, and keeps no state in its address).
PAGES = {
    FORGOT_PASSWORD: "/forgot-password",
    UPDATE_ATTRIBUTE: "/account",
    VERIFY_ATTRIBUTE: "/account",
    ADMIN_CREATE_USER: "/login",
}


@dataclass(frozen=True)
class Mail:
    subject: str
    html: str


@dataclass(frozen=True)
class Parts:
    """What a message is made of: escaped already, except the placeholders Cognito fills in."""

    forum: str
    username: str
    code: str
    username_parameter: str
    link: str


def _paragraphs(*lines: str) -> str:
    return "\n".join(f"<p>{line}</p>" for line in lines if line)


def _sign_up(parts: Parts) -> Mail:
    return Mail(
        _("Confirm your email address for {forum}").format(forum=parts.forum),
        _paragraphs(
            _("Welcome to {forum}, {username}.").format(forum=parts.forum, username=parts.username),
            _("Your confirmation code is {code}").format(code=parts.code),
            _("Enter it on the sign-up page to finish making your account."),
            _("If you did not sign up, ignore this mail: no account is made without the code."),
        ),
    )


def _forgot_password(parts: Parts) -> Mail:
    where = (
        _("Enter it with a new password at {link}").format(link=parts.link)
        if parts.link
        else _("Enter it with a new password on the page where you asked for it.")
    )
    return Mail(
        _("Reset your password for {forum}").format(forum=parts.forum),
        _paragraphs(
            _("Someone asked to reset the password of {username} on {forum}.").format(
                username=parts.username, forum=parts.forum
            ),
            _("Your code is {code}").format(code=parts.code),
            where,
            _("The code holds for an hour."),
            _("If you did not ask, ignore this mail: your password stays as it is."),
        ),
    )


def _new_address(parts: Parts) -> Mail:
    where = (
        _("Enter it on your account page: {link}").format(link=parts.link)
        if parts.link
        else _("Enter it on your account page.")
    )
    return Mail(
        _("Confirm your new email address for {forum}").format(forum=parts.forum),
        _paragraphs(
            _("{username}, your code for this email address is {code}").format(
                username=parts.username, code=parts.code
            ),
            where,
            _("Until then your old address stays the one you sign in with and receive mail at."),
        ),
    )


def _invitation(parts: Parts) -> Mail:
    where = (
        _("Sign in at {link} and choose a password of your own.").format(link=parts.link)
        if parts.link
        else _("Sign in and choose a password of your own.")
    )
    return Mail(
        _("Your account on {forum}").format(forum=parts.forum),
        _paragraphs(
            _("An administrator of {forum} made you an account.").format(forum=parts.forum),
            _("Your username is {username} and your temporary password is {code}").format(
                username=parts.username_parameter, code=parts.code
            ),
            where,
        ),
    )


_WRITERS: dict[str, Callable[[Parts], Mail]] = {
    SIGN_UP: _sign_up,
    RESEND_CODE: _sign_up,
    FORGOT_PASSWORD: _forgot_password,
    UPDATE_ATTRIBUTE: _new_address,
    VERIFY_ATTRIBUTE: _new_address,
    ADMIN_CREATE_USER: _invitation,
}


def compose(
    trigger_source: str, username: str, code_parameter: str, username_parameter: str | None = None
) -> Mail | None:
    """The forum's words for the message Cognito is about to send; None for one it does not
    write (an MFA code, say: Cognito's own words go out)."""
    writer = _WRITERS.get(trigger_source)
    if writer is None:
        return None
    settings = get_settings()
    page = PAGES.get(trigger_source)
    link = html.escape(settings.site_url + page) if settings.site_url and page else ""
    parts = Parts(
        forum=html.escape(settings.site_name),
        username=html.escape(username),
        # Cognito's placeholders go in as they came: it replaces them after the trigger.
        code=code_parameter,
        username_parameter=username_parameter or "",
        link=link,
    )
    return writer(parts)
