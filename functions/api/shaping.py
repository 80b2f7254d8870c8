"""Domain items to API bodies: the one place that decides what the JSON looks like."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.event_handler import Response

from forum import paging, schema
from forum.deleted import shown_name
from forum.export import ExportPage as ExportedPage
from forum.media import media_url
from forum.models import Attachment, Board, LastPost, Person, Post, PostAttachment, Profile, Topic
from forum.profiles import avatar_thumb_url, is_banned, is_deleted

from .schemas.attachments import AttachmentOut
from .schemas.boards import BoardLastPost, BoardOut
from .schemas.common import PersonOut, UnderWay
from .schemas.export import ExportPage, ExportPostOut, ExportTopic, ExportUploadOut
from .schemas.members import BanOut, MemberOut, MemberPostOut, MeOut, TopicRef
from .schemas.posts import AuthorCard, PagePostOut, PostOut
from .schemas.topics import BoardRef, TopicHeader, TopicLastPost, TopicSummary


def person_out(person: Person) -> PersonOut:
    # A deleted member's name reads "deleted member": words with a space, which no username has.
    return PersonOut(id=person.id, name=shown_name(person.name))


def board_last_post(last: LastPost | None) -> BoardLastPost | None:
    if last is None:
        return None
    return BoardLastPost(
        topic_id=last.topic_id,
        topic_title=last.topic_title,
        number=int(last.number),
        author=person_out(last.author),
        created_at=last.created_at,
    )


def board_out(board: Board) -> BoardOut:
    return BoardOut(
        id=board.board_id,
        name=board.name,
        description=board.description or "",
        topic_count=int(board.topic_count or 0),
        post_count=int(board.post_count or 0),
        last_post=board_last_post(board.last_post),
    )


def topic_summary(topic: Topic) -> TopicSummary:
    return TopicSummary(
        id=topic.topic_id,
        title=topic.title,
        started_by=person_out(topic.started_by),
        started_at=topic.started_at,
        reply_count=int(topic.reply_count),
        view_count=int(topic.view_count),
        pinned=bool(topic.pinned),
        locked=bool(topic.locked),
        last_post=TopicLastPost(
            number=int(topic.last_post.number),
            author=person_out(topic.last_post.author),
            created_at=topic.last_post.created_at,
        ),
    )


def topic_header(topic: Topic, page: int) -> TopicHeader:
    return TopicHeader(
        id=topic.topic_id,
        title=topic.title,
        board=BoardRef(id=topic.board_id, name=topic.board_name),
        started_by=person_out(topic.started_by),
        started_at=topic.started_at,
        reply_count=int(topic.reply_count),
        view_count=int(topic.view_count),
        pinned=bool(topic.pinned),
        locked=bool(topic.locked),
        page=page,
        page_count=paging.page_count(int(topic.last_number)),
        per_page=paging.per_page(),
    )


def post_out(post: Post) -> PostOut:
    removed = bool(post.removed)
    return PostOut(
        number=int(post.number),
        author=person_out(post.author),
        created_at=post.created_at,
        edited_at=post.edited_at,
        edited_by=person_out(post.edited_by) if post.edited_by else None,
        removed=removed,
        # A removed post keeps its place and number, not its words.
        body="" if removed else post.body,
        body_html="" if removed else post.body_html,
        version=int(post.version or 0),
        attachments=[] if removed else [attachment_out(item) for item in post.attachments or []],
    )


def _int(value: Any) -> int | None:
    return int(value) if value is not None else None


def attachment_out(item: Attachment | PostAttachment) -> AttachmentOut:
    """An attachment item, or a post's copy of one, as the API shows it."""
    attachment_id = item.attachment_id if isinstance(item, Attachment) else item.id
    ready = item.status == "ready"
    return AttachmentOut(
        id=attachment_id,
        status=item.status,
        reason=item.reason,
        filename=item.filename,
        width=_int(item.width),
        height=_int(item.height),
        thumb_url=media_url(item.thumb_key) if ready else None,
        display_url=media_url(item.display_key) if ready else None,
        thumb_width=_int(item.thumb_width),
        thumb_height=_int(item.thumb_height),
    )


def page_post_out(post: Post, cards: Mapping[str, Profile]) -> PagePostOut:
    profile = cards.get(post.author.id)
    return PagePostOut(
        **post_out(post).model_dump(),
        author_card=author_card(profile) if profile is not None else None,
    )


def author_card(profile: Profile) -> AuthorCard:
    if is_deleted(profile):
        nobody = shown_name(schema.DELETED_MEMBER)
        return AuthorCard(
            id=profile.user_id,
            name=nobody,
            display_name=nobody,
            avatar_url=None,
            post_count=int(profile.post_count or 0),
            role="member",
        )
    return AuthorCard(
        id=profile.user_id,
        name=profile.username,
        display_name=profile.display_name,
        avatar_url=avatar_thumb_url(profile),
        post_count=int(profile.post_count or 0),
        role=profile.role,
    )


def member_out(profile: Profile) -> MemberOut:
    return MemberOut(
        username=profile.username,
        display_name=profile.display_name,
        avatar_url=avatar_thumb_url(profile),
        about=profile.about or "",
        about_html=profile.about_html or "",
        joined_at=profile.joined_at,
        post_count=int(profile.post_count or 0),
        topic_count=int(profile.topic_count or 0),
        role=profile.role,
    )


def ban_out(profile: Profile) -> BanOut | None:
    if not profile.banned_until or not is_banned(profile):
        return None
    until = str(profile.banned_until)
    return BanOut(
        banned_until="forever" if until == schema.BANNED_FOREVER else until,
        reason=profile.ban_reason or "",
        banned_by=person_out(profile.banned_by) if profile.banned_by else None,
        banned_at=profile.banned_at,
    )


def me_out(profile: Profile) -> MeOut:
    return MeOut(
        **member_out(profile).model_dump(),
        id=profile.user_id,
        avatar_attachment_id=profile.avatar_attachment_id,
        ban=ban_out(profile),
    )


def member_post_out(post: Post, topic: Topic) -> MemberPostOut:
    return MemberPostOut(
        topic=TopicRef(id=topic.topic_id, title=topic.title),
        number=int(post.number),
        page=paging.page_of(int(post.number)),
        created_at=post.created_at,
        edited_at=post.edited_at,
        body_html=post.body_html,
    )


def export_page(page: ExportedPage) -> ExportPage:
    return ExportPage(
        member=me_out(page.profile),
        posts=[
            ExportPostOut(
                topic=ExportTopic(id=post.topic_id, title=post.topic_title),
                number=post.number,
                body=post.body,
                created_at=post.created_at,
                edited_at=post.edited_at,
                edited_by=post.edited_by,
                removed=post.removed,
            )
            for post in page.posts
        ],
        uploads=[ExportUploadOut(**vars(upload)) for upload in page.uploads],
        next_cursor=page.next_cursor,
    )


def under_way(detail: str) -> Response[Any]:
    return Response(status_code=202, content_type="application/json", body=UnderWay(detail=detail))


def removal_answer(finished: bool) -> Response[Any]:
    """204 when a removal is done; 202 when a long topic's posts are still being removed."""
    if finished:
        return Response(status_code=204)
    return under_way(
        "The topic is removed; its posts are still being removed. Send the same request again "
        "to finish."
    )
