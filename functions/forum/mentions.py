"""``@username`` mentions: which names of a post are members, looked up when it is written.

A post's ``@names`` are found in its text (forum.markup: not in code, not inside links), at most
``LIMIT`` of them, and looked up in one BatchGetItem of their username claims (by skeleton, as
claims are kept), then one of the holders' profiles: a name nobody holds, a sign-up still
pending, a member who never came back to make a profile or is banned stays text. The others
are rendered as links to ``/u/{name}``, and the notifier tells those members (reading the
links back from the stored HTML: ``linked_names``), so what is linked is what is notified.
A post with no ``@`` costs nothing more; 500 mentions in one post cost the same as 20.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from . import clock, schema, usernames
from .markup import mentioned_names
from .models import ForumItem, Profile, UsernameClaim
from .profiles import is_banned

# Names looked up (and so linked and notified) per post; more stay text.
LIMIT = 20
# A mention as forum.markup renders it (nh3 adds rel after href).
_LINKED = re.compile(r'<a href="/u/([A-Za-z0-9_-]{3,20})"[^>]*>@([A-Za-z0-9_-]{3,20})</a>')


def _candidates(names: Iterable[str]) -> dict[str, str]:
    """skeleton → the name as written, the first LIMIT distinct ones that may be usernames."""
    found: dict[str, str] = {}
    for name in names:
        if usernames.problem(name) is not None:
            continue
        found.setdefault(usernames.skeleton(name), name)
        if len(found) == LIMIT:
            break
    return found


def holders(names: Iterable[str]) -> dict[str, tuple[str, str]]:
    """skeleton → (user id, username) of the names that belong to members who may be
    mentioned: claimed, with a profile, not banned. Two BatchGetItems at most; none without
    names."""
    wanted = _candidates(names)
    if not wanted:
        return {}
    keys = [(schema.username_pk(name), schema.USERNAME_SK) for name in wanted.values()]
    claims = {
        usernames.skeleton(claim.username): claim
        for claim in UsernameClaim.batch_get(keys)
        if claim.user_id
    }
    if not claims:
        return {}
    profile_keys = [(schema.user_pk(str(c.user_id)), schema.PROFILE_SK) for c in claims.values()]
    now = clock.now_iso()
    allowed = {
        item.user_id
        for item in ForumItem.batch_get(profile_keys)
        if isinstance(item, Profile) and not is_banned(item, now)
    }
    return {
        key: (str(claim.user_id), claim.username)
        for key, claim in claims.items()
        if claim.user_id in allowed
    }


def resolve(source: str) -> dict[str, str]:
    """What forum.markup.render needs to link a post's mentions: skeleton → username."""
    if "@" not in source:
        return {}
    return {key: name for key, (_user_id, name) in holders(mentioned_names(source)).items()}


def linked_names(html: str) -> list[str]:
    """The usernames a stored post's HTML links as mentions, in order, at most LIMIT."""
    names: dict[str, str] = {}
    for match in _LINKED.finditer(html):
        names.setdefault(usernames.skeleton(match.group(1)), match.group(1))
    return list(names.values())[:LIMIT]
