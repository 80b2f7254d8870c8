"""Reading a request's JSON body: anything unreadable is 400 malformed JSON, never a 500.

Powertools' resolver parses every route's body with the deserializer it is given and turns a
``json.JSONDecodeError`` into a validation error (``json_invalid``), which api.problems answers
as 400. Python's own ``json.loads`` fails in other ways too: a number of more than 4,300 digits
is a ``ValueError`` (the interpreter's int-digit limit) and arrays or objects nested about a
thousand deep a ``RecursionError``. Both are turned into a ``JSONDecodeError`` here, for every
route at once.

A body nested less deeply than that still parses, and would then go through pydantic, the
idempotency hash and the logs, each recursing as deep again. No request of this API nests
deeper than three levels, so a body deeper than ``MAX_DEPTH`` is refused here as well.
"""

from __future__ import annotations

import json
from typing import Any

from forum.errors import Invalid
from forum.i18n import _

# The deepest request is an object holding a list of ids; the margin is for what clients add.
MAX_DEPTH = 32

# Why a body that json.loads could not take is refused: api.problems shows these (translated).
TOO_DEEP = "it is nested too deeply"
TOO_MANY_DIGITS = "a number in it has too many digits"
REASONS = (TOO_DEEP, TOO_MANY_DIGITS)


def loads(text: str) -> Any:
    """The body's JSON value; ``json.JSONDecodeError`` (with a reason) when it is not usable."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise _unreadable(text, TOO_DEEP) from None
    except ValueError:
        # Python's int-digit limit (sys.get_int_max_str_digits()).
        raise _unreadable(text, TOO_MANY_DIGITS) from None
    if _depth_exceeds(value, MAX_DEPTH):
        raise _unreadable(text, TOO_DEEP)
    return value


def _unreadable(text: str, reason: str) -> json.JSONDecodeError:
    return json.JSONDecodeError(reason, text, 0)


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Whether arrays and objects nest deeper than ``limit`` (walked without recursion)."""
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        current, depth = pending.pop()
        if isinstance(current, dict):
            children: Any = current.values()
        elif isinstance(current, list):
            children = current
        else:
            continue
        if depth + 1 > limit:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


def optional_object(event: Any) -> None:
    """A route whose body may be left out takes, when one is sent, a JSON object: Powertools
    reads any other JSON (``[null, null]``) as no body at all, which would accept it."""
    text = event.decoded_body if event.body else None
    if text and text.strip() and not isinstance(loads(text), dict):
        raise Invalid(_("The body, when there is one, must be a JSON object."))
