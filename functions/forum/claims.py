"""Finding the claim on a username (``USERNAME#{skeleton}``, see forum.schema).

A claim is keyed by the name's skeleton (forum.usernames), so it is also what a look-alike of
the name would claim; a lookup by name finds the claim only for that name itself, in any case,
never a member whose name merely looks like it. Claims made before skeletons lie under the
lower-case name: a name whose skeleton differs is looked for there too (one more GetItem, only
when the first finds no claim of that name). Such an old claim is not seen by a new claim of a
look-alike name (which takes the skeleton's key), so it stops no look-alike until
``rekey_old_claims`` has moved it (``python -m forum.claims``; the local runtime does it at
start); Cognito still refuses the same name in another case.
"""

from __future__ import annotations

from pynamodb.exceptions import PutError

from . import schema, usernames
from .i18n import _
from .models import ForumItem, UsernameClaim


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


def rekey_old_claims() -> list[str]:
    """Move every claim still under its lower-case key to its skeleton's key; run once.

    Until an old claim is moved, a look-alike of its name can still be claimed (the new claim
    takes the skeleton's key). Each claim is copied on the condition that the skeleton's key is
    free, then the old item is deleted; a claim already moved is only deleted. Returns the
    names that could not move because a look-alike holds the key already (two members who
    signed up before the rule): they stay as they are, for a person to settle. Safe to run
    again. One Scan of the table: a one-off, never a request's work.
    """
    clashes: list[str] = []
    found = ForumItem.scan(ForumItem.pk.startswith(schema.USERNAME_PK_PREFIX))
    for item in found:
        if not isinstance(item, UsernameClaim) or item.pk == schema.username_pk(item.username):
            continue
        moved = UsernameClaim(
            schema.username_pk(item.username),
            schema.USERNAME_SK,
            username=item.username,
            user_id=item.user_id,
            claimed_at=item.claimed_at,
            claim_token=item.claim_token,
            expires_at=item.expires_at,
        )
        try:
            moved.save(condition=UsernameClaim.pk.does_not_exist())
        except PutError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
            holder = UsernameClaim.get(moved.pk, schema.USERNAME_SK, consistent_read=True)
            if not usernames.same_name(holder.username, item.username):
                clashes.append(item.username)
                continue
        item.delete()
    return clashes


if __name__ == "__main__":  # python -m forum.claims, with FORUM_TABLE (and AWS credentials)
    left = rekey_old_claims()
    print(_("Username claims are keyed by skeleton."))
    if left:
        print(_("Look-alike names left as they were: {names}").format(names=", ".join(left)))
