"""Decode limits: the pixel count an upload may ask for, checked before Pillow decodes it."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

from PIL import Image

from ..i18n import _
from .refusals import Rejected, damaged

MAX_PIXELS = 50_000_000
"""Default limit on width times height, checked from the header before decoding."""


def check_pixels(size: tuple[int, int] | None, max_pixels: int) -> None:
    if size is None:
        return
    width, height = size
    if width < 1 or height < 1:
        raise damaged()
    if width * height > max_pixels:
        raise Rejected(
            _(
                "The image is {width}\N{MULTIPLICATION SIGN}{height} pixels; "
                "at most {megapixels:g} megapixels are allowed."
            ).format(width=width, height=height, megapixels=max_pixels / 1_000_000),
            "too-many-pixels",
        )


def webp_canvas(data: bytes) -> tuple[int, int] | None:
    """Width and height from a WebP file's first chunk (extended, lossy or lossless), or None."""
    kind = data[12:16]
    if kind == b"VP8X" and len(data) >= 30:
        return 1 + int.from_bytes(data[24:27], "little"), 1 + int.from_bytes(data[27:30], "little")
    if kind == b"VP8 " and len(data) >= 30:
        return (
            int.from_bytes(data[26:28], "little") & 0x3FFF,
            int.from_bytes(data[28:30], "little") & 0x3FFF,
        )
    if kind == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


@contextmanager
def reading(data: bytes) -> Iterator[io.BytesIO]:
    """``data`` as a file for Pillow.

    While it is open Pillow's global decompression-bomb check is off: Pillow only raises above
    twice its ``MAX_IMAGE_PIXELS`` and merely warns below; ``process`` checks width times height
    from the header against its own limit before decoding instead. The setting (like the
    warnings filter around it) is global to the process: ``process`` is meant to run one image at
    a time, as a Lambda function does, not in several threads at once.
    """
    saved = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None
    try:
        yield io.BytesIO(data)
    finally:
        Image.MAX_IMAGE_PIXELS = saved
