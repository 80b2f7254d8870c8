"""What the forum remembers about its own mail: a member's mails in the hour (the cap), the
kinds a member unsubscribed from, the unsubscribe links already used, and the addresses SES
said bounce or complain (suppressed: nothing is sent there again). Keys in forum.schema."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError, UpdateError

from . import schema
from .models import ForumItem


def address_digest(address: str) -> str:
    """An address as the keys hold it: a hash of it in lower case, never the address."""
    return hashlib.sha256(address.strip().casefold().encode()).hexdigest()


class MailCount(ForumItem, discriminator="mail_count"):
    """The forum's mails to one member in one clock hour."""

    sent = NumberAttribute()
    expires_at = TTLAttribute(attr_name=schema.TTL_ATTRIBUTE)


class MailOptOut(ForumItem, discriminator="mail_opt_out"):
    """A member unsubscribed from one kind of mail."""

    mail_kind = UnicodeAttribute()
    at = UnicodeAttribute()


class UsedUnsubscribe(ForumItem, discriminator="used_unsubscribe"):
    """An unsubscribe link already followed (kept as long as a link is valid)."""

    expires_at = TTLAttribute(attr_name=schema.TTL_ATTRIBUTE)


class Suppression(ForumItem, discriminator="suppression"):
    """An address SES reported (bounce or complaint): the forum mails it no more."""

    reason = UnicodeAttribute()  # "bounce" or "complaint"
    at = UnicodeAttribute()


def count_mail(user_id: str, moment: datetime, cap: int) -> bool:
    """Count one mail to the member in this clock hour; False (nothing counted) at the cap."""
    if cap <= 0:
        return True
    hour = moment.replace(minute=0, second=0, microsecond=0)
    item = MailCount(schema.mail_pk(user_id), f"{schema.MAIL_HOUR_SK_PREFIX}{hour:%Y-%m-%dT%H}")
    try:
        item.update(
            actions=[
                MailCount.kind.set(MailCount),
                MailCount.sent.add(1),
                MailCount.expires_at.set(hour + timedelta(hours=2)),
            ],
            condition=MailCount.sent.does_not_exist() | (MailCount.sent < cap),
        )
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def opt_out(user_id: str, kind: str, moment: datetime) -> None:
    MailOptOut(
        schema.mail_pk(user_id),
        f"{schema.MAIL_OFF_SK_PREFIX}{kind}",
        mail_kind=kind,
        at=moment.isoformat(),
    ).save()


def use_link(user_id: str, digest: str, until: datetime) -> bool:
    """Mark an unsubscribe link used; False when it was already."""
    item = UsedUnsubscribe(
        schema.mail_pk(user_id), f"{schema.MAIL_USED_SK_PREFIX}{digest}", expires_at=until
    )
    try:
        item.save(condition=UsedUnsubscribe.pk.does_not_exist())
    except PutError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def suppress(address: str, reason: str, moment: datetime) -> None:
    Suppression(
        schema.suppressed_pk(address_digest(address)),
        schema.SUPPRESSED_SK,
        reason=reason,
        at=moment.isoformat(),
    ).save()


def refusals(user_id: str, kind: str, address: str) -> tuple[bool, bool]:
    """(opted out of this kind, address suppressed), in one BatchGetItem."""
    keys = [
        (schema.mail_pk(user_id), f"{schema.MAIL_OFF_SK_PREFIX}{kind}"),
        (schema.suppressed_pk(address_digest(address)), schema.SUPPRESSED_SK),
    ]
    found = {(item.pk, item.sk) for item in ForumItem.batch_get(keys)}
    return keys[0] in found, keys[1] in found
