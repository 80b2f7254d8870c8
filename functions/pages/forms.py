"""The pages of forms the scripts fill in: signing in, registering, a forgotten password,
starting a topic, and the member's own account settings."""

from __future__ import annotations

from forum import boards
from forum.i18n import _

from .common import FORM_CACHE, NO_STORE, SITE_NAME, Head, Page, board_row, require_id
from .urls import login_url, new_topic_url


def safe_next(raw: str | None) -> str:
    """Where to go after signing in: a path of this site, never another site."""
    # Browsers drop tabs and line breaks from an address and read "\" as "/", so "/\t/host"
    # and "/\\host" mean "//host", another site. Control characters have no place in a path.
    if (
        not raw
        or not raw.startswith("/")
        or raw.startswith("//")
        or "\\" in raw
        or any(ord(char) < 0x20 or ord(char) == 0x7F for char in raw)
    ):
        return "/"
    return raw[:500]


def login(next_path: str | None) -> Page:
    return Page(
        "login.html",
        Head(
            title="Sign in",
            description=f"Sign in to {SITE_NAME} to write.",
            path="/login",
            indexable=False,
        ),
        {"register_url": "/register", "forgot_url": FORGOT_PASSWORD_PATH},
        cache=FORM_CACHE,
        data={"page": "login", "next": safe_next(next_path)},
    )


def register() -> Page:
    return Page(
        "register.html",
        Head(
            title="Register",
            description=f"Become a member of {SITE_NAME}.",
            path="/register",
            indexable=False,
        ),
        {"login_url": "/login"},
        cache=FORM_CACHE,
        data={"page": "register"},
    )


# --- a forgotten password ---------------------------------------------------------------------

FORGOT_PASSWORD_PATH = "/forgot-password"


def forgot_password() -> Page:
    """Asking Cognito for a reset code, then setting a new password with it (forgot-password.js)."""
    return Page(
        "forgot_password.html",
        Head(
            title=_("Reset your password"),
            description=_("Set a new password for your account on %(site)s.") % {"site": SITE_NAME},
            path=FORGOT_PASSWORD_PATH,
            indexable=False,
        ),
        {"login_url": "/login"},
        cache=FORM_CACHE,
        data={"page": "forgot-password"},
    )


# --- starting a topic --------------------------------------------------------------------------


def new_topic(board_id: str | None) -> Page:
    if board_id is None or board_id == "":
        rows = [board_row(board) for board in boards.list_boards()]
        return Page(
            "choose_board.html",
            Head(
                title="Start a topic",
                description="Choose the board for a new topic.",
                path="/new-topic",
                indexable=False,
            ),
            {"boards": rows},
            data={"page": "choose-board"},
        )
    require_id(board_id, "board")
    found = boards.get_board(board_id)
    path = new_topic_url(board_id)
    return Page(
        "new_topic.html",
        Head(
            title=f"New topic in {found.name}",
            description=f"Start a topic in {found.name}.",
            path=path,
            indexable=False,
        ),
        {"board": board_row(found), "login_url": login_url(path)},
        data={"page": "new-topic", "board-id": board_id},
    )


# --- the account settings page -----------------------------------------------------------------


def account() -> Page:
    """/account: the signed-in member's settings (password, email, sign-out everywhere, profile,
    their data). The page is the same for everyone and names nobody; its script (account-page.js)
    fills it in from the member's own session. Never stored, by CloudFront or the browser: it is
    where a member's address and profile are shown once the script has run.
    """
    return Page(
        "account.html",
        Head(
            title=_("Account settings"),
            description=_("Your password, email address, profile and data on %(site)s.")
            % {"site": SITE_NAME},
            path="/account",
            indexable=False,
        ),
        {"login_url": "/login?next=/account"},
        cache=NO_STORE,
        data={"page": "account"},
    )
