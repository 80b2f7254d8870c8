"""Derived images for attachments and avatars: the pure core of the thumbnail pipeline.

``process`` takes the bytes of an upload and returns a thumbnail and a display image, upright, in
sRGB, with no metadata at all, or raises ``Rejected`` with a reason a person understands. It knows
nothing of S3, SQS or DynamoDB; the thumbnail function wires it to them.

The order of the work matters for speed and memory (see "Performance notes" in the design):

1. cheap checks first: empty, too large, the real format from the magic bytes, the declared type
   (``formats``);
2. the structure and the header only (``limits``): the scans and segments of a JPEG, the chunks
   of a PNG, the blocks of a GIF, then width times height against the pixel limit, before
   anything is decoded; the decode itself may take ``limits.DECODE_SECONDS`` at most;
3. the derivation (``derivation``): decode at reduced size where the format allows it, colour to
   sRGB, resize, orientation, fresh encoding.
"""

from __future__ import annotations

import warnings

from PIL import Image

from .derivation import AVATAR_DISPLAY, AVATAR_SIZE, DISPLAY_MAX, THUMB_MAX, Derived, derive
from .formats import (
    ACCEPTED_TYPES,
    GIF,
    HEIC,
    HEIF,
    JPEG,
    PILLOW_FORMATS,
    PNG,
    WEBP,
    identify,
    sniff,
)
from .limits import (
    DECODE_SECONDS,
    MAX_PIXELS,
    READ_BLOCK,
    OutOfTime,
    check_pixels,
    check_structure,
    reading,
)
from .refusals import DAMAGED, DECODE_ERRORS, Rejected, damaged

__all__ = [
    "ACCEPTED_TYPES",
    "AVATAR_DISPLAY",
    "AVATAR_SIZE",
    "DAMAGED",
    "DISPLAY_MAX",
    "GIF",
    "HEIC",
    "HEIF",
    "JPEG",
    "MAX_PIXELS",
    "PNG",
    "THUMB_MAX",
    "WEBP",
    "Derived",
    "OutOfTime",
    "Rejected",
    "process",
    "sniff",
]


def process(
    data: bytes,
    *,
    max_bytes: int,
    max_pixels: int = MAX_PIXELS,
    declared_type: str | None = None,
    avatar: bool = False,
    deadline: float | None = None,
) -> Derived:
    """Derive the thumbnail and the display image (or the two square avatar images) from ``data``.

    ``declared_type`` is the content type the upload claimed; when given it must name the format
    the bytes really have. Raises ``Rejected`` for any bytes that cannot become an image. A
    ``deadline`` (a ``time.monotonic()`` instant) stops the decode with ``OutOfTime`` when it
    comes first: the caller's time is up, not the file's fault. Any other exception (MemoryError,
    say) is a fault of the function's environment, not of the file.
    """
    source_type = identify(data, max_bytes, declared_type)
    check_structure(data, source_type, max_pixels)
    with reading(data, DECODE_SECONDS, deadline) as file, warnings.catch_warnings():
        # Malformed metadata makes Pillow warn; it is ignored here, never fatal.
        warnings.simplefilter("ignore")
        try:
            opened = Image.open(file, formats=PILLOW_FORMATS[source_type])
            opened.decodermaxblock = READ_BLOCK
            check_pixels(opened.size, max_pixels)
            # It goes to ``derive`` in a list that it empties: no reference here may keep the
            # decoded full-size image alive while it is converted and resized.
            held: list[Image.Image] = [opened]
            del opened
            return derive(held, source_type, avatar)
        except DECODE_ERRORS as error:
            raise damaged() from error
