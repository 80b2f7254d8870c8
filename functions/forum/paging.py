"""A topic's pages: which page shows a post, how many pages there are, which posts a page holds.

Posts are numbered densely per topic (1 is the opening post) and their sort keys are the number
in ten digits (``schema.post_sk``), so page N is the key range of posts ``(N-1)*per_page + 1``
to ``N*per_page``. The largest page is the last one whose posts all have a ten-digit number;
anything past it names no page and never becomes a key. The API, the pages and (through the
API's answers) the browser all page through this module.
"""

from __future__ import annotations

import re

from . import schema
from .errors import NotFound
from .i18n import _
from .settings import get_settings

# schema.post_sk pads numbers to this many digits, so that the keys sort as the numbers do.
POST_NUMBER_DIGITS = schema.POST_NUMBER_DIGITS
LARGEST_POST_NUMBER = 10**POST_NUMBER_DIGITS - 1

# A page number as a reader or a client writes it: ASCII digits, no sign, space or leading zero.
_PAGE_TEXT = re.compile(r"[1-9][0-9]*", re.ASCII)


def per_page() -> int:
    return get_settings().posts_per_page


def largest_page() -> int:
    """The last page whose posts all fit the ten-digit key."""
    return LARGEST_POST_NUMBER // per_page()


def page_of(number: int) -> int:
    """The page that shows post ``number``."""
    return (max(1, number) - 1) // per_page() + 1


def page_count(last_number: int) -> int:
    """How many pages a topic whose newest post is ``last_number`` has (at least one)."""
    return max(1, page_of(last_number))


def is_page(page: int) -> bool:
    return 1 <= page <= largest_page()


def post_range(page: int) -> tuple[int, int]:
    """The numbers of the first and last post page ``page`` can hold."""
    if not is_page(page):
        raise NotFound(_("There is no such page."))
    size = per_page()
    return (page - 1) * size + 1, page * size


def parse_page(text: str) -> int | None:
    """The page ``text`` names (``?page=``), or None when it names none.

    Strict, as an address is: ``"1\\n"``, ``" 1"``, ``"+1"``, ``"01"``, ``"1_000"`` and
    digits of other scripts are no page, nor is a number past the largest page.
    """
    if len(text) > POST_NUMBER_DIGITS or not _PAGE_TEXT.fullmatch(text):
        return None
    page = int(text)
    return page if is_page(page) else None
