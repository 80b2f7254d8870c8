"""The member's notifications (/notifications) and what they watch (/watched).

Both pages are the same for everyone and name nobody: their scripts (notifications.js,
watched.js) fill them in from the member's own API calls (``GET /api/me/notifications``,
``GET /api/me/watched``, both ``private, no-store``). Never stored, by CloudFront or the
browser, as the account page: what the script shows there is personal.
"""

from __future__ import annotations

from forum.i18n import _

from .common import NO_STORE, SITE_NAME, Head, Page

NOTIFICATIONS_PATH = "/notifications"
WATCHED_PATH = "/watched"


def notifications() -> Page:
    return Page(
        "notifications.html",
        Head(
            title=_("Notifications"),
            description=_("Replies, mentions and quotes for you on %(site)s.")
            % {"site": SITE_NAME},
            path=NOTIFICATIONS_PATH,
            indexable=False,
        ),
        {"login_url": f"/login?next={NOTIFICATIONS_PATH}", "watched_url": WATCHED_PATH},
        cache=NO_STORE,
        data={"page": "notifications"},
    )


def watched() -> Page:
    return Page(
        "watched.html",
        Head(
            title=_("Watched"),
            description=_("The topics and boards you watch on %(site)s.") % {"site": SITE_NAME},
            path=WATCHED_PATH,
            indexable=False,
        ),
        {"login_url": f"/login?next={WATCHED_PATH}", "notifications_url": NOTIFICATIONS_PATH},
        cache=NO_STORE,
        data={"page": "watched"},
    )
