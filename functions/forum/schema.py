"""The one DynamoDB table: key names, index names and attribute names, defined once.

The PynamoDB models, the CDK table construct and the local runtime all read these, so the table
that exists in AWS, in moto and in the code can never drift apart.

Item layout (pk / sk):
  BOARDS           / BOARD#{board_id}         a board with its counters and last post
  TOPIC#{topic_id} / TOPIC                    a topic header with its counters
  TOPIC#{topic_id} / POST#{number:010d}       a post; numbers are dense per topic, 1 = opening post
  TOPIC#{topic_id} / PRESENCE#{window}        members / guests counted in one presence window
  TOPIC#{topic_id} / VIEWER#{kind}#{id}       when a viewer was last seen on the topic (TTL)
  USER#{user_id}   / PROFILE                  a member's profile: username, display name, about,
                                              avatar, joined_at, post and topic counts, role, ban
  USERNAME#{skeleton} / USERNAME              who holds a username; {skeleton} is the name's
                                              skeleton (forum.usernames: case and look-alikes
                                              folded) and the item is written only if absent, so
                                              one name, and every name that looks like it, belongs
                                              to one member. TTL while a sign-up is pending.
                                              (Claims made before skeletons were keyed by the
                                              lower-case name; lookups still find them.) A
                                              deleted account's claim keeps its name reserved,
                                              then expires (TTL, forum:usernameGraceDays).
  SIGNUPS#{kind}#{digest} / {window}          sign-ups counted per IP address (kind "ip", an hour)
                                              or per email address ("email", a day); {digest}
                                              is a hash, so no address is kept in a key. TTL.
  RESETS#{kind}#{digest} / {window}           password resets counted per IP address ("ip", an
                                              hour), per name asked for ("name", a day) and per
                                              account mailed ("account", a day, by the Cognito
                                              custom message trigger); hashes again. TTL.
  ATTACHMENT#{id}  / ATTACHMENT               an uploaded image: owner (sub), filename (cleaned for
                                              display), declared content type and size, purpose
                                              (post|avatar), status pending|ready|failed and the
                                              reason of a failure, the display image's width and
                                              height, the derived images' keys and content type,
                                              created_at, attached_to ("{topic_id}/{number}" or
                                              "avatar") once used. TTL (expires_at) while it is
                                              unused: an upload nobody attaches goes away, and
                                              the table's stream (keys only) has the media
                                              cleanup function delete its images.
  IDEMPOTENCY#{user_id} / {operation}#{hash}  a request a member sent with an Idempotency-Key and
                                              its answer (Powertools idempotency; api.idempotency);
                                              TTL a day. One partition per member, so no key is hot.
  IDEMPOTENCY#{user_id} / RECEIPT#{operation}#{digest}
                                              the mark a keyed create leaves in its own
                                              transaction (forum.receipts): what it made and a
                                              hash of its payload; {digest} is the key's sha256.
                                              Written only if absent, so a retry that finds it
                                              writes nothing, whenever the first one died.
                                              TTL a day.
  USER#{user_id}   / READ#{topic_id}          how far the member has read a topic: the highest
                                              post number a page of theirs showed (forum.reading;
                                              it only moves forward, by a conditional update)
  USER#{user_id}   / READMARKS                the member's "mark all read" time (phpBB's
                                              user_lastmark) and one attribute per board they
                                              marked read, ``mark#{board_id}``: each mark is one
                                              write, whatever the number of topics
  SEARCH#INDEX     / WRITER                   the search index's one writer (forum.search.lease):
                                              who holds it and until when (epoch seconds)
  WATCHERS#topic#{topic_id} / {user_id}     a member watching (or muting: level "muted") a topic,
                                              with what the notifier last told them of it: the
                                              post numbers recently notified (so a message
                                              delivered twice or late tells nothing twice) and
                                              the unread entry replies collapse into ("open").
                                              Queried in pages by the notifier (forum.notifier).
  WATCHERS#board#{board_id} / {user_id}     a member watching a board (new topics).
  USER#{user_id}   / WATCH#{what}#{id}        the same watch seen from the member: their
                                              "Watched" list (what = topic | board), with the
                                              title or name it had. Written with the one above.
  NOTIFY#{user_id} / N#{notification_id}     one notification of a member (forum.notifications):
                                              {notification_id} is {at}.{topic_id}.{number}.{kind}
                                              ({at} the compact UTC time it was made, so newest
                                              first is one descending Query); kind reply (several
                                              collapse into one until read), topic, mention,
                                              quote, removed, moved, locked. TTL 90 days.

user_id is the member's Cognito ``sub``. A member's post_count and topic_count change in the same
transactions that write or remove their posts, so they are exact; a ban is an ISO date in
``banned_until`` (BANNED_FOREVER for a ban without end), checked in those transactions too, as
is ``deleted_at``, set when the account's deletion begins (forum.deletion). A deleted member's
profile, and the copies of their name on posts, topics and boards, say DELETED_MEMBER.

The original of an attachment is uploaded to ``originals/{id}`` in the uploads bucket; the
thumbnail function writes ``media/{id}/thumb.{ext}`` and ``media/{id}/display.{ext}`` to the
media bucket. A post keeps a copy of what a page shows of each of its attachments
(``attachments``), brought up to date by the thumbnail function when the images are made, so a
topic page reads no attachment items; a profile keeps its avatar's image keys the same way.
  MAIL#{user_id} / HOUR#{yyyy-mm-ddThh}       the forum's mails to a member in a clock hour
                                              (forum.mail's cap). TTL.
  MAIL#{user_id} / OFF#{kind}                 the member unsubscribed from this kind of mail
                                              (a one-click link, forum.unsubscribe).
  MAIL#{user_id} / USED#{digest}              an unsubscribe link already used (its sha256).
  SUPPRESSED#{digest} / SUPPRESSED            SES reported a bounce or complaint for an
                                              address (sha256 of it in lower case): no mail
                                              goes there again (forum.mail_records).

Indexes:
  board_topics  gsi1pk = BOARD#{board_id}; gsi1sk = {pinned 1|0}#{last activity}#{topic_id} for a
                topic, "~" for the board itself, so one descending Query yields the board and
                then its topics pinned first, newest activity first.
  user_posts    gsi2pk = USER#{user_id};   gsi2sk = {created_at}#{topic_id}#{number}
                for a post; a removed post moves to gsi2pk = REMOVED#{user_id} under the same
                gsi2sk, off the member's page but still theirs to export (forum.export).
                (Posts removed before that left the index: forum.removed_posts puts them back.)
  recent_topics gsi3pk = RECENT#{shard}; sort key the topic's own ``last_activity``: every topic
                of every board, newest activity first, for the Unread page (forum.recent). A
                topic's shard is fixed when it is made (a hash of its id, RECENT_TOPICS_SHARDS
                of them), so the index's writes spread over that many partitions; a reply
                already sets last_activity, so the index costs the reply no request.
                (Topics made before the index get their shard from forum.recent, once.)
"""

from __future__ import annotations

import hashlib
from typing import Any

from . import usernames

PARTITION_KEY = "pk"
SORT_KEY = "sk"
TTL_ATTRIBUTE = "expires_at"

BOARD_TOPICS_INDEX = "board_topics"
BOARD_TOPICS_PK = "gsi1pk"
BOARD_TOPICS_SK = "gsi1sk"

USER_POSTS_INDEX = "user_posts"
USER_POSTS_PK = "gsi2pk"
USER_POSTS_SK = "gsi2sk"

RECENT_TOPICS_INDEX = "recent_topics"
RECENT_TOPICS_PK = "gsi3pk"
# The topic's own attribute: DynamoDB indexes any attribute, so the index needs no copy of it.
RECENT_TOPICS_SK = "last_activity"
# Each shard takes 1/N of the index's writes; the Unread page reads all N (one Query each), so
# N stays small: 2 shards and the page's one BatchGetItem are its 3 requests.
RECENT_TOPICS_SHARDS = 2

# (index name, partition key attribute, sort key attribute); every index projects all attributes.
# A deployed table cannot change an index's keys or projection (only add or drop whole indexes,
# one per deploy): a change here is a new index under a new name, rolled out in two deploys.
GLOBAL_INDEXES: tuple[tuple[str, str, str], ...] = (
    (BOARD_TOPICS_INDEX, BOARD_TOPICS_PK, BOARD_TOPICS_SK),
    (USER_POSTS_INDEX, USER_POSTS_PK, USER_POSTS_SK),
    (RECENT_TOPICS_INDEX, RECENT_TOPICS_PK, RECENT_TOPICS_SK),
)

BOARDS_PK = "BOARDS"
BOARD_SK_PREFIX = "BOARD#"
TOPIC_PK_PREFIX = "TOPIC#"
TOPIC_SK = "TOPIC"
POST_SK_PREFIX = "POST#"
# Post numbers in keys are zero-padded to this many digits (forum.paging stops short of more).
POST_NUMBER_DIGITS = 10
PRESENCE_SK_PREFIX = "PRESENCE#"
VIEWER_SK_PREFIX = "VIEWER#"
BOARD_GSI_PREFIX = "BOARD#"
USER_GSI_PREFIX = "USER#"
REMOVED_POSTS_GSI_PREFIX = "REMOVED#"
USER_PK_PREFIX = "USER#"
PROFILE_SK = "PROFILE"
USERNAME_PK_PREFIX = "USERNAME#"
USERNAME_SK = "USERNAME"
SIGN_UPS_PK_PREFIX = "SIGNUPS#"
PASSWORD_RESETS_PK_PREFIX = "RESETS#"
ATTACHMENT_PK_PREFIX = "ATTACHMENT#"
ATTACHMENT_SK = "ATTACHMENT"
MAIL_PK_PREFIX = "MAIL#"
MAIL_HOUR_SK_PREFIX = "HOUR#"
MAIL_OFF_SK_PREFIX = "OFF#"
MAIL_USED_SK_PREFIX = "USED#"
SUPPRESSED_PK_PREFIX = "SUPPRESSED#"
SUPPRESSED_SK = "SUPPRESSED"
IDEMPOTENCY_PK_PREFIX = "IDEMPOTENCY#"
RECEIPT_SK_PREFIX = "RECEIPT#"
RECENT_GSI_PREFIX = "RECENT#"
READ_SK_PREFIX = "READ#"
READ_MARKS_SK = "READMARKS"
# The attribute of a board's mark on the member's READMARKS item.
BOARD_MARK_PREFIX = "mark#"
SEARCH_LEASE_PK = "SEARCH#INDEX"
SEARCH_LEASE_SK = "WRITER"
WATCHERS_PK_PREFIX = "WATCHERS#"
WATCH_SK_PREFIX = "WATCH#"
NOTIFY_PK_PREFIX = "NOTIFY#"
NOTIFICATION_SK_PREFIX = "N#"
# Where an attachment's original is uploaded (uploads bucket) and its images are kept (media).
ORIGINALS_PREFIX = "originals/"
MEDIA_PREFIX = "media/"
# Sorts after every ISO date, so "banned_until < now" is false for a ban without end.
BANNED_FOREVER = "9999-12-31T23:59:59.999999Z"
# The name a deleted member's profile and the copies of it on posts, topics and boards keep
# (forum.deletion): no username can be it (forum.usernames: letters, digits, "_" and "-").
DELETED_MEMBER = "~deleted"
# Sorts after every topic key ("0#…", "1#…"), so the board comes first in a descending Query.
BOARD_HEADER_GSI_SK = "~"


def board_sk(board_id: str) -> str:
    return f"{BOARD_SK_PREFIX}{board_id}"


def topic_pk(topic_id: str) -> str:
    return f"{TOPIC_PK_PREFIX}{topic_id}"


def post_sk(number: int) -> str:
    # Zero-padded so that the lexical order of sort keys is the numeric order of posts.
    return f"{POST_SK_PREFIX}{number:0{POST_NUMBER_DIGITS}d}"


def board_gsi_pk(board_id: str) -> str:
    return f"{BOARD_GSI_PREFIX}{board_id}"


def topic_order_key(pinned: bool, last_activity: str, topic_id: str) -> str:
    return f"{1 if pinned else 0}#{last_activity}#{topic_id}"


def user_gsi_pk(user_id: str) -> str:
    return f"{USER_GSI_PREFIX}{user_id}"


def removed_posts_gsi_pk(user_id: str) -> str:
    """Where a member's removed posts are in the user_posts index."""
    return f"{REMOVED_POSTS_GSI_PREFIX}{user_id}"


def user_post_key(created_at: str, topic_id: str, number: int) -> str:
    return f"{created_at}#{topic_id}#{number:0{POST_NUMBER_DIGITS}d}"


def user_pk(user_id: str) -> str:
    return f"{USER_PK_PREFIX}{user_id}"


def username_pk(username: str) -> str:
    # By skeleton: "Alice", "alice" and "AIice" claim the same item.
    return f"{USERNAME_PK_PREFIX}{usernames.skeleton(username)}"


def legacy_username_pk(username: str) -> str:
    """Where a claim made before skeletons lies: under the lower-case name."""
    return f"{USERNAME_PK_PREFIX}{username.lower()}"


def sign_ups_pk(kind: str, digest: str) -> str:
    return f"{SIGN_UPS_PK_PREFIX}{kind}#{digest}"


def password_resets_pk(kind: str, digest: str) -> str:
    return f"{PASSWORD_RESETS_PK_PREFIX}{kind}#{digest}"


def attachment_pk(attachment_id: str) -> str:
    return f"{ATTACHMENT_PK_PREFIX}{attachment_id}"


def idempotency_pk(user_id: str) -> str:
    return f"{IDEMPOTENCY_PK_PREFIX}{user_id}"


def receipt_sk(operation: str, key_digest: str) -> str:
    return f"{RECEIPT_SK_PREFIX}{operation}#{key_digest}"


def recent_topics_pk(topic_id: str) -> str:
    """The recent_topics shard of a topic: fixed by its id, so it never moves."""
    shard = int.from_bytes(hashlib.sha256(topic_id.encode()).digest()[:4], "big")
    return f"{RECENT_GSI_PREFIX}{shard % RECENT_TOPICS_SHARDS}"


def recent_topics_shards() -> list[str]:
    return [f"{RECENT_GSI_PREFIX}{shard}" for shard in range(RECENT_TOPICS_SHARDS)]


def read_sk(topic_id: str) -> str:
    return f"{READ_SK_PREFIX}{topic_id}"


def board_mark_attribute(board_id: str) -> str:
    return f"{BOARD_MARK_PREFIX}{board_id}"


def watchers_pk(what: str, thing_id: str) -> str:
    """The partition of a topic's or a board's watchers (what: "topic" or "board")."""
    return f"{WATCHERS_PK_PREFIX}{what}#{thing_id}"


def watch_sk(what: str, thing_id: str) -> str:
    """Where the member's own copy of a watch lies in their USER# partition."""
    return f"{WATCH_SK_PREFIX}{what}#{thing_id}"


def notify_pk(user_id: str) -> str:
    return f"{NOTIFY_PK_PREFIX}{user_id}"


def notification_sk(notification_id: str) -> str:
    return f"{NOTIFICATION_SK_PREFIX}{notification_id}"


def create_table_arguments(table_name: str) -> dict[str, Any]:
    """The boto3 ``create_table`` arguments for this table (moto in tests and the local runtime)."""
    attributes = {PARTITION_KEY, SORT_KEY}
    for _, index_pk, index_sk in GLOBAL_INDEXES:
        attributes.update((index_pk, index_sk))
    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [
            {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
            {"AttributeName": SORT_KEY, "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": "S"} for name in sorted(attributes)
        ],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": name,
                "KeySchema": [
                    {"AttributeName": index_pk, "KeyType": "HASH"},
                    {"AttributeName": index_sk, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
            for name, index_pk, index_sk in GLOBAL_INDEXES
        ],
    }


def mail_pk(user_id: str) -> str:
    return f"{MAIL_PK_PREFIX}{user_id}"


def suppressed_pk(digest: str) -> str:
    return f"{SUPPRESSED_PK_PREFIX}{digest}"
