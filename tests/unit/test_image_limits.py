"""Decode limits: files that ask for far more decoding work than their pixels need are refused
before Pillow decodes them, quickly and with a reason; what needs no limit is shown to need none.

Every file here is generated: a real image from Pillow, then made hostile the way such files
are (a scan repeated thousands of times, thousands of empty segments, chunks or blocks).
"""

from __future__ import annotations

import io
import re
import struct
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from PIL import Image

from forum import images
from forum.images import OutOfTime, Rejected, limits, process

from .test_images import LIMIT, assert_derived, encode, gradient, opened

# A marker that ends a JPEG scan's entropy-coded data (see forum.images.limits).
_MARKER = re.compile(rb"\xff[^\x00\xff\xd0-\xd7]")


def progressive_jpeg(size: tuple[int, int], scans: int) -> bytes:
    """A real progressive JPEG from Pillow whose last scan is repeated until it has ``scans``.

    The last scan (an AC refinement, a few dozen bytes for a plain image) uses the tables in
    force, so the file decodes, each copy over the whole image: the file of issue 13 is 7000x7000
    with 20,000 copies, 1.7 MB that took 55 s; fewer pixels show the count check as well.
    """
    im = Image.new("RGB", size, (120, 60, 200))
    data = encode(im, "JPEG", quality=90, progressive=True)
    last = data.rindex(b"\xff\xda")
    end = _MARKER.search(data, last + 2 + int.from_bytes(data[last + 2 : last + 4], "big"))
    assert end is not None and data[end.start() + 1] == 0xD9  # the scan runs to EOI
    scan = data[last : end.start()]
    has = data.count(b"\xff\xda")
    assert has == 10  # libjpeg's progression for colour
    return data[: end.start()] + scan * (scans - has) + data[end.start() :]


def jpeg_with_comments(n: int) -> bytes:
    """A small baseline JPEG with ``n`` empty comment segments after SOI."""
    data = encode(gradient((64, 48)), "JPEG", quality=90)
    return data[:2] + b"\xff\xfe\x00\x02" * n + data[2:]


def png_chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body)
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def png_with_chunks(n: int, kind: bytes = b"tEXt", body: bytes = b"k\x00v") -> bytes:
    """A small PNG with ``n`` extra chunks before its image data."""
    data = encode(gradient((64, 48)), "PNG")
    idat = data.index(b"IDAT") - 4
    return data[:idat] + png_chunk(kind, body) * n + data[idat:]


def gif_with_comments(n: int) -> bytes:
    """A small GIF with ``n`` one-byte comment extensions before its image."""
    data = encode(gradient((64, 48)).convert("P"), "GIF")
    flags = data[10]
    screen = 13 + ((3 << ((flags & 7) + 1)) if flags & 0x80 else 0)  # and the colour table
    return data[:screen] + b"\x21\xfe\x01x\x00" * n + data[screen:]


@contextmanager
def timed(limit: float) -> Iterator[None]:
    """The block takes at most ``limit`` seconds of wall time (generous: the machine is shared;
    what is refused here is refused in microseconds, and the attacks take seconds)."""
    start = time.perf_counter()
    try:
        yield
    finally:
        assert time.perf_counter() - start < limit


def refused(data: bytes, timeout: float = 0.5, **kwargs: object) -> Rejected:
    with pytest.raises(Rejected) as caught, timed(timeout):
        process(data, **{"max_bytes": LIMIT, **kwargs})  # type: ignore[arg-type]
    return caught.value


# -- JPEG scans --------------------------------------------------------------------------------


def test_a_progressive_jpeg_whose_scan_repeats_thousands_of_times_is_refused_at_once() -> None:
    data = progressive_jpeg((256, 256), 20_000)
    assert sum(1 for _ in re.finditer(rb"\xff\xda", data)) == 20_000

    caught = refused(data)

    assert caught.code == "too-complex"
    assert caught.reason == (
        "The JPEG image has more than 500 scans (progressive layers), the most allowed at its "
        "size; please save it again as an ordinary JPEG image."
    )


def test_the_scan_limit_is_inclusive_and_decoding_up_to_it_is_quick() -> None:
    with timed(5):
        assert process(progressive_jpeg((64, 48), limits.MAX_SCANS), max_bytes=LIMIT).width == 64
    assert refused(progressive_jpeg((64, 48), limits.MAX_SCANS + 1)).code == "too-complex"


def test_a_large_jpeg_may_have_fewer_scans() -> None:
    # Each scan is decoded over the whole image: 4 MP allow 375 scans, not 500.
    allowed = limits.MAX_SCAN_PIXELS // (2000 * 2000)
    assert allowed == 375
    caught = refused(progressive_jpeg((2000, 2000), allowed + 1))
    assert "more than 375 scans" in caught.reason


def test_an_ordinary_progressive_photo_is_not_affected() -> None:
    data = encode(gradient((3000, 2000)), "JPEG", quality=90, progressive=True)
    assert_derived(process(data, max_bytes=LIMIT))


def test_a_jpeg_over_the_pixel_limit_is_refused_for_its_pixels_first() -> None:
    data = progressive_jpeg((64, 48), 12)
    sof = data.index(b"\xff\xc2")
    data = data[: sof + 5] + struct.pack(">HH", 20000, 20000) + data[sof + 9 :]
    assert refused(data).code == "too-many-pixels"


# -- segments, chunks, blocks ------------------------------------------------------------------


def test_a_jpeg_of_thousands_of_empty_segments_is_refused() -> None:
    # 2 million of them (8 MB) took 8 s in Pillow's header parser.
    assert refused(jpeg_with_comments(limits.MAX_JPEG_SEGMENTS)).code == "too-complex"
    assert process(jpeg_with_comments(200), max_bytes=LIMIT).width == 64


@pytest.mark.parametrize(
    "make",
    [
        lambda n: png_with_chunks(n),
        lambda n: png_with_chunks(n, b"IDAT", b""),  # empty image data chunks
    ],
    ids=["text", "empty-idat"],
)
def test_a_png_of_thousands_of_chunks_is_refused(make: Callable[[int], bytes]) -> None:
    # 700,000 empty IDAT chunks (8 MB) took 8 s, 600,000 text chunks 4 s.
    caught = refused(make(limits.MAX_PNG_CHUNKS))
    assert caught.code == "too-complex"
    assert caught.reason.startswith("The image file is built in a way that takes too long")
    assert process(make(1000), max_bytes=LIMIT).width == 64


def test_a_png_whose_data_is_split_in_small_chunks_is_taken() -> None:
    # libpng writes 8 KB chunks, some tools smaller: 10 MB in 1 KB chunks is within the limit.
    data = encode(gradient((400, 300)), "PNG", compress_level=0)
    start = data.index(b"IDAT") - 4
    end = data.index(b"IEND") - 4
    stream = b""
    pos = start
    while pos < end:
        length = int.from_bytes(data[pos : pos + 4], "big")
        stream += data[pos + 8 : pos + 8 + length]
        pos += 12 + length
    pieces = [stream[i : i + 100] for i in range(0, len(stream), 100)]
    assert 3000 < len(pieces) < limits.MAX_PNG_CHUNKS
    split = data[:start] + b"".join(png_chunk(b"IDAT", p) for p in pieces) + data[end:]
    assert process(split, max_bytes=LIMIT).width == 400


def test_a_gif_of_thousands_of_comment_blocks_is_refused() -> None:
    # 2 million (10 MB) took 4 s.
    assert refused(gif_with_comments(limits.MAX_GIF_BLOCKS)).code == "too-complex"
    assert process(gif_with_comments(100), max_bytes=LIMIT).width == 64


# -- what needs no limit -----------------------------------------------------------------------


def repeat_frames(data: bytes, start: int, end: int, n: int) -> bytes:
    """``data`` with the bytes ``start:end`` (one frame) repeated ``n`` times."""
    return data[:start] + data[start:end] * n + data[end:]


def test_an_animated_gif_of_thousands_of_frames_costs_one_frame() -> None:
    frames = [gradient((64, 48)).convert("P"), Image.new("P", (64, 48), 7)]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=50)
    second = data.index(b"\x21\xf9", data.index(b"\x2c"))  # the second frame's control block
    frame = len(data) - 1 - second
    many = repeat_frames(data, second, len(data) - 1, 9_000_000 // frame)
    assert 9_000_000 // frame > 2000
    with timed(1):
        assert_derived(process(many, max_bytes=LIMIT))


def test_an_animated_webp_of_thousands_of_frames_costs_one_frame() -> None:
    frames = [gradient((400, 300)), Image.new("RGB", (400, 300), (1, 2, 3))]
    data = encode(frames[0], "WEBP", save_all=True, append_images=frames[1:], lossless=True)
    second = data.rindex(b"ANMF")
    many = bytearray(repeat_frames(data, second, len(data), 5_000))
    many[4:8] = (len(many) - 8).to_bytes(4, "little")
    with timed(1):
        d = process(bytes(many), max_bytes=LIMIT)
    assert_derived(d)
    assert opened(d.display).getpixel((0, 0)) != (1, 2, 3)  # the first frame


def test_a_webp_of_a_million_chunks_is_parsed_in_c_quickly() -> None:
    # libwebp's demuxer walks the chunks, not Python: the most a 10 MB upload can hold is
    # parsed in well under a second.
    data = encode(Image.new("RGBA", (64, 48), (1, 2, 3, 100)), "WEBP")
    many = bytearray(data + b"JUNK\x00\x00\x00\x00" * 1_200_000)
    many[4:8] = (len(many) - 8).to_bytes(4, "little")
    with timed(3):
        assert process(bytes(many), max_bytes=LIMIT).width == 64


def test_an_animated_png_of_thousands_of_frames_costs_one_frame() -> None:
    frames = [gradient((100, 80))] + [Image.new("RGB", (100, 80), (i, 0, 0)) for i in range(1000)]
    data = encode(frames[0], "PNG", save_all=True, append_images=frames[1:])
    assert data.count(b"fdAT") == 1000
    with timed(1):
        assert_derived(process(data, max_bytes=LIMIT))


def test_png_zlib_bombs_stop_where_the_image_ends() -> None:
    # After the image's rows the stream goes on with 4 GB of zeros in 4 MB (a fully flushed
    # deflate block of a megabyte of zeros, repeated): taken at once, so never inflated.
    rows = b"".join(b"\x00" + bytes(64 * 3) for _ in range(48))
    deflate = zlib.compressobj(9)
    stream = deflate.compress(rows) + deflate.flush(zlib.Z_FULL_FLUSH)
    zeros = deflate.compress(bytes(1 << 20)) + deflate.flush(zlib.Z_FULL_FLUSH)
    assert zeros == deflate.compress(bytes(1 << 20)) + deflate.flush(zlib.Z_FULL_FLUSH)
    stream += zeros * 4096 + deflate.flush()
    header = struct.pack(">IIBBBBB", 64, 48, 8, 2, 0, 0, 0)
    bomb = (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", stream)
        + png_chunk(b"IEND", b"")
    )
    assert len(bomb) < 5_000_000
    with timed(1):
        assert process(bomb, max_bytes=LIMIT).width == 64
    # A zTXt chunk of a million bytes from 1 KB, a hundred times: Pillow stops at 64 MB of text.
    text = png_with_chunks(100, b"zTXt", b"k\x00\x00" + zlib.compress(bytes(1_000_000), 9))
    assert refused(text, timeout=2).code == "damaged"


@pytest.mark.skipif(not images.formats.heif_support(), reason="pillow-heif is not installed")
def test_a_heif_file_of_many_images_decodes_only_the_primary_one() -> None:
    primary = gradient((64, 48))
    others = [Image.new("RGB", (64, 48), (i, 0, 0)) for i in range(60)]
    data = encode(primary, "HEIF", save_all=True, append_images=others, quality=50)
    import pillow_heif

    assert len(pillow_heif.open_heif(io.BytesIO(data))) == 61
    decoded: set[int] = set()
    original = pillow_heif.HeifImage.load

    def counting(self: pillow_heif.HeifImage) -> None:
        decoded.add(id(self))
        original(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pillow_heif.HeifImage, "load", counting)
        assert process(data, max_bytes=LIMIT).width == 64
    assert len(decoded) == 1


# -- the decode deadline -----------------------------------------------------------------------


def test_a_decode_that_outlasts_its_time_is_refused_as_too_slow(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A file the counts let through, with a time limit it cannot meet.
    monkeypatch.setattr(limits, "MAX_SCANS", 100_000)
    monkeypatch.setattr(limits, "MAX_SCAN_PIXELS", 10**15)
    monkeypatch.setattr(limits, "MAX_JPEG_SEGMENTS", 100_000)
    monkeypatch.setattr(images, "DECODE_SECONDS", 0.05)
    data = progressive_jpeg((300, 300), 20_000)  # 10 s of work

    caught = refused(data, timeout=2)

    assert caught.code == "too-slow"
    assert caught.reason.startswith("The image takes too long to decode")


def test_the_callers_deadline_stops_a_decode_for_a_retry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_SCANS", 100_000)
    monkeypatch.setattr(limits, "MAX_SCAN_PIXELS", 10**15)
    monkeypatch.setattr(limits, "MAX_JPEG_SEGMENTS", 100_000)
    data = progressive_jpeg((300, 300), 20_000)

    with pytest.raises(OutOfTime), timed(2):
        process(data, max_bytes=LIMIT, deadline=time.monotonic() + 0.05)

    # With time enough the same call succeeds: nothing about the file was decided.
    small = progressive_jpeg((64, 48), 12)
    assert process(small, max_bytes=LIMIT, deadline=time.monotonic() + 30).width == 64
