"""Image attachments: uploads, their state, and their use by posts and avatars.

The life of an attachment (see schema.py: ATTACHMENT#{id}):

1. ``create_upload``: a signed-in member declares a file (name, content type, size); the forum
   writes the attachment as ``pending`` and answers with a presigned POST that lets the browser
   put exactly that kind of file at ``originals/{id}`` in the uploads bucket, and nothing else.
2. S3 tells the queue, and the thumbnail function (``forum.thumbnails``) makes the images and
   marks the attachment ``ready``, or ``failed`` with a reason for the uploader. Either way the
   change is a single conditional write (``mark_ready`` / ``mark_failed``).
3. A post names its attachments (``attachment_ids``): they are checked with one BatchGetItem
   (``for_post``) and marked as used by that post in the post's own transaction (``attach``),
   on the condition that they are still the owner's, still in the state that was read, and not
   used by another post. The post keeps a copy of what a page shows of each (``entry``), so a
   topic page needs no read of attachment items.
4. When the images of an attachment that is already in use are made, ``publish`` brings the
   post's copy (or the profile's avatar keys) up to date. The transaction in 3 is conditional on
   the state read, so either the post is written with the final state, or ``publish`` finds the
   post: an attachment never stays ``pending`` on a page.

An attachment nobody uses expires (``expires_at``, the table's TTL) after ``UNUSED_LIFETIME``; its
original goes by the uploads bucket's lifecycle rule after a day in any case (originals are never
served; the derived images are what lives on).

5. When DynamoDB deletes an attachment item (its TTL: nothing else in the forum deletes one), the
   table's stream tells the media cleanup function, which deletes its images
   (``removed_attachment_id``, ``delete_images``). Removing a post releases its attachments for
   good in the removal's own transaction: they expire at once, so a moderator who removes an
   image takes it down. Only an unused attachment has ``expires_at``:
   attaching one removes it in the same write that marks it used, and a post or a profile that
   shows an attachment always holds it (a post is never deleted, only marked removed; an
   avatar is released only by the write that replaces it on the profile). So an item that is
   gone has no images anyone shows.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import Condition

from . import clock, schema
from .errors import Busy, Conflict, Invalid, NotFound, PayloadTooLarge
from .i18n import _
from .identity import Member
from .models import Attachment, Post, PostAttachment, Profile
from .retries import Retries
from .settings import get_settings
from .transactions import Transaction

PENDING = "pending"
READY = "ready"
FAILED = "failed"
POST = "post"
AVATAR = "avatar"
PURPOSES = (POST, AVATAR)
# attached_to of an attachment that is a member's avatar (posts use "{topic_id}/{number}").
AVATAR_USE = "avatar"

MAX_PER_POST = 10
FILENAME_MAX = 200
ORIGINALS_PREFIX = schema.ORIGINALS_PREFIX
MEDIA_PREFIX = schema.MEDIA_PREFIX
# How long a presigned POST may be used.
UPLOAD_SECONDS = 15 * 60
# How long an attachment nobody uses is kept.
UNUSED_LIFETIME = timedelta(days=2)

# The content types an upload may declare (forum.images.ACCEPTED_TYPES, which this module does
# not import: the API function should not load Pillow), and other names for them.
ACCEPTED_TYPES = (
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/gif",
    "image/heic",
    "image/heif",
)
_TYPE_ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "image/x-png": "image/png"}
ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_FIELD = "attachment_ids"
# The name of a post's attachments in its transactions (forum.transactions).
ATTACHMENTS = "attachments"


# --- names, keys and addresses ----------------------------------------------------------------


def new_attachment_id() -> str:
    """128 random bits: an attachment's id is unguessable, so its address may be public."""
    return secrets.token_urlsafe(16)


def original_key(attachment_id: str) -> str:
    return f"{ORIGINALS_PREFIX}{attachment_id}"


def attachment_id_of(key: str) -> str | None:
    """The attachment an uploaded object's key belongs to, None for any other key."""
    if not key.startswith(ORIGINALS_PREFIX):
        return None
    attachment_id = key.removeprefix(ORIGINALS_PREFIX)
    return attachment_id if ID_PATTERN.match(attachment_id) else None


def media_key(attachment_id: str, which: str, extension: str) -> str:
    """Where a derived image is kept: the same key for the same attachment every time."""
    return f"{MEDIA_PREFIX}{attachment_id}/{which}.{extension}"


def media_folder(attachment_id: str) -> str:
    """Where all the derived images of an attachment are, whatever their names and types."""
    return f"{MEDIA_PREFIX}{attachment_id}/"


def media_url(key: str | None) -> str | None:
    """The address of a derived image: the media bucket's ``media/`` is served at media_base."""
    if not key:
        return None
    return f"{get_settings().media_base}/{key.removeprefix(MEDIA_PREFIX)}"


def post_use(topic_id: str, number: int) -> str:
    return f"{topic_id}/{number}"


def clean_filename(filename: str) -> str:
    """A file name fit to show: no folders, no control or invisible characters, one line,
    at most ``FILENAME_MAX`` characters (the extension kept when it has to be shortened)."""
    name = re.split(r"[\\/]", filename)[-1]
    name = unicodedata.normalize("NFC", name)
    # Tabs and line breaks become spaces; other control and invisible characters go.
    name = "".join(
        " " if char.isspace() else char
        for char in name
        if char.isspace() or not unicodedata.category(char).startswith("C")
    )
    name = " ".join(name.split()).strip(" .")
    if not name:
        return "image"
    if len(name) > FILENAME_MAX:
        stem, dot, extension = name.rpartition(".")
        if dot and stem and 0 < len(extension) <= 10:
            name = stem[: FILENAME_MAX - len(extension) - 1].rstrip(" .") + "." + extension
        else:
            name = name[:FILENAME_MAX].rstrip(" .")
    return name


def clean_content_type(content_type: str) -> str:
    declared = content_type.split(";", 1)[0].strip().lower()
    declared = _TYPE_ALIASES.get(declared, declared)
    if declared not in ACCEPTED_TYPES:
        raise Invalid(
            "Only JPEG, PNG, WebP, GIF and HEIC images can be uploaded "
            f"({', '.join(ACCEPTED_TYPES)}).",
            "content_type",
        )
    return declared


def size_text(n: int) -> str:
    mib = 1024 * 1024
    if n >= mib:
        return f"{n / mib:.1f}".removesuffix(".0") + " MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} bytes"


# --- uploading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    attachment: Attachment
    # Where and how the browser posts the file: the URL, and the form fields that go before it.
    url: str
    fields: dict[str, str]


def create_upload(
    member: Member, filename: str, content_type: str, size: int, purpose: str = POST
) -> Upload:
    """A pending attachment and the presigned POST that uploads its original.

    Refused before anything is written: a type that is not an accepted image (422), an empty
    file (422), a file over the limit (413), and a banned member (403); and a POST that cannot
    be signed raises botocore's error (the API's 503) with nothing written either.
    """
    from .profiles import require_writer

    settings = get_settings()
    declared = clean_content_type(content_type)
    if size < 1:
        raise Invalid("The file is empty.", "size")
    if size > settings.max_upload_bytes:
        raise PayloadTooLarge(
            f"The file is {size_text(size)}; at most {size_text(settings.max_upload_bytes)} "
            "can be uploaded."
        )
    if purpose not in PURPOSES:
        raise Invalid(f"The purpose is one of {', '.join(PURPOSES)}.", "purpose")
    require_writer(member)
    attachment_id = new_attachment_id()
    # Signed before the attachment is written: signing can fail (credentials that cannot be
    # found or refreshed), and a failed request must leave no pending attachment behind.
    from . import storage

    url, fields = storage.presigned_upload(
        original_key(attachment_id), declared, size, UPLOAD_SECONDS
    )
    now = clock.now()
    attachment = Attachment(
        schema.attachment_pk(attachment_id),
        schema.ATTACHMENT_SK,
        attachment_id=attachment_id,
        owner=member.user_id,
        filename=clean_filename(filename),
        content_type=declared,
        size=size,
        purpose=purpose,
        status=PENDING,
        created_at=clock.iso(now),
        expires_at=now + UNUSED_LIFETIME,
    )
    attachment.save(condition=Attachment.pk.does_not_exist())
    return Upload(attachment=attachment, url=url, fields=fields)


def upload_again(member: Member, attachment_id: str) -> Upload:
    """The member's attachment with a fresh presigned POST for its original (as declared)."""
    from . import storage

    attachment = find(attachment_id, consistent=True)
    if attachment is None or attachment.owner != member.user_id:
        raise NotFound(f"There is no upload of yours with the id {attachment_id!r}.")
    url, fields = storage.presigned_upload(
        original_key(attachment_id),
        str(attachment.content_type),
        int(attachment.size),
        UPLOAD_SECONDS,
    )
    return Upload(attachment=attachment, url=url, fields=fields)


# --- reading ----------------------------------------------------------------------------------


def _expired(attachment: Attachment, now: datetime | None = None) -> bool:
    # DynamoDB deletes expired items up to a few days late (and moto never does).
    expires = attachment.expires_at
    return expires is not None and expires <= (now or clock.now())


def find(attachment_id: str, consistent: bool = False) -> Attachment | None:
    """The attachment, or None when it does not exist (or expired unused)."""
    if not ID_PATTERN.match(attachment_id):
        return None
    try:
        attachment = Attachment.get(
            schema.attachment_pk(attachment_id), schema.ATTACHMENT_SK, consistent_read=consistent
        )
    except Attachment.DoesNotExist:
        return None
    return None if _expired(attachment) else attachment


def get_attachment(attachment_id: str) -> Attachment:
    found = find(attachment_id)
    if found is None:
        raise NotFound(f"There is no attachment with the id {attachment_id!r}.")
    return found


def _batch(ids: Sequence[str]) -> dict[str, Attachment]:
    keys = [(schema.attachment_pk(i), schema.ATTACHMENT_SK) for i in ids if ID_PATTERN.match(i)]
    if not keys:
        return {}
    now = clock.now()
    return {
        item.attachment_id: item
        for item in Attachment.batch_get(keys, consistent_read=True)
        if not _expired(item, now)
    }


# --- attaching to posts -----------------------------------------------------------------------


def requested_ids(attachment_ids: Iterable[str]) -> list[str]:
    """The ids as given, each once, in their order; at most ``MAX_PER_POST``."""
    ids = list(dict.fromkeys(attachment_ids))
    if len(ids) > MAX_PER_POST:
        raise Invalid(f"A post has at most {MAX_PER_POST} attachments.", _FIELD)
    return ids


def for_post(member: Member, attachment_ids: Sequence[str], use: str) -> list[Attachment]:
    """The attachments a new post of ``member`` names, read with one BatchGetItem, in order.

    Each must be an upload of the member's, made for posts, pending or ready, and not in use
    by another post. Raises 422 (or 409 for one used elsewhere) with the reason otherwise.
    """
    ids = requested_ids(attachment_ids)
    return _checked(member, ids, use, _batch(ids) if ids else {}, kept=())


def for_edit(
    member: Member, attachment_ids: Sequence[str], use: str, current: Sequence[str]
) -> tuple[list[Attachment], list[str]]:
    """What an edit of a post does to its attachments, read with one BatchGetItem: the
    attachments it will show (checked as for a new post, except that those the post shows
    already may be someone else's: a moderator's edit keeps the author's images) and the ids
    of those it stops using (which are then free again)."""
    ids = requested_ids(attachment_ids)
    found = _batch([*ids, *(i for i in current if i not in ids)]) if ids or current else {}
    attached = _checked(member, ids, use, found, kept=current)
    released = [i for i in current if i not in ids and i in found and found[i].attached_to == use]
    return attached, released


def _checked(
    member: Member,
    ids: Sequence[str],
    use: str,
    found: dict[str, Attachment],
    kept: Iterable[str],
) -> list[Attachment]:
    kept_ids = set(kept)
    result = []
    for attachment_id in ids:
        attachment = found.get(attachment_id)
        if attachment is None or (
            attachment.owner != member.user_id and attachment_id not in kept_ids
        ):
            raise Invalid(f"There is no upload of yours with the id {attachment_id!r}.", _FIELD)
        if attachment.purpose != POST:
            raise Invalid(f"{attachment.filename!r} was uploaded as an avatar.", _FIELD)
        if attachment.status == FAILED and attachment_id not in kept_ids:
            raise Invalid(
                f"{attachment.filename!r} cannot be attached: {attachment.reason}", _FIELD
            )
        if attachment.attached_to not in (None, use):
            raise Conflict(f"{attachment.filename!r} is attached to another post already.")
        result.append(attachment)
    return result


def _key(attachment_id: str) -> Attachment:
    return Attachment(schema.attachment_pk(attachment_id), schema.ATTACHMENT_SK)


def _unchanged(attachment: Attachment) -> Condition:
    """The attachment is still its owner's and in the state read (the thumbnail function may
    have finished it since: then the copy a post would keep is out of date)."""
    return (Attachment.owner == attachment.owner) & (Attachment.status == attachment.status)


def attach(tx: Transaction, attachments: Sequence[Attachment], use: str) -> None:
    """Mark the attachments as used by ``use``, in the transaction that writes the post (its
    items named "attachments")."""
    for attachment in attachments:
        tx.update(
            ATTACHMENTS,
            _key(attachment.attachment_id),
            actions=[Attachment.attached_to.set(use), Attachment.expires_at.remove()],
            condition=_unchanged(attachment)
            & (Attachment.attached_to.does_not_exist() | (Attachment.attached_to == use)),
        )


def release(
    tx: Transaction,
    attachment_ids: Iterable[str],
    use: str,
    for_good: bool = False,
    name: str = ATTACHMENTS,
) -> None:
    """The post no longer uses these: they may be used again, or expire unused (the items are
    added under ``name``).

    ``for_good``: the post was removed, and its images go with it: they expire at once (no
    longer found, and deleted with their images when DynamoDB deletes the item).
    """
    expires = clock.now() + (timedelta(0) if for_good else UNUSED_LIFETIME)
    for attachment_id in attachment_ids:
        tx.update(
            name,
            _key(attachment_id),
            actions=[Attachment.attached_to.remove(), Attachment.expires_at.set(expires)],
            condition=Attachment.attached_to == use,
        )


def entry(attachment: Attachment) -> PostAttachment:
    """The copy of an attachment a post keeps: what its page shows."""
    return PostAttachment(
        id=attachment.attachment_id,
        filename=attachment.filename,
        status=attachment.status,
        reason=attachment.reason,
        width=attachment.width,
        height=attachment.height,
        thumb_width=attachment.thumb_width,
        thumb_height=attachment.thumb_height,
        thumb_key=attachment.thumb_key,
        display_key=attachment.display_key,
    )


def entries(attachments: Sequence[Attachment]) -> list[PostAttachment] | None:
    return [entry(attachment) for attachment in attachments] or None


# --- avatars ----------------------------------------------------------------------------------


def for_avatar(member: Member, attachment_id: str) -> Attachment:
    """An upload of the member's made as an avatar, pending or ready; 422 otherwise."""
    attachment = find(attachment_id, consistent=True)
    if attachment is None or attachment.owner != member.user_id:
        raise Invalid(
            f"There is no upload of yours with the id {attachment_id!r}.", "avatar_attachment_id"
        )
    if attachment.purpose != AVATAR:
        raise Invalid(
            'Upload the picture as an avatar (purpose "avatar") to use it as one.',
            "avatar_attachment_id",
        )
    if attachment.status == FAILED:
        raise Invalid(
            f"{attachment.filename!r} cannot be used: {attachment.reason}", "avatar_attachment_id"
        )
    return attachment


def avatar_actions(attachment: Attachment) -> list[Any]:
    """The profile's changes that make ``attachment`` its avatar (its images once ready)."""
    return [Profile.avatar_attachment_id.set(attachment.attachment_id), *_avatar_images(attachment)]


def _avatar_images(attachment: Attachment) -> list[Any]:
    if attachment.status == READY and attachment.thumb_key and attachment.display_key:
        return [
            Profile.avatar_thumb_key.set(attachment.thumb_key),
            Profile.avatar_display_key.set(attachment.display_key),
        ]
    return [Profile.avatar_thumb_key.remove(), Profile.avatar_display_key.remove()]


def use_as_avatar(tx: Transaction, attachment: Attachment) -> None:
    """Mark the attachment used as its owner's avatar, in the transaction that sets it (the
    item named "avatar")."""
    tx.update(
        "avatar",
        _key(attachment.attachment_id),
        actions=[Attachment.attached_to.set(AVATAR_USE), Attachment.expires_at.remove()],
        condition=_unchanged(attachment),
    )


# --- the thumbnail function's writes ----------------------------------------------------------


def _settle(attachment_id: str, actions: list[Any], condition: Condition) -> Attachment | None:
    """Apply one conditional write; the attachment as it is then, or None if the condition
    did not hold (the caller reads it again to see why)."""
    attachment = _key(attachment_id)
    try:
        attachment.update(actions=actions, condition=condition)
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return None
        raise
    return attachment


def mark_ready(
    attachment_id: str,
    *,
    width: int,
    height: int,
    thumb_width: int,
    thumb_height: int,
    thumb_key: str,
    display_key: str,
    media_type: str,
) -> Attachment | None:
    """The images are made: one conditional write. Writing it again with the same keys (a
    redelivered message) gives the same record; None if it is failed, or ready with others."""
    return _settle(
        attachment_id,
        [
            Attachment.status.set(READY),
            Attachment.width.set(width),
            Attachment.height.set(height),
            Attachment.thumb_width.set(thumb_width),
            Attachment.thumb_height.set(thumb_height),
            Attachment.thumb_key.set(thumb_key),
            Attachment.display_key.set(display_key),
            Attachment.media_type.set(media_type),
            Attachment.processed_at.set(Attachment.processed_at | clock.now_iso()),
            Attachment.reason.remove(),
            Attachment.failure.remove(),
        ],
        (Attachment.status == PENDING)
        | (
            (Attachment.status == READY)
            & (Attachment.thumb_key == thumb_key)
            & (Attachment.display_key == display_key)
        ),
    )


def mark_failed(attachment_id: str, reason: str, code: str) -> Attachment | None:
    """The upload cannot become an image: one conditional write, never over a ready one."""
    return _settle(
        attachment_id,
        [
            Attachment.status.set(FAILED),
            Attachment.reason.set(reason),
            Attachment.failure.set(code),
            Attachment.processed_at.set(Attachment.processed_at | clock.now_iso()),
        ],
        (Attachment.status == PENDING) | (Attachment.status == FAILED),
    )


PUBLISH_ATTEMPTS = 5


def publish(attachment: Attachment) -> None:
    """Bring the copies of a finished attachment up to date: the post that uses it, or the
    avatar keys of its owner's profile while the profile shows it. Safe to repeat."""
    if attachment.status == PENDING:
        return
    if attachment.purpose == AVATAR:
        _publish_avatar(attachment)
    elif attachment.attached_to and attachment.attached_to != AVATAR_USE:
        topic_id, _slash, number = attachment.attached_to.rpartition("/")
        if topic_id and number.isdigit():
            _publish_to_post(attachment, topic_id, int(number))


def _publish_avatar(attachment: Attachment) -> None:
    profile = Profile(schema.user_pk(attachment.owner), schema.PROFILE_SK)
    try:
        profile.update(
            actions=_avatar_images(attachment),
            condition=Profile.avatar_attachment_id == attachment.attachment_id,
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        # The profile shows another avatar (or none) by now: nothing to bring up to date.


def _publish_to_post(attachment: Attachment, topic_id: str, number: int) -> None:
    pk, sk = schema.topic_pk(topic_id), schema.post_sk(number)
    update = entry(attachment)
    for _attempt in Retries(PUBLISH_ATTEMPTS, backoff=False):
        try:
            post = Post.get(pk, sk, consistent_read=True)
        except Post.DoesNotExist:
            return
        current = [item.id for item in post.attachments or []]
        if attachment.attachment_id not in current:
            return  # an edit took it off the post meanwhile
        index = current.index(attachment.attachment_id)
        if (post.attachments or [])[index].as_dict() == update.as_dict():
            return  # up to date already (a redelivered message)
        # Not through Post.update: that would bump the post's version, which belongs to edits.
        try:
            Post._get_connection().update_item(
                pk,
                range_key=sk,
                actions=[Post.attachments[index].set(update)],
                condition=Post.attachments[index]["id"] == attachment.attachment_id,
            )
            return
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
            # The post's attachments changed between the read and the write: read again.
    raise Busy(
        _("The post {post} kept changing; its attachment will be retried.").format(
            post=f"{topic_id}/{number}"
        )
    )


# --- when an attachment item is gone -----------------------------------------------------------


def removed_attachment_id(keys: Mapping[str, Any]) -> str | None:
    """The id of the attachment whose item these keys name (a stream record's ``Keys``, as
    Python values), None for any other item or an id that is not one of ours."""
    pk, sk = keys.get(schema.PARTITION_KEY), keys.get(schema.SORT_KEY)
    if not isinstance(pk, str) or sk != schema.ATTACHMENT_SK:
        return None
    if not pk.startswith(schema.ATTACHMENT_PK_PREFIX):
        return None
    attachment_id = pk.removeprefix(schema.ATTACHMENT_PK_PREFIX)
    # The pattern also keeps the folder below from being "media//" or a parent of others.
    return attachment_id if ID_PATTERN.match(attachment_id) else None


def delete_images(attachment_id: str) -> int:
    """Delete the derived images of an attachment whose item is gone; how many there were.
    Safe to repeat. The original is left to the uploads bucket's lifecycle rule, which deletes
    it a day after the upload: an item expires two days after it at the earliest, so the
    original is gone already (and the function needs no permission on the uploads bucket)."""
    from . import storage

    if not ID_PATTERN.match(attachment_id):
        raise ValueError(f"not an attachment id: {attachment_id!r}")
    return storage.delete_under(get_settings().media_bucket, media_folder(attachment_id))


# --- what pages show --------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """A ready image of a post, as a page shows it: the thumbnail opens the display image."""

    id: str
    filename: str
    thumb_url: str
    display_url: str
    width: int | None
    height: int | None
    thumb_width: int | None
    thumb_height: int | None

    @property
    def alt(self) -> str:
        return self.filename


def _int(value: Any) -> int | None:
    return int(value) if value is not None else None


def shown(post: Post) -> list[Shown]:
    """The images a page shows under a post: its ready attachments (none once it is removed)."""
    if post.removed:
        return []
    found = []
    for item in post.attachments or []:
        thumb, display = media_url(item.thumb_key), media_url(item.display_key)
        if item.status != READY or thumb is None or display is None:
            continue
        found.append(
            Shown(
                id=item.id,
                filename=item.filename,
                thumb_url=thumb,
                display_url=display,
                width=_int(item.width),
                height=_int(item.height),
                thumb_width=_int(item.thumb_width),
                thumb_height=_int(item.thumb_height),
            )
        )
    return found
