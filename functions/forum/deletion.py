"""Deleting an account: one's own (after signing in again) or another's (moderators, with a
reason), as a sequence of idempotent steps whose progress the profile keeps.

1. Begin: one transaction marks the profile deleted (``deleted_at``, who, why, the posts'
   choice), clears what it shows (display name, about, avatar) and releases the avatar for good
   (its images go with it). From then on every write of the member's is refused, whatever
   tokens they still hold: the write transactions' condition on the profile says so
   (``profiles.not_banned``). Their counts stay, so boards stay exact.
2. ``account``: Cognito's AdminDeleteUser (a user already gone counts as done).
3. ``posts``: their posts, oldest first, a page at a time: removed by forum.removal's rules
   when they chose so (post 1 removes its topic), and in any case the copies of their name on
   each post and on its topic (starter, last post) made ``schema.DELETED_MEMBER``
   (forum.deleted).
4. ``removed posts``: the same copies on the posts removed earlier.
5. ``boards``: the boards' last posts.
6. ``name``: the username's claim expires after ``forum:usernameGraceDays`` (until then nobody
   may take the name or a look-alike), and the profile forgets the name: ``done``.

A request works for ``WORK_SECONDS`` (one page at least), stores where it got to after every
page, and says whether it finished; the same request again (or a moderator's) carries on from
there. Uploads the member never attached are not looked for (no index finds them by owner):
they expire within two days, and the member can no longer attach them.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pynamodb.exceptions import UpdateError

from . import attachments, claims, clock, cognito, deleted, removal, schema, usernames
from .content import clean_line
from .cursors import user_post_of
from .errors import Busy, Conflict, Forbidden, Invalid, NotFound
from .i18n import _
from .identity import ADMINS, MODERATORS, Member, role_of
from .models import ForumItem, Post, Profile, UsernameClaim, person
from .profiles import create_profile, get_profile, holder_of, is_deleted, require_writer
from .retries import Retries
from .settings import get_settings
from .transactions import Cancelled, transaction

KEEP = "keep"
REMOVE = "remove"
CHOICES = (KEEP, REMOVE)
REASON_MAX = 500
# How recently the member must have typed their password to delete their own account.
FRESH_SIGN_IN_SECONDS = 5 * 60
# How long one request works on a deletion (the function's timeout is 10 s), and the posts read
# per page.
WORK_SECONDS = 6.0
PAGE = 25
_monotonic = time.monotonic

ACCOUNT, POSTS, REMOVED_POSTS, BOARDS, NAME, DONE = (
    "account",
    "posts",
    "removed posts",
    "boards",
    "name",
    "done",
)
DELETED = schema.DELETED_MEMBER


@dataclass(frozen=True)
class Progress:
    finished: bool
    stage: str
    posts: str
    posts_done: int


def _progress(profile: Profile) -> Progress:
    stage = str(profile.deletion_stage)
    return Progress(
        finished=stage == DONE,
        stage=stage,
        posts=str(profile.deletion_posts or KEEP),
        posts_done=int(profile.deletion_posts_done or 0),
    )


def _choice(posts: str) -> str:
    if posts not in CHOICES:
        raise Invalid(_('Say "keep" or "remove" for your posts.'), "posts")
    return posts


# --- who may delete whom ----------------------------------------------------------------------


def delete_own_account(member: Member, posts: str) -> Progress:
    """Delete the member's own account; the token must come from a sign-in with the password
    in the last few minutes (its ``auth_time``: Cognito keeps it through refreshes), so a
    token left in a browser is not enough. A deletion under way is carried on."""
    choice = _choice(posts)
    profile = get_profile(member.user_id, consistent=True)
    if profile is None or not is_deleted(profile):
        signed_in = member.authenticated_at
        if signed_in is None or clock.epoch_seconds() - signed_in > FRESH_SIGN_IN_SECONDS:
            raise Forbidden(_("Enter your password again to delete your account."))
        groups = _groups(member.name)
        _refuse_last_admin(member.name, groups)
        if profile is None:
            profile = create_profile(member.user_id, member.name, role_of(groups))
        profile = _begin(profile, person(member.user_id, DELETED), None, choice)
    return _carry_on(profile)


def delete_account(member: Member, username: str, reason: str, posts: str) -> Progress:
    """A moderator deletes a member's account (an admin's or a moderator's only by an admin;
    never the last admin's), with a reason kept on the profile. A deletion under way is
    carried on, whoever began it."""
    if not member.is_moderator:
        raise Forbidden(_("Only moderators and admins can delete another member's account."))
    reason = clean_line(reason, "reason", REASON_MAX)
    choice = _choice(posts)
    require_writer(member)
    claim = holder_of(username)
    user_id = str(claim.user_id)
    profile = get_profile(user_id, consistent=True)
    if profile is None or not is_deleted(profile):
        groups = _groups(claim.username)
        if groups & {ADMINS, MODERATORS} and not member.is_admin:
            raise Forbidden(_("Only admins can delete the account of a moderator or an admin."))
        _refuse_last_admin(claim.username, groups)
        if profile is None:
            profile = create_profile(user_id, claim.username, role_of(groups))
        profile = _begin(profile, person(member.user_id, member.name), reason, choice)
    return _carry_on(profile)


def _groups(username: str) -> frozenset[str]:
    try:
        return cognito.groups_of(username)
    except cognito.CognitoRefused as refusal:
        if refusal.code == "UserNotFoundException":
            return frozenset()  # gone from Cognito already: the deletion finishes the rest
        raise Busy(_("The member directory is not answering; please try again.")) from refusal


def _refuse_last_admin(username: str, groups: frozenset[str]) -> None:
    if ADMINS not in groups:
        return
    try:
        # Two names are enough: if one of them is not this member, another admin exists.
        admins = cognito.members_of(ADMINS, limit=2)
    except cognito.CognitoRefused as refusal:
        raise Busy(_("The member directory is not answering; please try again.")) from refusal
    if all(usernames.same_name(name, username) for name in admins):
        raise Conflict(
            _("{name} is the last admin; make another member an admin first.").format(name=username)
        )


# --- 1. begin ---------------------------------------------------------------------------------


def _begin(profile: Profile, by: Any, reason: str | None, choice: str) -> Profile:
    """Mark the profile deleted and release its avatar, in one transaction."""
    key = Profile(schema.user_pk(profile.user_id), schema.PROFILE_SK)
    unreleasable: set[str] = set()
    for _attempt in Retries(3, backoff=False):
        avatar = str(profile.avatar_attachment_id) if profile.avatar_attachment_id else None
        actions: list[Any] = [
            Profile.deleted_at.set(clock.now_iso()),
            Profile.deleted_by.set(by),
            Profile.deletion_posts.set(choice),
            Profile.deletion_stage.set(ACCOUNT),
            Profile.deletion_posts_done.set(0),
            Profile.display_name.set(DELETED),
            Profile.about.set(""),
            Profile.about_html.set(""),
            Profile.avatar_attachment_id.remove(),
            Profile.avatar_thumb_key.remove(),
            Profile.avatar_display_key.remove(),
        ]
        if reason:
            actions.append(Profile.deletion_reason.set(reason))
        same_avatar = (
            Profile.avatar_attachment_id.does_not_exist()
            if avatar is None
            else Profile.avatar_attachment_id == avatar
        )
        try:
            with transaction() as tx:
                tx.update(
                    "profile",
                    key,
                    actions=actions,
                    condition=Profile.pk.exists()
                    & Profile.deleted_at.does_not_exist()
                    & same_avatar,
                )
                if avatar is not None and avatar not in unreleasable:
                    attachments.release(
                        tx, [avatar], attachments.AVATAR_USE, for_good=True, name="avatar"
                    )
        except Cancelled as cancelled:
            if avatar is not None and cancelled.failed("avatar"):
                unreleasable.add(avatar)  # no longer used as its avatar: nothing to release
            elif not cancelled.raced:
                raise Busy() from cancelled
        current = get_profile(profile.user_id, consistent=True)
        if current is None:  # pragma: no cover (profiles are never deleted)
            raise Busy()
        if is_deleted(current):
            return current
        profile = current  # its avatar changed meanwhile: read again
    raise Busy()


# --- 2-6. carrying on -------------------------------------------------------------------------


def _carry_on(profile: Profile) -> Progress:
    """Do the steps left, for WORK_SECONDS at most (one page at least), storing each."""
    deadline = _monotonic() + WORK_SECONDS
    while profile.deletion_stage != DONE:
        stage = str(profile.deletion_stage)
        if stage == ACCOUNT:
            _delete_sign_in(profile)
            profile = _advance(profile, stage, POSTS)
        elif stage in (POSTS, REMOVED_POSTS):
            profile = _sweep_page(profile, stage, deadline)
        elif stage == BOARDS:
            deleted.rename_last_posts(profile.user_id)
            profile = _advance(profile, stage, NAME)
        else:
            profile = _release_name(profile)
        if _monotonic() > deadline:
            break
    return _progress(profile)


def _advance(profile: Profile, stage: str, to: str, **more: Any) -> Profile:
    """Store the next step (and the sweep's place), unless another request moved on first."""
    actions: list[Any] = [Profile.deletion_stage.set(to)]
    cursor = more.get("cursor")
    actions.append(
        Profile.deletion_cursor.set(cursor) if cursor else Profile.deletion_cursor.remove()
    )
    if more.get("handled"):
        actions.append(Profile.deletion_posts_done.add(int(more["handled"])))
    key = Profile(schema.user_pk(profile.user_id), schema.PROFILE_SK)
    try:
        key.update(actions=actions, condition=Profile.deletion_stage == stage)
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise Busy() from error
    current = get_profile(profile.user_id, consistent=True)
    if current is None:  # pragma: no cover (profiles are never deleted)
        raise Busy()
    return current


def _delete_sign_in(profile: Profile) -> None:
    try:
        cognito.delete_user(profile.username)
    except cognito.CognitoRefused as refusal:
        raise Busy(_("The member directory is not answering; please try again.")) from refusal


def _remover(profile: Profile) -> Member:
    """Who removes the posts, as their removed_by says: the moderator who deleted the account,
    or nobody by name when the member deleted it."""
    by = profile.deleted_by
    if by is None or by.id == profile.user_id:
        return Member(user_id=profile.user_id, name=DELETED)
    return Member(user_id=by.id, name=by.name)


def _sweep_page(profile: Profile, stage: str, deadline: float) -> Profile:
    """One page of the member's posts (live ones for "posts", removed ones after)."""
    user_id = profile.user_id
    removing = stage == POSTS and profile.deletion_posts == REMOVE
    gsi_pk = schema.user_gsi_pk(user_id) if stage == POSTS else schema.removed_posts_gsi_pk(user_id)
    after = profile.deletion_cursor
    start_key = None
    if after:
        topic_id, number = user_post_of(str(after))
        start_key = {
            schema.PARTITION_KEY: {"S": schema.topic_pk(topic_id)},
            schema.SORT_KEY: {"S": schema.post_sk(number)},
            schema.USER_POSTS_PK: {"S": gsi_pk},
            schema.USER_POSTS_SK: {"S": str(after)},
        }
    found = ForumItem.user_posts.query(gsi_pk, limit=PAGE, last_evaluated_key=start_key)
    posts = [item for item in found if isinstance(item, Post)]
    handled: list[Post] = []
    for post in posts:
        if removing and not post.removed and not _remove(profile, post, deadline):
            break  # a long topic of theirs is still being removed: on with it next time
        deleted.rename_post(post, user_id)
        handled.append(post)
    deleted.rename_topics(handled, user_id)
    if handled:
        last = handled[-1].gsi2sk
        return _advance(profile, stage, stage, cursor=last, handled=len(handled))
    if posts:  # not one finished in time: try again with the next request
        return profile
    return _advance(profile, stage, REMOVED_POSTS if stage == POSTS else BOARDS)


def _remove(profile: Profile, post: Post, deadline: float) -> bool:
    remover = _remover(profile)
    for _attempt in range(2):
        try:
            return removal.remove_for_deletion(remover, post.topic_id, int(post.number), deadline)
        except NotFound:
            continue  # its topic was removed meanwhile: sweep that topic instead
    return False


def _release_name(profile: Profile) -> Profile:
    """The claim on the name expires after the grace period; the profile forgets the name."""
    claim = claims.find(profile.username) if profile.username != DELETED else None
    grace = timedelta(days=get_settings().username_grace_days)
    key = Profile(schema.user_pk(profile.user_id), schema.PROFILE_SK)
    held = claim is not None and claim.user_id == profile.user_id
    try:
        with transaction() as tx:
            if claim is not None and held:
                tx.update(
                    "name",
                    claim,
                    actions=[UsernameClaim.expires_at.set(clock.now() + grace)],
                    condition=UsernameClaim.user_id == profile.user_id,
                )
            tx.update(
                "profile",
                key,
                actions=[
                    Profile.username.set(DELETED),
                    Profile.deletion_stage.set(DONE),
                    Profile.deletion_cursor.remove(),
                ],
                condition=Profile.deletion_stage == NAME,
            )
    except Cancelled as cancelled:
        if not cancelled.raced:
            raise Busy() from cancelled
        if cancelled.failed("name"):
            # The claim is no longer theirs: only the profile is left to finish.
            with contextlib.suppress(UpdateError):
                key.update(
                    actions=[Profile.username.set(DELETED), Profile.deletion_stage.set(DONE)],
                    condition=Profile.deletion_stage == NAME,
                )
    current = get_profile(profile.user_id, consistent=True)
    if current is None:  # pragma: no cover
        raise Busy()
    return current
