"""/api/users and /api/me: members' profiles, bans, the moderator role, and a member's export."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path

from forum import deletion, export, moderation, profiles
from forum.errors import Gone
from forum.i18n import _
from forum.models import Profile

from .auth import require_member
from .params import Cursor
from .responses import answers, empty, model, ok
from .schemas.deletion import DeletionIn, DeletionOut, OwnDeletionIn
from .schemas.export import ExportPage
from .schemas.members import BanIn, MeIn, MemberPage, MeOut, ModeratedMember
from .shaping import ban_out, export_page, me_out, member_out, member_post_out

router = Router()


Username = Annotated[
    str, Path(min_length=1, max_length=128, description="The member's username (any case).")
]


def moderated(profile: Profile) -> ModeratedMember:
    return ModeratedMember(member=member_out(profile), ban=ban_out(profile))


@router.get(
    "/api/users/<username>",
    summary="A member's profile and their latest posts",
    responses=answers(ok(), problems=(404,)),
)
def member_page(
    username: Username,
    cursor: Cursor = None,
) -> MemberPage:
    page = profiles.member_page(username, cursor or None)
    return MemberPage(
        member=member_out(page.profile),
        posts=[member_post_out(post, topic) for post, topic in page.posts],
        next_cursor=page.next_cursor,
    )


@router.get(
    "/api/me",
    summary="The signed-in member's own profile (made on the first call)",
    responses=answers(ok(), problems=(401, 410)),
)
def me() -> MeOut:
    member = require_member(router.current_event)
    profile = profiles.ensure_profile(member)
    if profiles.is_deleted(profile):
        raise Gone(_("This account was deleted."))
    return me_out(profile)


@router.patch(
    "/api/me",
    summary="Change your display name, about text or avatar",
    responses=answers(ok(), problems=(401, 403, 404, 409)),
)
def change_me(body: MeIn) -> MeOut:
    member = require_member(router.current_event)
    changes: dict[str, str | None] = {}
    if "avatar_attachment_id" in body.model_fields_set:
        changes["avatar_attachment_id"] = body.avatar_attachment_id
    profile = profiles.update_me(
        member,
        display_name=body.display_name,
        about=body.about,
        **changes,
    )
    return me_out(profile)


@router.get(
    "/api/me/export",
    summary="Your data, one page at a time: profile, every post you wrote, your images",
    responses=answers(ok(), problems=(401, 410)),
)
def export_me(cursor: Cursor = None) -> ExportPage:
    member = require_member(router.current_event)
    return export_page(export.export_page(member, cursor or None))


@router.post(
    "/api/users/<username>/ban",
    summary="Ban a member from writing (moderators)",
    responses=answers(ok(), problems=(401, 403, 404, 409)),
)
def ban(username: Username, body: BanIn) -> ModeratedMember:
    member = require_member(router.current_event)
    return moderated(moderation.ban(member, username, body.reason, body.until))


@router.delete(
    "/api/users/<username>/ban",
    summary="Lift a member's ban (moderators)",
    responses=answers(empty("The ban is lifted."), problems=(401, 403, 404, 409)),
)
def unban(username: Username) -> Response[None]:
    member = require_member(router.current_event)
    moderation.unban(member, username)
    return Response(status_code=204)


@router.put(
    "/api/users/<username>/moderator",
    summary="Make a member a moderator (admins)",
    responses=answers(ok(), problems=(401, 403, 404, 409)),
)
def grant_moderator(username: Username) -> ModeratedMember:
    member = require_member(router.current_event)
    return moderated(moderation.set_moderator(member, username, moderator=True))


@router.delete(
    "/api/users/<username>/moderator",
    summary="Revoke the moderator role (admins)",
    responses=answers(ok(), problems=(401, 403, 404, 409)),
)
def revoke_moderator(username: Username) -> ModeratedMember:
    member = require_member(router.current_event)
    return moderated(moderation.set_moderator(member, username, moderator=False))


def deletion_answer(progress: deletion.Progress) -> Response[DeletionOut]:
    """200 once the deletion is finished; 202 while work remains."""
    if progress.finished:
        detail = _("The account is deleted.")
    else:
        detail = _("The account is being deleted; send the same request again to finish.")
    body = DeletionOut(
        status="deleted" if progress.finished else "deleting",
        step=progress.stage,
        posts="remove" if progress.posts == deletion.REMOVE else "keep",
        posts_done=progress.posts_done,
        detail=detail,
    )
    return Response(
        status_code=200 if progress.finished else 202,
        content_type="application/json",
        body=body,
    )


_DELETION_ANSWERS = (
    model(200, "The account is deleted.", DeletionOut),
    model(202, "Deleted in part: send the same request again to finish.", DeletionOut),
)


@router.post(
    "/api/me/deletion",
    summary="Delete your account (with a token from a sign-in in the last five minutes)",
    responses=answers(*_DELETION_ANSWERS, problems=(401, 403, 409)),
)
def delete_me(body: OwnDeletionIn) -> Response[DeletionOut]:
    member = require_member(router.current_event)
    return deletion_answer(deletion.delete_own_account(member, body.posts))


@router.post(
    "/api/users/<username>/deletion",
    summary="Delete a member's account, with a reason (moderators; admins for moderators)",
    responses=answers(*_DELETION_ANSWERS, problems=(401, 403, 404, 409)),
)
def delete_member(username: Username, body: DeletionIn) -> Response[DeletionOut]:
    member = require_member(router.current_event)
    return deletion_answer(deletion.delete_account(member, username, body.reason, body.posts))
