"""Flood control: how often a member may post or upload, enforced inside the write's own
transaction.

SMF's defaults, in spirit: a member's posts (new topics and replies) are at least
``post_interval_seconds`` apart, and a member whose account is younger than a day posts at most
``new_member_posts_per_hour`` times in a clock hour. Every member uploads at most
``uploads_per_hour`` images in a clock hour (an upload nobody attaches is still served for two
days: without a limit the forum would be free image hosting, and its thumbnail function
anyone's to keep busy). Moderators and admins are exempt.

The rules are conditions on the member's profile item, updated in the write's transaction. A
post's transaction updates it anyway (its post_count), so the posting rules cost nothing extra:
no read before the write, no other item; only when the condition fails is the profile read
(``refusal``) to tell the member how long to wait, or to start a new hour's count. An upload
reads the profile before it anyway (is the member banned?), so it knows from that read whether
it starts a new hour, and the profile's update is its transaction's second item
(``count_upload``). Each hourly count is a fixed window (``HourlyCount``): one attribute names
the hour and another counts in it; a write in a new hour resets both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pynamodb.expressions.condition import Condition

from . import clock, schema
from .errors import Forbidden, TooManyRequests
from .i18n import _
from .identity import Member
from .models import Profile
from .profiles import ban_message, create_profile, get_profile, is_banned, not_banned
from .settings import get_settings
from .transactions import Transaction

NEW_MEMBER_AGE = timedelta(days=1)


def hour_of(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H")


def seconds_to_next_hour(moment: datetime) -> int:
    next_hour = moment.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return math.ceil((next_hour - moment).total_seconds())


@dataclass(frozen=True)
class HourlyCount:
    """A member's writes of one kind in a clock hour, counted on their profile: the attribute
    ``hour`` names the hour, ``count`` counts in it (both names of Profile's attributes)."""

    hour: str
    count: str

    def actions(self, moment: datetime, new_hour: bool) -> list[Any]:
        """Count one more write at ``moment``: the first of a new hour starts its count."""
        hour, count = getattr(Profile, self.hour), getattr(Profile, self.count)
        if new_hour:
            return [hour.set(hour_of(moment)), count.set(1)]
        return [count.add(1)]

    def condition(self, moment: datetime, limit: int, new_hour: bool) -> Condition:
        """That the count read still holds: another hour's (``new_hour``), or this hour's and
        below ``limit``."""
        hour, count = getattr(Profile, self.hour), getattr(Profile, self.count)
        if new_hour:
            return hour.does_not_exist() | (hour != hour_of(moment))
        return (hour == hour_of(moment)) & (count < limit)

    def starts_new_hour(self, profile: Profile, moment: datetime) -> bool:
        return getattr(profile, self.hour) != hour_of(moment)

    def is_full(self, profile: Profile, moment: datetime, limit: int) -> bool:
        if self.starts_new_hour(profile, moment):
            return False
        return int(getattr(profile, self.count) or 0) >= limit


# A new member's posts, and every member's uploads.
NEW_MEMBER_POSTS = HourlyCount("posting_hour", "posts_this_hour")
UPLOADS = HourlyCount("upload_hour", "uploads_this_hour")


@dataclass(frozen=True)
class PostingRules:
    interval_seconds: int
    new_member_posts_per_hour: int

    @classmethod
    def current(cls) -> PostingRules:
        settings = get_settings()
        return cls(settings.post_interval_seconds, settings.new_member_posts_per_hour)


def guard(
    moment: datetime, exempt: bool, rules: PostingRules, *, new_hour: bool = False
) -> tuple[list[Any], Condition | None]:
    """The profile update's extra actions and condition for a post made at ``moment``.

    ``new_hour``: the profile's count is of an earlier hour (``refusal`` found out), so this post
    starts the count of the current one.
    """
    actions: list[Any] = [Profile.last_posted_at.set(clock.iso(moment))]
    if exempt:
        return actions, None
    condition: Condition | None = None
    if rules.interval_seconds:
        earliest = clock.iso(moment - timedelta(seconds=rules.interval_seconds))
        condition = Profile.last_posted_at.does_not_exist() | (Profile.last_posted_at <= earliest)
    if rules.new_member_posts_per_hour:
        settled = Profile.joined_at <= clock.iso(moment - NEW_MEMBER_AGE)
        # For a settled member the count is never read; adding to it is free in this update.
        actions += NEW_MEMBER_POSTS.actions(moment, new_hour)
        hourly = settled | NEW_MEMBER_POSTS.condition(
            moment, rules.new_member_posts_per_hour, new_hour
        )
        condition = hourly if condition is None else condition & hourly
    return actions, condition


def refusal(profile: Profile, moment: datetime, exempt: bool, rules: PostingRules) -> bool:
    """Why ``guard``'s condition failed for this profile, read after the failure.

    Raises TooManyRequests (with the seconds to wait) when the member posts too fast; returns
    True when the post may be retried as the first of a new hour, False when it may simply be
    retried (the profile changed in between).
    """
    if exempt:
        return False
    if rules.interval_seconds and profile.last_posted_at:
        last = datetime.fromisoformat(str(profile.last_posted_at))
        wait = (last + timedelta(seconds=rules.interval_seconds) - moment).total_seconds()
        if wait > 0:
            raise TooManyRequests(
                f"You can post once every {rules.interval_seconds} seconds; "
                f"please wait {math.ceil(wait)} more.",
                math.ceil(wait),
            )
    if not rules.new_member_posts_per_hour:
        return False
    joined = datetime.fromisoformat(str(profile.joined_at))
    if moment - joined >= NEW_MEMBER_AGE:
        return False
    if NEW_MEMBER_POSTS.starts_new_hour(profile, moment):
        return True
    if NEW_MEMBER_POSTS.is_full(profile, moment, rules.new_member_posts_per_hour):
        raise TooManyRequests(
            f"New members can post {rules.new_member_posts_per_hour} times an hour during "
            "their first day; please wait for the next hour.",
            seconds_to_next_hour(moment),
        )
    return False


def settle_refused_post(member: Member, moment: datetime, rules: PostingRules) -> bool:
    """A post's condition on its author's profile failed: find out why, by reading the profile.

    Makes the profile when it was missing; raises Forbidden while the member is banned and
    TooManyRequests while they post too fast. Returns whether the retry starts a new hour.
    """
    profile = get_profile(member.user_id, consistent=True)
    if profile is None:
        create_profile(member.user_id, member.name, member.role)
        return False
    if is_banned(profile, clock.iso(moment)):
        raise Forbidden(ban_message(profile))
    return refusal(profile, moment, member.is_moderator, rules)


# --- uploads ----------------------------------------------------------------------------------


def upload_refusal(profile: Profile, moment: datetime, exempt: bool) -> bool:
    """Whether an upload at ``moment`` starts a new hour's count, from the profile as read;
    TooManyRequests (with the seconds to the next hour) when this hour's uploads are used up."""
    limit = get_settings().uploads_per_hour
    if exempt or not limit:
        return False
    if UPLOADS.is_full(profile, moment, limit):
        raise TooManyRequests(
            _("You can upload {limit} images an hour; please wait for the next hour.").format(
                limit=limit
            ),
            seconds_to_next_hour(moment),
        )
    return UPLOADS.starts_new_hour(profile, moment)


def count_upload(tx: Transaction, member: Member, moment: datetime, new_hour: bool) -> None:
    """Count an upload on the member's profile, in the transaction that writes its attachment
    (the item named "uploader"), on the condition that the profile is as ``upload_refusal``
    read it: still there, not banned, and the hour's count not used up meanwhile."""
    limit = get_settings().uploads_per_hour
    condition = Profile.pk.exists() & not_banned(clock.iso(moment))
    if member.is_moderator or not limit:
        # Never read for them; counting is free in this update, which the ban needs anyway.
        actions = UPLOADS.actions(moment, new_hour=False)
    else:
        actions = UPLOADS.actions(moment, new_hour)
        condition &= UPLOADS.condition(moment, limit, new_hour)
    tx.update(
        "uploader",
        Profile(schema.user_pk(member.user_id), schema.PROFILE_SK),
        actions=actions,
        condition=condition,
    )
