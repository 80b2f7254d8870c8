"""Moderation: locking, pinning, moving and renaming topics; bans; the moderator role.

Who may do what comes from the member's token (``cognito:groups``): moderators and admins
moderate, admins alone grant and revoke the moderator role. Every action here is a write, so a
banned moderator is refused too. A role granted or revoked here reaches the member's token when
it is next refreshed (at most the access token's lifetime); to stop someone at once, ban them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from . import clock, cognito, notifications, schema
from .boards import get_board
from .content import clean_line, clean_title
from .errors import Busy, Conflict, Forbidden, Invalid, NotFound
from .i18n import _
from .identity import ADMINS, MODERATORS, Member, role_of
from .lastpost import board_unchanged, board_without, same_post
from .models import Board, LastPost, Profile, Topic, UsernameClaim, person
from .profiles import create_profile, get_profile, holder_of, require_writer
from .retries import Retries
from .topics import get_topic
from .transactions import Cancelled, transaction

REASON_MAX = 500


def _require_moderator(member: Member, what: str) -> None:
    if not member.is_moderator:
        raise Forbidden(f"Only moderators and admins can {what}.")


# --- topics -----------------------------------------------------------------------------------


def change_topic(
    member: Member,
    topic_id: str,
    *,
    locked: bool | None = None,
    pinned: bool | None = None,
    board_id: str | None = None,
    title: str | None = None,
    reason: str | None = None,
) -> Topic:
    """Lock or unlock, pin or unpin, retitle and move a topic, all in one transaction.

    Pinning rewrites the topic's place in its board's order; moving takes it (with its posts'
    count and, where it was the newest, the board's last post) from one board's index and
    counters to the other's. The topic's condition is that it gained no post since it was read,
    so the counts that move are exact; a race is read again and retried. Locking or moving
    someone else's topic tells its starter, with the ``reason``.
    """
    _require_moderator(member, "change topics")
    if locked is None and pinned is None and board_id is None and title is None:
        raise Invalid("Give at least one of locked, pinned, board_id and title.")
    if title is not None:
        title = clean_title(title)
    reason = notifications.clean_reason(reason)
    require_writer(member)
    for _attempt in Retries(5):
        topic = get_topic(topic_id, consistent=True)
        try:
            _write_topic_change(topic, locked, pinned, board_id, title)
        except Cancelled as cancelled:
            if not cancelled.raced:
                raise Busy() from cancelled
            continue
        changed = get_topic(topic_id, consistent=True)
        _tell_starter(member, topic, changed, reason)
        return changed
    raise Busy(_("The topic is changing quickly; please try again."))


def _tell_starter(member: Member, before: Topic, after: Topic, reason: str | None) -> None:
    """The starter hears of their topic locked or moved (forum.notifications: one put each)."""
    starter = after.started_by
    if after.locked and not before.locked:
        notifications.notify_moderation(member, starter, notifications.LOCKED, after, 1, reason)
    if after.board_id != before.board_id:
        notifications.notify_moderation(
            member, starter, notifications.MOVED, after, 1, reason, board_name=after.board_name
        )


def _last_post_title(model: type[Topic] | type[Board]) -> Any:
    """The path of ``last_post.topic_title`` (PynamoDB types it as the value, not the path)."""
    return cast(Any, model.last_post).topic_title


def _write_topic_change(
    topic: Topic,
    locked: bool | None,
    pinned: bool | None,
    board_id: str | None,
    title: str | None,
) -> None:
    topic_id = topic.topic_id
    moving_to = board_id if board_id is not None and board_id != topic.board_id else None
    new_board = get_board(moving_to, consistent=True) if moving_to else None
    now_pinned = bool(topic.pinned) if pinned is None else pinned
    topic_actions: list[Any] = []
    if locked is not None:
        topic_actions.append(Topic.locked.set(locked))
    if pinned is not None:
        topic_actions.append(Topic.pinned.set(pinned))
    if pinned is not None or moving_to:
        # The topic's place in its (new) board's order: pinned first, then last activity.
        order_key = schema.topic_order_key(now_pinned, topic.last_activity, topic_id)
        topic_actions.append(Topic.gsi1sk.set(order_key))
    last = topic.last_post
    if title is not None:
        topic_actions += [Topic.title.set(title), _last_post_title(Topic).set(title)]
        last = LastPost(
            topic_id=last.topic_id,
            topic_title=title,
            number=last.number,
            author=last.author,
            created_at=last.created_at,
        )
    old_board = Board.get(schema.BOARDS_PK, schema.board_sk(topic.board_id), consistent_read=True)
    old_actions: list[Any] = []
    new_actions: list[Any] = []
    if new_board is not None:
        posts = int(topic.reply_count) + 1
        topic_actions += [
            Topic.board_id.set(new_board.board_id),
            Topic.board_name.set(new_board.name),
            Topic.gsi1pk.set(schema.board_gsi_pk(new_board.board_id)),
        ]
        old_actions += [Board.topic_count.add(-1), Board.post_count.add(-posts)]
        old_actions += board_without(old_board, topic_id)
        new_actions += [Board.topic_count.add(1), Board.post_count.add(posts)]
        newest = new_board.last_post
        if newest is None or last.created_at > newest.created_at:
            new_actions.append(Board.last_post.set(last))
    elif title is not None and same_post(old_board.last_post, topic_id):
        old_actions.append(_last_post_title(Board).set(title))
    if not topic_actions:
        return  # moved to the board it is in, and nothing else: nothing to write
    with transaction() as tx:
        tx.update(
            "topic",
            topic,
            actions=[*topic_actions, Topic.revised()],
            condition=topic.unchanged(),
        )
        if old_actions:
            tx.update(
                "old board", old_board, actions=old_actions, condition=board_unchanged(old_board)
            )
        if new_board is not None:
            tx.update(
                "new board",
                new_board,
                actions=new_actions,
                condition=Board.pk.exists() & board_unchanged(new_board),
            )


# --- bans -------------------------------------------------------------------------------------


def _ban_end(until: datetime | None) -> str:
    if until is None:
        return schema.BANNED_FOREVER
    if until.tzinfo is None:
        until = until.replace(tzinfo=UTC)
    if until <= clock.now():
        raise Invalid(
            "A ban must end in the future; leave 'until' out for a ban without end.", "until"
        )
    try:
        return clock.iso(until)
    except (OverflowError, ValueError) as error:  # past the year 9999 once in UTC
        raise Invalid(
            "A ban must end by 9999-12-31 (UTC); leave 'until' out for a ban without end.",
            "until",
        ) from error


def _groups(claim: UsernameClaim) -> frozenset[str]:
    try:
        return cognito.groups_of(claim.username)
    except cognito.CognitoRefused as refusal:
        raise _cognito_error(refusal, claim.username) from refusal


def _cognito_error(refusal: cognito.CognitoRefused, username: str) -> Exception:
    if refusal.code == "UserNotFoundException":
        return NotFound(f"There is no member called {username!r}.")
    return Busy("The member directory is not answering; please try again in a moment.")


def _profile_for(claim: UsernameClaim, groups: frozenset[str]) -> Profile:
    """The claimed name's profile, made now if its member never came back after signing up."""
    user_id = str(claim.user_id)
    profile = get_profile(user_id, consistent=True)
    return profile or create_profile(user_id, claim.username, role_of(groups))


def ban(member: Member, username: str, reason: str, until: datetime | None) -> Profile:
    """Refuse every write of a member until ``until`` (None: without end), with a reason.

    One conditional update of their profile: it takes effect at once (the write transactions
    check it) and leaves the member as they were if it fails. Admins and oneself: 409.
    """
    _require_moderator(member, "ban members")
    reason = clean_line(reason, "reason", REASON_MAX)
    banned_until = _ban_end(until)
    require_writer(member)
    claim = holder_of(username)
    if claim.user_id == member.user_id:
        raise Conflict("You cannot ban yourself.")
    groups = _groups(claim)
    if ADMINS in groups:
        raise Conflict(f"{claim.username} is an admin; admins cannot be banned.")
    profile = _profile_for(claim, groups)
    profile.update(
        actions=[
            Profile.banned_until.set(banned_until),
            Profile.ban_reason.set(reason),
            Profile.banned_by.set(person(member.user_id, member.name)),
            Profile.banned_at.set(clock.now_iso()),
        ],
        condition=Profile.pk.exists(),
    )
    return profile


def unban(member: Member, username: str) -> Profile:
    _require_moderator(member, "lift bans")
    require_writer(member)
    claim = holder_of(username)
    profile = get_profile(str(claim.user_id), consistent=True)
    if profile is None:
        raise NotFound(f"{claim.username} has not been to the forum since signing up.")
    profile.update(
        actions=[
            Profile.banned_until.remove(),
            Profile.ban_reason.remove(),
            Profile.banned_by.remove(),
            Profile.banned_at.remove(),
        ],
        condition=Profile.pk.exists(),
    )
    return profile


# --- the moderator role -----------------------------------------------------------------------


def set_moderator(member: Member, username: str, moderator: bool) -> Profile:
    """Grant (or revoke) the moderator role: the Cognito group first, then the profile's role.

    Both steps are idempotent, so a failure between them is mended by repeating the request.
    """
    if not member.is_admin:
        raise Forbidden("Only admins can grant or revoke the moderator role.")
    require_writer(member)
    claim = holder_of(username)
    try:
        if moderator:
            cognito.add_to_group(claim.username, MODERATORS)
        else:
            cognito.remove_from_group(claim.username, MODERATORS)
    except cognito.CognitoRefused as refusal:
        raise _cognito_error(refusal, claim.username) from refusal
    groups = _groups(claim)
    # As the groups are now, whatever Cognito's listing caught of the change just made.
    role = role_of(groups | {MODERATORS} if moderator else groups - {MODERATORS})
    profile = _profile_for(claim, groups)
    profile.update(
        actions=[Profile.role.set(role), Profile.role_changed_at.set(clock.epoch_seconds())],
        condition=Profile.pk.exists(),
    )
    return profile
