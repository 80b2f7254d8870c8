"""Members' profiles: made on a member's first signed-in call, shown beside their posts.

A profile (``USER#{sub}`` / ``PROFILE``) holds what the forum shows of a member and what it
must know at every write: their post and topic counts, their role and their ban. The counts
change inside the transactions that write or remove posts, and those transactions also refuse a
banned member (``not_banned``), so a ban takes effect at once and costs no extra request.

A member who signed up (through ``accounts.sign_up``, or made by an administrator in Cognito)
gets a profile on their first signed-in call. A deleted account's profile stays, with its
counts, marked ``deleted_at`` (forum.deletion): the same conditions that refuse a banned
member's writes refuse its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from . import attachments, avatars, claims, clock, cursors, schema, usernames
from .content import clean_body, clean_line
from .errors import Busy, Conflict, Forbidden, Invalid, NotFound
from .i18n import _
from .identity import Member
from .markup import render
from .media import media_url
from .models import Attachment, ForumItem, Post, Profile, Topic, UsernameClaim
from .retries import Retries
from .settings import get_settings
from .transactions import Cancelled, transaction

DISPLAY_NAME_MAX = 40
ABOUT_MAX = 1_000
ATTACHMENT_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}\Z")


def clean_username(username: str) -> str:
    return usernames.clean(username)


def clean_display_name(display_name: str) -> str:
    return clean_line(display_name, "display_name", DISPLAY_NAME_MAX)


def clean_about(about: str) -> str:
    """Markdown of at most 1,000 characters; an empty text clears it."""
    if not about.strip():
        return ""
    return clean_body(about, "about", ABOUT_MAX)


# --- bans -------------------------------------------------------------------------------------


def not_banned(at: str) -> Condition:
    """The condition, for a write of a profile, that its member is not banned at ``at`` (nor
    their account deleted, or being deleted: forum.deletion)."""
    unbanned = Profile.banned_until.does_not_exist() | (Profile.banned_until < at)
    return unbanned & Profile.deleted_at.does_not_exist()


def is_deleted(profile: Profile) -> bool:
    """Whether the account was deleted (or its deletion has begun)."""
    return profile.deleted_at is not None


def is_banned(profile: Profile, at: str | None = None) -> bool:
    """Whether the member may not write: banned at ``at``, or their account deleted."""
    until = profile.banned_until
    return is_deleted(profile) or (bool(until) and str(until) >= (at or clock.now_iso()))


def ban_message(profile: Profile) -> str:
    if is_deleted(profile):
        return _("This account was deleted.")
    reason = profile.ban_reason or "no reason was given"
    if profile.banned_until == schema.BANNED_FOREVER:
        return f"You are banned from writing in this forum: {reason}"
    return f"You are banned from writing in this forum until {profile.banned_until}: {reason}"


# --- reading and making profiles --------------------------------------------------------------


def get_profile(user_id: str, consistent: bool = False) -> Profile | None:
    try:
        return Profile.get(schema.user_pk(user_id), schema.PROFILE_SK, consistent_read=consistent)
    except Profile.DoesNotExist:
        return None


def create_profile(user_id: str, username: str, role: str) -> Profile:
    """Write a new profile and bind the username to it, together; returns the stored profile.

    The username claim may already exist: made by the member's sign-up (then it is theirs, or
    still pending) or not at all (signed up with Cognito directly). Anyone else's claim on the
    name is a conflict; Cognito itself keeps names unique, so that only happens when an account
    was deleted and its name taken again.
    """
    moment = clock.now()
    at = clock.iso(moment)
    profile = Profile(
        schema.user_pk(user_id),
        schema.PROFILE_SK,
        user_id=user_id,
        username=username,
        display_name=username,
        joined_at=at,
        post_count=0,
        topic_count=0,
        role=role,
        # The hour of flood control's count for new members (forum.flood), begun now so that
        # a first post needs no second try.
        posting_hour=moment.strftime("%Y-%m-%dT%H"),
        posts_this_hour=0,
    )
    claim = UsernameClaim(schema.username_pk(username), schema.USERNAME_SK)
    try:
        with transaction() as tx:
            tx.save("profile", profile, condition=Profile.pk.does_not_exist())
            tx.update(
                "username",
                claim,
                actions=[
                    UsernameClaim.kind.set(UsernameClaim),
                    UsernameClaim.username.set(UsernameClaim.username | username),
                    UsernameClaim.claimed_at.set(UsernameClaim.claimed_at | at),
                    UsernameClaim.user_id.set(user_id),
                    UsernameClaim.claim_token.remove(),
                    UsernameClaim.expires_at.remove(),
                ],
                condition=(
                    UsernameClaim.pk.does_not_exist()
                    | UsernameClaim.user_id.does_not_exist()
                    | (UsernameClaim.user_id == user_id)
                    # A deleted account's name, released after its grace period (the item
                    # lingers until DynamoDB's TTL deletes it).
                    | (UsernameClaim.expires_at < moment)
                ),
            )
    except Cancelled as cancelled:
        if cancelled.failed("profile"):
            # Made by a request of theirs running at the same moment: use that one.
            existing = get_profile(user_id, consistent=True)
            if existing is not None:
                return existing
        if cancelled.failed("username"):
            raise Conflict(
                f"The username {username!r} belongs to another member of this forum."
            ) from cancelled
        raise Busy() from cancelled
    return profile


def ensure_profile(member: Member) -> Profile:
    """The member's profile (read consistently), made now if this is their first call.

    The role follows the member's token unless the profile's role was changed (granted or
    revoked here) after that token was issued: a revoked moderator's old token must not
    restore the role on the profile.
    """
    profile = get_profile(member.user_id, consistent=True)
    if profile is None:
        return create_profile(member.user_id, member.name, member.role)
    if profile.role != member.role and (
        profile.role_changed_at is None
        or (member.issued_at is not None and member.issued_at > int(profile.role_changed_at))
    ):
        profile.update(actions=[Profile.role.set(member.role)], condition=Profile.pk.exists())
    return profile


def require_writer(member: Member) -> Profile:
    """The member's profile, if they may write; 403 with the reason while they are banned."""
    profile = ensure_profile(member)
    if is_banned(profile):
        raise Forbidden(ban_message(profile))
    return profile


def settle_refused_profile(member: Member) -> None:
    """A write's condition on the member's profile failed: make it, or say why they may not.

    Returns when the write may simply be tried again (the profile was missing and is made now,
    or a ban ran out in between); raises Forbidden when the member is banned.
    """
    profile = get_profile(member.user_id, consistent=True)
    if profile is None:
        create_profile(member.user_id, member.name, member.role)
    elif is_banned(profile):
        raise Forbidden(ban_message(profile))


def holder_of(username: str) -> UsernameClaim:
    """The claim on a username, bound to its member; 404 when nobody holds the name."""
    claim = claims.find(username)
    if claim is None or not claim.user_id:
        raise NotFound(f"There is no member called {username!r}.")
    return claim


def profile_of(username: str, consistent: bool = False) -> Profile:
    claim = holder_of(username)
    profile = get_profile(str(claim.user_id), consistent=consistent)
    if profile is None:
        raise NotFound(f"{claim.username} has not been to the forum since signing up.")
    if is_deleted(profile):
        # As SMF and phpBB answer for a deleted member: there is no such member (any more).
        raise NotFound(_("There is no member called {name!r}.").format(name=username))
    return profile


# --- the member's own profile -----------------------------------------------------------------

_UNSET = object()


def update_me(
    member: Member,
    *,
    display_name: str | None = None,
    about: str | None = None,
    avatar_attachment_id: str | object | None = _UNSET,
) -> Profile:
    """Change the member's display name, about text or avatar: one conditional write.

    ``avatar_attachment_id=None`` removes the avatar; leaving it out keeps it. A new avatar is
    an upload of the member's made as an avatar (forum.avatars): the update is then one
    transaction with the attachment, on the condition that it is still as read, and the
    profile keeps the avatar's image keys once its images are made. The avatar it replaces (or
    removes) is released in that transaction: it expires unused, and its images are deleted.
    Every change of avatar is conditioned on the profile's avatar being still the one read
    (none included), so two changes at once never both pass.
    """
    actions: list[Action] = []
    avatar: Attachment | None = None
    if display_name is not None:
        actions.append(Profile.display_name.set(clean_display_name(display_name)))
    if about is not None:
        cleaned = clean_about(about)
        actions += [Profile.about.set(cleaned), Profile.about_html.set(render(cleaned))]
    if avatar_attachment_id is None:
        actions += [
            Profile.avatar_attachment_id.remove(),
            Profile.avatar_thumb_key.remove(),
            Profile.avatar_display_key.remove(),
        ]
    elif avatar_attachment_id is not _UNSET:
        attachment_id = str(avatar_attachment_id)
        if not ATTACHMENT_ID_PATTERN.match(attachment_id):
            raise Invalid("That is not an attachment id.", "avatar_attachment_id")
        avatar = avatars.for_avatar(member, attachment_id)
    if not actions and avatar is None:
        raise Invalid("Give at least one of display_name, about and avatar_attachment_id.")
    changes_avatar = avatar_attachment_id is not _UNSET
    # Avatars read as the profile's whose release found them no longer used as its avatar.
    unreleasable: set[str] = set()
    for _attempt in Retries(3, backoff=False):
        profile = Profile(schema.user_pk(member.user_id), schema.PROFILE_SK)
        condition = Profile.pk.exists() & not_banned(clock.now_iso())
        replaced: str | None = None
        if changes_avatar:
            # A change of avatar is made on the condition that the profile's avatar is still
            # the one read, none included: of two changes at once only one passes, and the
            # other reads again and releases what the first set. Without it, both would pass
            # and the first one's upload would stay used as an avatar, never to expire.
            current = _current_avatar(member)
            condition &= _avatar_is(current)
            # The avatar being replaced (or removed) is released, to expire unused like any
            # upload nobody uses (and its images with it).
            if (
                current is not None
                and (avatar is None or current != avatar.attachment_id)
                and current not in unreleasable
            ):
                replaced = current
        if avatar is not None or replaced is not None:
            try:
                with transaction() as tx:
                    avatar_set = avatars.avatar_actions(avatar) if avatar is not None else []
                    tx.update(
                        "profile", profile, actions=[*actions, *avatar_set], condition=condition
                    )
                    if avatar is not None:
                        avatars.use_as_avatar(tx, avatar)
                    if replaced is not None:
                        attachments.release(
                            tx, [replaced], attachments.AVATAR_USE, name="replaced avatar"
                        )
            except Cancelled as cancelled:
                if cancelled.failed("profile"):
                    settle_refused_profile(member)  # or the avatar changed: read it again
                elif replaced is not None and cancelled.failed("replaced avatar"):
                    unreleasable.add(replaced)  # no longer an avatar of theirs: nothing to release
                elif avatar is not None and cancelled.failed("avatar"):
                    # Its images were made meanwhile: read it again.
                    avatar = avatars.for_avatar(member, avatar.attachment_id)
                else:
                    raise Busy() from cancelled
                continue
            stored = get_profile(member.user_id, consistent=True)
            if stored is None:  # pragma: no cover (it was just updated)
                raise Busy()
            return stored
        try:
            profile.update(actions=actions, condition=condition)
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise Busy() from error
            settle_refused_profile(member)
            continue
        return profile
    raise Busy()  # pragma: no cover


def _current_avatar(member: Member) -> str | None:
    """The attachment id of the member's avatar, read consistently; None without one."""
    current = get_profile(member.user_id, consistent=True)
    previous = current.avatar_attachment_id if current is not None else None
    return str(previous) if previous else None


def _avatar_is(attachment_id: str | None) -> Condition:
    """The condition that the profile's avatar is ``attachment_id`` (None: that it has none)."""
    if attachment_id is None:
        return Profile.avatar_attachment_id.does_not_exist()
    return Profile.avatar_attachment_id == attachment_id


# --- a member's public page -------------------------------------------------------------------


@dataclass(frozen=True)
class MemberPage:
    profile: Profile
    # Their newest posts first, each with its topic (for the title); next_cursor for more.
    posts: list[tuple[Post, Topic]]
    next_cursor: str | None


def member_page(username: str, cursor: str | None) -> MemberPage:
    """A member's profile and a page of their latest posts.

    Requests: the username's claim, the profile, one Query of the user_posts index (newest
    first), and one BatchGetItem of the page's topics for their titles: four, whatever the size.
    """
    after = cursors.decode_user_post(cursor) if cursor is not None else None
    profile = profile_of(username)
    per_page = get_settings().posts_per_page
    gsi_pk = schema.user_gsi_pk(profile.user_id)
    start_key = None
    if after is not None:
        topic_id, number = cursors.user_post_of(after)
        start_key = {
            schema.PARTITION_KEY: {"S": schema.topic_pk(topic_id)},
            schema.SORT_KEY: {"S": schema.post_sk(number)},
            schema.USER_POSTS_PK: {"S": gsi_pk},
            schema.USER_POSTS_SK: {"S": after},
        }
    found = ForumItem.user_posts.query(
        gsi_pk, scan_index_forward=False, limit=per_page + 1, last_evaluated_key=start_key
    )
    posts = [item for item in found if isinstance(item, Post)]
    next_cursor = None
    if len(posts) > per_page:
        posts = posts[:per_page]
        next_cursor = cursors.encode(posts[-1].gsi2sk or "")
    topics = _topics(post.topic_id for post in posts)
    shown = [
        (post, topics[post.topic_id])
        for post in posts
        if post.topic_id in topics and not topics[post.topic_id].removed
    ]
    return MemberPage(profile=profile, posts=shown, next_cursor=next_cursor)


def _topics(topic_ids: Iterable[str]) -> dict[str, Topic]:
    keys = [(schema.topic_pk(topic_id), schema.TOPIC_SK) for topic_id in dict.fromkeys(topic_ids)]
    if not keys:
        return {}
    return {topic.topic_id: topic for topic in Topic.batch_get(keys)}


def avatar_thumb_url(profile: Profile) -> str | None:
    """Where the member's avatar thumbnail (256 px square) is served; None without one, and
    while its images are being made."""
    return media_url(profile.avatar_thumb_key)


def avatar_display_url(profile: Profile) -> str | None:
    """Where the member's larger avatar (512 px square) is served, as avatar_thumb_url."""
    return media_url(profile.avatar_display_key)
