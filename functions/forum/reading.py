"""What a member has read: a read position per topic, and the marks of "mark all read" and
"mark this board read" (SMF's and phpBB's semantics; schema.py: READ#{topic}, READMARKS).

- A **read position** is the highest post number a page of the member's showed. The topic
  page's member heartbeat carries it (forum.presence); it is written by one conditional update
  that only moves it forward, so a page seen again, an older tab or a beat sent twice changes
  nothing. The page sends it only when it shows more than the member had read, so a page
  viewed costs at most one write, and none when nothing advanced.
- **Mark all read** stores one time (phpBB's ``user_lastmark``): every post older is read.
  **Mark this board read** stores one time for that board. Each is one write whatever the
  number of topics; a topic is read up to the later of the two.

Everything a page needs of this comes in the one BatchGetItem of the page's overlay
(``fetch``): the member's marks item and the read positions of the topics it shows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import PutError, UpdateError

from . import clock, schema
from .errors import Busy
from .models import ForumItem, ReadMarks, ReadPosition

Key = tuple[str, str]
# BatchGetItem's own limit of keys per request.
BATCH_LIMIT = 100


def marks_key(user_id: str) -> Key:
    return (schema.user_pk(user_id), schema.READ_MARKS_SK)


def read_key(user_id: str, topic_id: str) -> Key:
    return (schema.user_pk(user_id), schema.read_sk(topic_id))


def topic_key(topic_id: str) -> Key:
    return (schema.topic_pk(topic_id), schema.TOPIC_SK)


def fetch(keys: Iterable[Key]) -> dict[Key, ForumItem]:
    """The items under these keys (at most 100), in one BatchGetItem; a ``ReadMarks`` comes with
    its board marks, which PynamoDB alone would not read (they are not declared attributes)."""
    wanted = list(dict.fromkeys(keys))
    if len(wanted) > BATCH_LIMIT:
        raise ValueError(f"{len(wanted)} keys: one BatchGetItem reads at most {BATCH_LIMIT}.")
    found: dict[Key, ForumItem] = {}
    if not wanted:
        return found
    connection = ForumItem._get_connection()
    table = ForumItem.Meta.table_name
    pending: list[dict[str, Any]] = [
        {schema.PARTITION_KEY: pk, schema.SORT_KEY: sk} for pk, sk in wanted
    ]
    while pending:
        data = connection.batch_get_item(pending)  # type: ignore[arg-type]  # keys as dicts, as PynamoDB passes them
        for raw in (data.get("Responses") or {}).get(table, []):
            item = ForumItem.from_raw_data(raw)
            if isinstance(item, ReadMarks):
                item.boards = _board_marks(raw)
            found[(raw[schema.PARTITION_KEY]["S"], raw[schema.SORT_KEY]["S"])] = item
        # Only when DynamoDB is short of capacity: ask again for what it left out.
        left = ((data.get("UnprocessedKeys") or {}).get(table) or {}).get("Keys") or []
        pending = [{name: value["S"] for name, value in key.items()} for key in left]
    return found


def _board_marks(raw: dict[str, Any]) -> dict[str, str]:
    prefix = schema.BOARD_MARK_PREFIX
    return {
        name[len(prefix) :]: str(value["S"])
        for name, value in raw.items()
        if name.startswith(prefix) and "S" in value
    }


def mark_of(marks: ReadMarks | None, board_id: str) -> str:
    """Until when everything in the board counts as read for the member ("" for never)."""
    if marks is None:
        return ""
    return max(marks.all_read_at or "", marks.boards.get(board_id, ""))


def record_read(user_id: str, topic_id: str, number: int) -> bool:
    """Move the member's read position in the topic forward to ``number``; whether it moved.

    One conditional update: nothing changes when they had read as far or further."""
    position = ReadPosition(*read_key(user_id, topic_id))
    try:
        position.update(
            actions=[
                ReadPosition.kind.set(ReadPosition),
                ReadPosition.topic_id.set(topic_id),
                ReadPosition.number.set(number),
                ReadPosition.read_at.set(clock.now_iso()),
            ],
            condition=ReadPosition.number.does_not_exist() | (ReadPosition.number < number),
        )
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise Busy() from error
    return True


def mark_all_read(user_id: str) -> str:
    """Everything posted until now counts as read: one write. Returns the mark.

    The item is written anew: the boards' marks, all older than this one, go with it, so the
    item never grows past the boards marked since."""
    at = clock.now_iso()
    try:
        ReadMarks(*marks_key(user_id), all_read_at=at).save()
    except PutError as error:
        raise Busy() from error
    return at


def mark_board_read(user_id: str, board_id: str) -> str:
    """Everything posted in the board until now counts as read: one write."""
    at = clock.now_iso()
    name = schema.board_mark_attribute(board_id)
    # An attribute of its own per board (see models.ReadMarks): set without reading the item.
    attribute = UnicodeAttribute(attr_name=name)
    attribute.attr_path = [name]
    _mark(user_id, [attribute.set(at)])
    return at


def _mark(user_id: str, actions: list[Any]) -> None:
    marks = ReadMarks(*marks_key(user_id))
    try:
        marks.update(actions=[ReadMarks.kind.set(ReadMarks), *actions])
    except UpdateError as error:
        raise Busy() from error
