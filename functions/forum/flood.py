"""Flood control: how often a member may post, enforced inside the post's own transaction.

SMF's defaults, in spirit: a member's posts (new topics and replies) are at least
``post_interval_seconds`` apart, and a member whose account is younger than a day posts at most
``new_member_posts_per_hour`` times in a clock hour. Moderators and admins are exempt.

Both rules are conditions on the author's profile item, which every post's transaction updates
anyway (its post_count), so they cost nothing extra: no read before the write, no other item.
Only when the condition fails is the profile read (``refusal``) to tell the member how long to
wait, or to start a new hour's count. The hourly count is a fixed window: ``posting_hour`` names
the hour and ``posts_this_hour`` counts in it; a post in a new hour resets both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pynamodb.expressions.condition import Condition

from . import clock
from .errors import Forbidden, TooManyRequests
from .identity import Member
from .models import Profile
from .profiles import ban_message, create_profile, get_profile, is_banned
from .settings import get_settings

NEW_MEMBER_AGE = timedelta(days=1)


@dataclass(frozen=True)
class PostingRules:
    interval_seconds: int
    new_member_posts_per_hour: int

    @classmethod
    def current(cls) -> PostingRules:
        settings = get_settings()
        return cls(settings.post_interval_seconds, settings.new_member_posts_per_hour)


def hour_of(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H")


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
        hour = hour_of(moment)
        settled = Profile.joined_at <= clock.iso(moment - NEW_MEMBER_AGE)
        if new_hour:
            actions += [Profile.posting_hour.set(hour), Profile.posts_this_hour.set(1)]
            hourly = (
                settled | Profile.posting_hour.does_not_exist() | (Profile.posting_hour != hour)
            )
        else:
            # For a settled member the count is never read; adding to it is free in this update.
            actions.append(Profile.posts_this_hour.add(1))
            hourly = settled | (
                (Profile.posting_hour == hour)
                & (Profile.posts_this_hour < rules.new_member_posts_per_hour)
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
    if profile.posting_hour != hour_of(moment):
        return True
    if int(profile.posts_this_hour or 0) >= rules.new_member_posts_per_hour:
        next_hour = moment.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        raise TooManyRequests(
            f"New members can post {rules.new_member_posts_per_hour} times an hour during "
            "their first day; please wait for the next hour.",
            math.ceil((next_hour - moment).total_seconds()),
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
