"""Finding the claim on a username (``USERNAME#{skeleton}``, see forum.schema).

A claim is keyed by the name's skeleton (forum.usernames), so it is also what a look-alike of
the name would claim; a lookup by name finds the claim only for that name itself, in any case,
never a member whose name merely looks like it. Claims made before skeletons lie under the
lower-case name: a name whose skeleton differs is looked for there too (one more GetItem, only
when the first finds no claim of that name). Such an old claim is not seen by a new claim of a
look-alike name (which takes the skeleton's key), so it stops no look-alike; Cognito still
refuses the same name in another case.
"""

from __future__ import annotations

from . import schema, usernames
from .models import UsernameClaim


def find(username: str) -> UsernameClaim | None:
    """The claim on ``username`` (pending or bound), or None."""
    keys = dict.fromkeys((schema.username_pk(username), schema.legacy_username_pk(username)))
    for key in keys:
        try:
            claim = UsernameClaim.get(key, schema.USERNAME_SK)
        except UsernameClaim.DoesNotExist:
            continue
        # Under the skeleton may be a look-alike's claim, made while this name's lay elsewhere.
        if usernames.same_name(claim.username, username):
            return claim
    return None
