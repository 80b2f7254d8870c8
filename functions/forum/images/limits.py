"""Decode limits: how much work an upload may ask for, checked before Pillow decodes it.

The upload limit bounds the bytes and ``MAX_PIXELS`` the pixels, but some files ask for far more
decoding work than their pixels need, and they are small:

- a progressive JPEG is decoded once per scan, so one tiny scan repeated 20,000 times makes a
  49 MP image cost a minute (libjpeg-turbo knows this attack: its djpeg and jpegtran take a
  ``-maxscans`` limit, and its tjbench refuses more than 500 scans);
- Pillow reads JPEG marker segments, PNG chunks and GIF extension blocks one by one in Python, at
  a few microseconds each: a 10 MB file of nothing but empty comments or chunks takes 4-10 s.

``check_structure`` counts these from the bytes, stopping at the first count over its limit, so
the count itself is cheap. Whatever work is left unbounded, ``reading`` stops: the file is handed
to Pillow through a reader that gives up once the decode has taken ``DECODE_SECONDS``.

Things that need no limit of their own (tests show each): animated GIF, WebP and PNG files and
HEIF files with many images (only the first frame, the primary image, is decoded), WebP chunks
(libwebp walks them in C), zlib bombs in PNG (inflating stops where the image ends) and zTXt
bombs (Pillow caps decompressed text).
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager

from PIL import Image

from ..i18n import _, ngettext
from .formats import GIF, JPEG, PNG, WEBP
from .refusals import Rejected, damaged

MAX_PIXELS = 50_000_000
"""Default limit on width times height, checked from the header before decoding."""
MAX_SCANS = 500
"""Most scans a JPEG may have whatever its size (libjpeg-turbo's tjbench limit); libjpeg writes 10
for a progressive colour image, 6 for grey, and a baseline one has one per component at most."""
MAX_SCAN_PIXELS = 1_500_000_000
"""Most scans times pixels a JPEG may ask for: each scan is decoded over the whole image (about
2 ms per megapixel here), so this is 30 scans at the 50 MP limit, 125 for a 12 MP photo."""
MAX_JPEG_SEGMENTS = 5_000
"""Most marker segments (tables, metadata, comments, scans) in a JPEG; a photo has a few dozen."""
MAX_PNG_CHUNKS = 20_000
"""Most chunks in a PNG: 10 MB of image data in 1 KB chunks, or a long animation's frames."""
MAX_GIF_BLOCKS = 10_000
"""Most extension sub-blocks before a GIF's first image (comments, XMP, the loop count)."""
DECODE_SECONDS = 10.0
"""Time the reading and decoding of one upload may take: more than three times what the
slowest ordinary upload (a 50 MP PNG) takes here. Only a file that defeats the checks above can
take this long; it is refused. Unlike the other refusals this one depends on the machine, and a
slower one could refuse a file a faster one takes; with this margin only hostile files do."""

_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
_SOS, _EOI = 0xDA, 0xD9
# A marker, as libjpeg finds the next one: 0xFF followed by anything but a stuffed zero (0xFF
# inside entropy-coded data), a fill byte (more 0xFF) or a restart marker (part of the scan).
_JPEG_MARKER = re.compile(rb"\xff[^\x00\xff\xd0-\xd7]")


class OutOfTime(Exception):
    """The caller's deadline came while the upload was being read: try it again later.

    Not a refusal: the file may be fine, and the invocation simply had too little time left.
    """


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


def check_structure(data: bytes, source_type: str, max_pixels: int) -> None:
    """Refuse a file whose structure asks for more work than its pixels need (see above);
    for WebP, the canvas is checked against ``max_pixels`` (libwebp reserves it on opening)."""
    if source_type == JPEG:
        _check_jpeg(data, max_pixels)
    elif source_type == PNG:
        _check_count(_png_chunks(data), MAX_PNG_CHUNKS)
    elif source_type == GIF:
        _check_count(_gif_blocks(data), MAX_GIF_BLOCKS)
    elif source_type == WEBP:
        # Opening a WebP file makes libwebp reserve its whole canvas (twice): check it first.
        check_pixels(webp_canvas(data), max_pixels)


def _too_complex() -> Rejected:
    return Rejected(
        _(
            "The image file is built in a way that takes too long to decode; "
            "please save it again as an ordinary JPEG or PNG image."
        ),
        "too-complex",
    )


def _check_count(counts: Iterator[int], limit: int) -> None:
    for n in counts:
        if n > limit:
            raise _too_complex()


def _check_jpeg(data: bytes, max_pixels: int) -> None:
    """Walk a JPEG's markers as libjpeg does, up to EOI: too many segments or scans, or (from
    the frame header, before any pixel is decoded) too many pixels, are refused."""
    scans = segments = 0
    pixels = 0
    pos = 2  # after SOI
    while True:
        # Between segments libjpeg skips whatever is not a marker; so does this.
        found = _JPEG_MARKER.search(data, pos)
        if found is None or found.start() + 4 > len(data):
            return  # truncated: the decoder says so
        at = found.start()
        marker = data[at + 1]
        if marker == _EOI:
            return
        if marker in (0x01, 0xD8):  # TEM and a stray SOI have no length
            pos = at + 2
            continue
        segments += 1
        if segments > MAX_JPEG_SEGMENTS:
            raise _too_complex()
        if marker == _SOS:
            scans += 1
            allowed = min(MAX_SCANS, MAX_SCAN_PIXELS // max(pixels, 1))
            if scans > allowed:
                raise Rejected(
                    ngettext(
                        "The JPEG image has more than {n} scan (progressive layer), the most "
                        "allowed at its size; please save it again as an ordinary JPEG image.",
                        "The JPEG image has more than {n} scans (progressive layers), the most "
                        "allowed at its size; please save it again as an ordinary JPEG image.",
                        allowed,
                    ).format(n=allowed),
                    "too-complex",
                )
        elif marker in _SOF and not pixels and at + 9 <= len(data):
            height = int.from_bytes(data[at + 5 : at + 7], "big")
            width = int.from_bytes(data[at + 7 : at + 9], "big")
            pixels = width * height
            if pixels > max_pixels:  # the same refusal as from Pillow's header, only sooner
                check_pixels((width, height), max_pixels)
        # After a scan's header the entropy-coded data follows: the search skips it.
        pos = at + 2 + int.from_bytes(data[at + 2 : at + 4], "big")


def _png_chunks(data: bytes) -> Iterator[int]:
    """1, 2, 3... for each chunk of a PNG, up to IEND."""
    pos, n, end = 8, 0, len(data)
    while pos + 8 <= end:
        n += 1
        yield n
        if data[pos + 4 : pos + 8] == b"IEND":
            return
        pos += 12 + int.from_bytes(data[pos : pos + 4], "big")


def _gif_blocks(data: bytes) -> Iterator[int]:
    """1, 2, 3... for each extension sub-block before a GIF's first image.

    Pillow reads these one by one in Python; the first image's own data is decoded in C, and
    later frames are not read at all.
    """
    if len(data) < 13:
        return
    flags = data[10]
    pos = 13 + ((3 << ((flags & 7) + 1)) if flags & 0x80 else 0)
    n, end = 0, len(data)
    while pos + 1 < end and data[pos] == 0x21:  # an extension: label, then sub-blocks
        pos += 2
        while pos < end:
            size = data[pos]
            n += 1
            yield n
            pos += 1 + size
            if size == 0:
                break


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


READ_BLOCK = 16 * 1024
"""Bytes Pillow hands its decoder at a time (``decodermaxblock``; Pillow's own is 64 KB): the
deadline is checked between blocks, and 16 KB of hostile scans are still a second of work. The
smaller blocks cost nothing measurable (185 against 187 ms for a 10 MB JPEG)."""


class _TimedReader(io.BytesIO):
    """The upload's bytes as Pillow reads them, refusing to go on past a deadline.

    Pillow reads through ``read``: header parsing a few bytes at a time, decoding ``READ_BLOCK``
    bytes at a time (libjpeg consumes scans as their bytes arrive). So a check here stops any
    decode whose work is spread over its input; the work after the last read (the last scan,
    resizing, encoding) is bounded by the pixel limit.
    """

    def __init__(self, data: bytes, seconds: float, deadline: float | None) -> None:
        super().__init__(data)
        own = time.monotonic() + seconds
        self._stop = own if deadline is None else min(own, deadline)
        self._caller_first = deadline is not None and deadline < own

    def read(self, size: int | None = -1, /) -> bytes:
        if time.monotonic() > self._stop:
            if self._caller_first:
                raise OutOfTime
            raise Rejected(
                _(
                    "The image takes too long to decode; "
                    "please save it again as an ordinary JPEG or PNG image."
                ),
                "too-slow",
            )
        return super().read(size)


@contextmanager
def reading(
    data: bytes, seconds: float = DECODE_SECONDS, deadline: float | None = None
) -> Iterator[io.BytesIO]:
    """``data`` as a file for Pillow that stops being read after ``seconds`` (``Rejected``, too
    slow) or at ``deadline``, a ``time.monotonic()`` instant (``OutOfTime``), whichever is first.

    While it is open Pillow's global decompression-bomb check is off: Pillow only raises above
    twice its ``MAX_IMAGE_PIXELS`` and merely warns below; ``process`` checks width times height
    from the header against its own limit before decoding instead. The setting (like the
    warnings filter around it) is global to the process: ``process`` is meant to run one image at
    a time, as a Lambda function does, not in several threads at once.
    """
    saved = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None
    try:
        yield _TimedReader(data, seconds, deadline)
    finally:
        Image.MAX_IMAGE_PIXELS = saved
