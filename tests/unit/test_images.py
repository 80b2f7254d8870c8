"""Thumbnails and display images: upright, in sRGB, without metadata, within bounds, or refused.

Real camera and phone files come from the ``shared/images`` folder next to the repository (see its
README for what each folder must give); the tests that need them are skipped when it is missing.
Everything else is generated here.
"""

from __future__ import annotations

import functools
import io
import math
import struct
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops, ImageCms, ImageOps

from forum import images
from forum.images import (
    AVATAR_DISPLAY,
    AVATAR_SIZE,
    DAMAGED,
    DISPLAY_MAX,
    THUMB_MAX,
    Derived,
    Rejected,
    process,
    sniff,
)

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "images"
needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(),
    reason=f"the shared test images are not at {SHARED} (the repository sits next to shared/)",
)
LIMIT = 10 * 1024 * 1024


def shared(folder: str) -> list[Path]:
    """The files of a shared folder (one placeholder when it is missing: the test is skipped)."""
    if not SHARED.is_dir():
        return [SHARED / folder / "missing"]
    return sorted(p for p in (SHARED / folder).iterdir() if p.is_file() and p.suffix)


@functools.cache
def derived(path: Path, avatar: bool = False) -> Derived:
    """The derivatives of a shared file, made once per test session."""
    return process(path.read_bytes(), max_bytes=LIMIT, avatar=avatar)


def encode(im: Image.Image, fmt: str, **params: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **params)
    return buf.getvalue()


def opened(blob: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(blob))
    im.load()
    return im


def gradient(size: tuple[int, int]) -> Image.Image:
    """A quick RGB test picture with detail in both directions."""
    across = Image.linear_gradient("L").rotate(90).resize(size)
    down = Image.linear_gradient("L").resize(size)
    return Image.merge("RGB", [across, down, ImageChops.invert(across)])


# -- what a derivative must not carry ----------------------------------------------------------

JPEG_INFO = {"jfif", "jfif_version", "jfif_unit", "jfif_density"}
# Pillow fills these in for every WebP file it opens; they are not stored metadata.
WEBP_INFO = {"loop", "background", "timestamp", "duration"}


def jpeg_segments(blob: bytes) -> list[int]:
    """The markers of a JPEG's header segments, up to the start of the scan."""
    assert blob[:2] == b"\xff\xd8"
    markers, pos = [], 2
    while True:
        assert blob[pos] == 0xFF
        marker = blob[pos + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            return markers
        pos += 2 + int.from_bytes(blob[pos + 2 : pos + 4], "big")


def webp_chunks(blob: bytes) -> list[bytes]:
    assert blob[:4] == b"RIFF" and blob[8:12] == b"WEBP"
    chunks, pos = [], 12
    while pos < len(blob):
        kind, size = blob[pos : pos + 4], int.from_bytes(blob[pos + 4 : pos + 8], "little")
        chunks.append(kind)
        pos += 8 + size + (size & 1)
    return chunks


def assert_no_metadata(blob: bytes, content_type: str) -> None:
    im = opened(blob)
    assert not im.getexif()
    for needle in (b"Exif", b"http://ns.adobe.com/xap", b"Photoshop 3.0", b"ICC_PROFILE", b"8BIM"):
        assert needle not in blob
    if content_type == "image/jpeg":
        assert im.format == "JPEG"
        assert set(im.info) <= JPEG_INFO
        # Only JFIF (APP0), quantization and Huffman tables, frame header and restart interval:
        # no APP1 (EXIF, XMP), APP2 (ICC), APP13 (IPTC), APP14 or COM segments.
        assert set(jpeg_segments(blob)) <= {0xE0, 0xDB, 0xC4, 0xC0, 0xC2, 0xDD, 0xDA}
    else:
        assert im.format == "WEBP"
        assert set(im.info) <= WEBP_INFO
        assert set(webp_chunks(blob)) <= {b"VP8 ", b"VP8L", b"VP8X", b"ALPH"}


def assert_derived(d: Derived) -> None:
    """Both images decode, have the sizes reported and carry nothing but pixels."""
    assert d.content_type in ("image/jpeg", "image/webp")
    display, thumb = opened(d.display), opened(d.thumb)
    assert display.size == (d.width, d.height)
    assert thumb.size == (d.thumb_width, d.thumb_height)
    assert max(display.size) <= DISPLAY_MAX
    assert max(thumb.size) <= THUMB_MAX
    assert_no_metadata(d.display, d.content_type)
    assert_no_metadata(d.thumb, d.content_type)


# -- sniffing ----------------------------------------------------------------------------------


def ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = major + b"\x00\x00\x00\x00" + b"".join(compatible)
    return (8 + len(body)).to_bytes(4, "big") + b"ftyp" + body + b"\x00" * 16


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
        (b"GIF89a\x01\x00\x01\x00", "image/gif"),
        (b"GIF87a\x01\x00\x01\x00", "image/gif"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
        (ftyp(b"heic", b"mif1", b"heic"), "image/heic"),
        (ftyp(b"mif1", b"mif1", b"heic"), "image/heic"),
        (ftyp(b"mif1", b"mif1"), "image/heif"),
        (ftyp(b"avif", b"mif1", b"avif"), None),
        (ftyp(b"mif1", b"mif1", b"avif"), None),
        (ftyp(b"isom", b"mp41"), None),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", None),
        (b"BM\x00\x00", None),
        (b"%PDF-1.7", None),
        (b"hello, world", None),
        (b"\xff\xd8", None),
        (b"", None),
    ],
)
def test_the_format_comes_from_the_bytes(data: bytes, expected: str | None) -> None:
    assert sniff(data) == expected


# -- real photos -------------------------------------------------------------------------------


def looks(d: Derived) -> Image.Image:
    """A small greyscale rendering of the thumbnail, to compare pictures, not bytes."""
    return opened(d.thumb).convert("L").resize((24, 16) if d.width > d.height else (16, 24))


def difference(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference of two same-sized greyscale images, 0-255."""
    histogram = ImageChops.difference(a, b).histogram()
    return sum(i * n for i, n in enumerate(histogram)) / (a.width * a.height)


@needs_shared
@pytest.mark.parametrize("kind", ["Landscape", "Portrait"])
@pytest.mark.parametrize("orientation", range(9))
def test_every_exif_orientation_comes_out_upright(kind: str, orientation: int) -> None:
    # Given the same photo stored with EXIF orientation N, when it is processed,
    d = derived(SHARED / "exif-orientation" / f"{kind}_{orientation}.jpg")
    reference = derived(SHARED / "exif-orientation" / f"{kind}_1.jpg")
    # then a landscape comes out wider than tall and a portrait taller than wide,
    for width, height in ((d.width, d.height), (d.thumb_width, d.thumb_height)):
        assert (width > height) if kind == "Landscape" else (height > width)
    assert (d.width, d.height) == (reference.width, reference.height)
    # and it looks like the upright original: closer to it than its own mirror image is.
    mirrored = ImageOps.mirror(looks(reference))
    assert difference(looks(d), looks(reference)) < 6
    assert difference(mirrored, looks(reference)) > 20
    assert_derived(d)


@needs_shared
@pytest.mark.parametrize("path", shared("gps"), ids=lambda p: p.name)
def test_gps_and_all_other_metadata_are_gone(path: Path) -> None:
    # Given a camera photo whose EXIF holds GPS coordinates,
    with Image.open(path) as original:
        assert original.getexif().get_ifd(0x8825), "the sample should carry GPS data"
    # when it is processed, neither derivative keeps any EXIF, XMP, IPTC or ICC data.
    for avatar in (False, True):
        assert_derived(derived(path, avatar))


@needs_shared
def test_a_phone_photo_gives_a_thumbnail_and_a_display_image() -> None:
    d = derived(SHARED / "mobile" / "jolla.jpg")  # 3264x2448
    assert (d.width, d.height) == (1600, 1200)
    assert (d.thumb_width, d.thumb_height) == (320, 240)
    assert d.content_type == "image/jpeg" and d.source_type == "image/jpeg"
    assert_derived(d)


@needs_shared
@pytest.mark.parametrize("path", shared("exif-edge"), ids=lambda p: p.name)
def test_odd_exif_blocks_never_fail_an_upload(path: Path) -> None:
    assert_derived(derived(path))


@needs_shared
@pytest.mark.parametrize("path", shared("broken"), ids=lambda p: p.name)
def test_broken_files_are_processed_or_refused_with_a_reason(path: Path) -> None:
    data = path.read_bytes()
    for candidate in (data, data[: len(data) // 2], data[: len(data) * 9 // 10]):
        try:
            d = process(candidate, max_bytes=LIMIT)
        except Rejected as refusal:
            assert refusal.reason.endswith(".") and len(refusal.reason) > 10
        else:
            assert_derived(d)


@needs_shared
def test_heif_is_converted() -> None:
    d = derived(SHARED / "heif" / "samplefilehub.heif")
    assert d.source_type == "image/heic"
    assert d.content_type == "image/jpeg"
    assert (d.width, d.height) == (640, 426)
    assert_derived(d)


@needs_shared
def test_heif_without_the_plugin_is_refused_as_unsupported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(images.formats, "heif_support", lambda: False)
    data = (SHARED / "heif" / "samplefilehub.heif").read_bytes()
    with pytest.raises(Rejected, match="unsupported format") as refusal:
        process(data, max_bytes=LIMIT)
    assert refusal.value.code == "unsupported"


@needs_shared
def test_the_same_file_gives_the_same_bytes() -> None:
    data = (SHARED / "exif-orientation" / "Portrait_6.jpg").read_bytes()
    first, second = (process(data, max_bytes=LIMIT) for _ in range(2))
    assert first == second


@needs_shared
@pytest.mark.parametrize("name", ["Landscape_1.jpg", "Landscape_6.jpg", "Portrait_8.jpg"])
def test_avatars_are_upright_squares(name: str) -> None:
    d = derived(SHARED / "exif-orientation" / name, avatar=True)
    assert (d.width, d.height) == (AVATAR_DISPLAY, AVATAR_DISPLAY)
    assert (d.thumb_width, d.thumb_height) == (AVATAR_SIZE, AVATAR_SIZE)
    upright = derived(SHARED / "exif-orientation" / f"{name.split('_')[0]}_1.jpg", avatar=True)
    assert difference(looks(d), looks(upright)) < 6
    assert_derived(d)


# -- bad input ---------------------------------------------------------------------------------


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares its size and holds no pixels at all."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


def small_jpeg() -> bytes:
    return encode(gradient((96, 64)), "JPEG", quality=90)


def small_png() -> bytes:
    return encode(gradient((96, 64)), "PNG")


def refusal(data: bytes, **kwargs: object) -> Rejected:
    with pytest.raises(Rejected) as caught:
        process(data, **{"max_bytes": LIMIT, **kwargs})  # type: ignore[arg-type]
    return caught.value


def test_an_empty_file_is_refused() -> None:
    assert refusal(b"").reason == "The file is empty."


def test_a_file_that_is_not_an_image_is_refused() -> None:
    assert refusal(b"%PDF-1.7\n" + b"x" * 100).reason == "The file is not an image."
    assert refusal(b"<html><body>hi</body></html>").reason == "The file is not an image."


def test_known_formats_we_do_not_take_are_named() -> None:
    bmp = encode(gradient((8, 8)), "BMP")
    assert refusal(bmp).reason.startswith("BMP images are not supported")
    tiff = encode(gradient((8, 8)), "TIFF")
    assert refusal(tiff).reason.startswith("TIFF images are not supported")


def test_a_file_over_the_size_limit_is_refused_before_anything_else() -> None:
    data = b"\xff\xd8\xff" + bytes(LIMIT)
    reason = refusal(data).reason
    assert reason == "The file is larger than 10 MB."
    assert refusal(small_jpeg(), max_bytes=1000).code == "too-large"


def test_a_truncated_jpeg_is_damaged() -> None:
    data = encode(gradient((640, 480)), "JPEG", quality=90)
    caught = refusal(data[: len(data) // 2])
    assert caught.reason == DAMAGED == "The image file is damaged or incomplete."
    assert caught.code == "damaged"


def test_pixel_count_is_checked_from_the_header_before_decoding() -> None:
    # A 20000x20000 PNG header with no pixel data: decoding it would fail as damaged, so the
    # pixel message proves that the size was refused first.
    caught = refusal(png_header(20000, 20000))
    assert caught.reason == (
        "The image is 20000\N{MULTIPLICATION SIGN}20000 pixels; at most 50 megapixels are allowed."
    )
    assert caught.code == "too-many-pixels"


def test_a_jpeg_header_claiming_a_huge_size_is_refused() -> None:
    data = bytearray(small_jpeg())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", 30000, 30000)
    assert refusal(bytes(data)).code == "too-many-pixels"


def test_a_gif_whose_frame_outgrows_its_screen_is_refused() -> None:
    screen = b"GIF89a" + struct.pack("<HHBBB", 1, 1, 0, 0, 0)
    frame = b"\x2c" + struct.pack("<HHHHB", 0, 0, 65535, 65535, 0) + b"\x02\x02\x44\x01\x00"
    assert refusal(screen + frame + b"\x3b").code == "too-many-pixels"


def test_a_webp_canvas_is_checked_before_libwebp_reserves_it() -> None:
    data = bytearray(encode(Image.new("RGBA", (64, 48), (1, 2, 3, 100)), "WEBP"))
    assert data[12:16] == b"VP8X"
    data[24:30] = (16000 - 1).to_bytes(3, "little") * 2
    caught = refusal(bytes(data))
    assert caught.reason.startswith("The image is 16000\N{MULTIPLICATION SIGN}16000 pixels")


def test_the_pixel_limit_is_inclusive() -> None:
    data = encode(gradient((100, 100)), "PNG")
    assert process(data, max_bytes=LIMIT, max_pixels=10_000).width == 100
    reason = refusal(data, max_pixels=9_999).reason
    assert reason.startswith("The image is 100\N{MULTIPLICATION SIGN}100 pixels; at most 0.009999")


def test_a_content_type_that_does_not_match_the_bytes_is_refused() -> None:
    caught = refusal(small_png(), declared_type="image/jpeg")
    assert caught.reason == "The file is a PNG image but was uploaded as image/jpeg."
    assert caught.code == "type-mismatch"
    assert refusal(small_jpeg(), declared_type="text/plain").code == "type-mismatch"


@pytest.mark.parametrize("declared", ["image/jpeg", "IMAGE/JPEG", "image/jpg", "image/pjpeg"])
def test_names_of_the_same_type_are_accepted(declared: str) -> None:
    assert process(small_jpeg(), max_bytes=LIMIT, declared_type=declared).width == 96


@needs_shared
def test_heic_and_heif_name_the_same_container() -> None:
    data = (SHARED / "heif" / "samplefilehub.heif").read_bytes()
    for declared in ("image/heic", "image/heif"):
        assert process(data, max_bytes=LIMIT, declared_type=declared).width == 640


def mutations() -> st.SearchStrategy[bytes]:
    seeds = [
        small_jpeg(),
        encode(gradient((40, 30)), "JPEG", progressive=True),
        small_png(),
        encode(gradient((40, 30)).convert("P"), "GIF"),
        encode(gradient((40, 30)), "WEBP"),
        encode(gradient((40, 30)).convert("RGBA"), "WEBP", lossless=True),
    ]

    def damage(seed: bytes, edits: list[tuple[float, int]], cut: float) -> bytes:
        # The edits spare the first 16 bytes, so that most cases get past the sniffing.
        data = bytearray(seed)
        for where, value in edits:
            data[16 + int(where * (len(data) - 17))] = value
        return bytes(data[: max(1, int(cut * len(data)))])

    return st.builds(
        damage,
        st.sampled_from(seeds),
        st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=6),
        st.one_of(st.just(1.0), st.floats(0.05, 1.0)),
    )


@settings(max_examples=80, deadline=None, database=None)
@given(mutations())
def test_damaged_bytes_are_refused_or_processed_never_a_crash(data: bytes) -> None:
    # Whatever the bytes, the outcome is an image or a refusal: nothing that would make the
    # queue retry the message until it lands in the dead-letter queue.
    try:
        d = process(data, max_bytes=LIMIT)
    except Rejected as caught:
        assert caught.reason
    else:
        assert_derived(d)


# -- colour, transparency, frames --------------------------------------------------------------


def rgb_profile(red: tuple[float, float, float], green: tuple[float, float, float]) -> bytes:
    """A minimal ICC v2 RGB matrix/TRC display profile (gamma 2.2) with the given primaries."""

    def s15(v: float) -> bytes:
        return struct.pack(">i", round(v * 65536))

    def xyz(v: tuple[float, float, float]) -> bytes:
        return b"XYZ \x00\x00\x00\x00" + b"".join(s15(c) for c in v)

    text = b"Test RGB\x00"
    desc = b"desc\x00\x00\x00\x00" + struct.pack(">I", len(text)) + text + bytes(4 + 4 + 2 + 1 + 67)
    curve = b"curv\x00\x00\x00\x00" + struct.pack(">IH", 1, 0x0233) + b"\x00\x00"
    tags = [
        (b"desc", desc),
        (b"wtpt", xyz((0.9642, 1.0, 0.8249))),
        (b"rXYZ", xyz(red)),
        (b"gXYZ", xyz(green)),
        (b"bXYZ", xyz((0.1431, 0.0606, 0.7141))),
        (b"rTRC", curve),
        (b"gTRC", curve),
        (b"bTRC", curve),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, body = b"", b""
    for signature, data in tags:
        data += bytes(-len(data) % 4)
        table += signature + struct.pack(">II", offset + len(body), len(data))
        body += data
    size = offset + len(body)
    header = (
        struct.pack(">I", size)
        + b"lcms"
        + struct.pack(">I", 0x02100000)
        + b"mntrRGB XYZ "
        + bytes(12)
        + b"acsp"
        + bytes(24)
        + struct.pack(">I", 0)
        + s15(0.9642)
        + s15(1.0)
        + s15(0.8249)
        + bytes(48)
    )
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + body


SRGB_RED = (0.4361, 0.2225, 0.0139)
SRGB_GREEN = (0.3851, 0.7169, 0.0971)


def centre(blob: bytes) -> tuple[int, ...]:
    im = opened(blob)
    return tuple(im.getpixel((im.width // 2, im.height // 2)))  # type: ignore[arg-type]


def test_a_colour_profile_is_converted_to_srgb() -> None:
    # A profile whose red and green primaries are swapped: stored red means green.
    swapped = rgb_profile(red=SRGB_GREEN, green=SRGB_RED)
    ImageCms.ImageCmsProfile(io.BytesIO(swapped))  # a valid profile for lcms
    data = encode(Image.new("RGB", (64, 64), (220, 0, 0)), "PNG", icc_profile=swapped)
    r, g, b = centre(process(data, max_bytes=LIMIT).display)
    assert g > 150 and r < 90 and b < 90


def test_an_srgb_profile_leaves_colours_alone_and_is_not_kept() -> None:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encode(Image.new("RGB", (64, 64), (200, 30, 60)), "JPEG", quality=95, icc_profile=srgb)
    d = process(data, max_bytes=LIMIT)
    assert all(abs(a - b) <= 4 for a, b in zip(centre(d.display), (200, 30, 60), strict=True))
    assert_derived(d)


def test_a_broken_colour_profile_is_ignored() -> None:
    data = encode(Image.new("RGB", (64, 64), (200, 30, 60)), "PNG", icc_profile=b"nonsense" * 20)
    assert_derived(process(data, max_bytes=LIMIT))


def test_cmyk_becomes_rgb() -> None:
    cmyk = Image.new("CMYK", (64, 48), (0, 255, 255, 0))  # red in ink
    d = process(encode(cmyk, "JPEG", quality=95), max_bytes=LIMIT)
    r, g, b = centre(d.display)
    assert r > 200 and g < 60 and b < 60
    assert opened(d.display).mode == "RGB"


def test_sixteen_bit_grey_is_scaled_not_clipped() -> None:
    grey = Image.new("I;16", (64, 48), 32896)  # half way: 0x8080
    d = process(encode(grey, "PNG"), max_bytes=LIMIT)
    assert abs(opened(d.display).convert("L").getpixel((32, 24)) - 128) <= 2  # type: ignore[operator]


def test_transparency_is_kept_as_webp_and_opaque_rgba_becomes_jpeg() -> None:
    im = gradient((400, 300)).convert("RGBA")
    im.putalpha(Image.linear_gradient("L").resize((400, 300)))
    d = process(encode(im, "PNG"), max_bytes=LIMIT)
    assert d.content_type == "image/webp" and d.extension == "webp"
    assert opened(d.display).mode == "RGBA"
    assert_derived(d)
    opaque = process(encode(gradient((400, 300)).convert("RGBA"), "PNG"), max_bytes=LIMIT)
    assert opaque.content_type == "image/jpeg" and opaque.extension == "jpg"


def test_an_animated_gif_becomes_its_first_frame() -> None:
    frames = [Image.new("RGB", (80, 60), colour) for colour in ((230, 20, 20), (20, 20, 230))]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    d = process(buf.getvalue(), max_bytes=LIMIT)
    r, _, b = centre(d.display)
    assert r > 180 and b < 80
    assert d.content_type == "image/jpeg"


def test_a_gif_with_a_transparent_colour_keeps_it() -> None:
    im = Image.new("P", (80, 60), 0)
    im.putpalette([255, 255, 255, 200, 30, 30] + [0] * 762)
    im.paste(1, (20, 15, 60, 45))
    d = process(encode(im, "GIF", transparency=0), max_bytes=LIMIT)
    assert d.content_type == "image/webp"
    display = opened(d.display)
    assert display.getpixel((2, 2))[3] == 0  # type: ignore[index]
    assert display.getpixel((40, 30))[3] == 255  # type: ignore[index]


def test_large_jpegs_decode_at_three_eighths_and_match_a_full_decode() -> None:
    # 4800x3200 is more than 8/3 times the display size: libjpeg-turbo decodes it at 3/8
    # (1800x1200). The result must match a full-size decode resized the ordinary way.
    source = gradient((4800, 3200))
    data = encode(source, "JPEG", quality=92)
    with Image.open(io.BytesIO(data)) as im:
        assert images.derivation._draft(im, (1600, 1067)) == 3 / 8
        im.load()
        assert im.size == (1800, 1200)
    d = process(data, max_bytes=LIMIT)
    assert (d.width, d.height) == (1600, 1067)
    reference = opened(data).resize((1600, 1067), Image.Resampling.LANCZOS)
    assert psnr(opened(d.display), reference) > 38


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_nothing_else_holds_the_decoded_image_while_it_is_converted(
    fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each step hands the only reference to the full-size image on to the next, so that it is
    # freed as soon as it is used; one more reference (in process, say) kept a 50 MP image alive
    # through the whole derivation: 130 MB more at the peak.
    counts: list[int] = []
    convert = images.derivation._to_srgb

    def counting(held: list[Image.Image], icc_profile: bytes | None) -> None:
        counts.append(sys.getrefcount(held[0]))  # the list's and getrefcount's own
        convert(held, icc_profile)

    monkeypatch.setattr(images.derivation, "_to_srgb", counting)
    process(encode(gradient((3200, 2400)), fmt), max_bytes=LIMIT)
    assert counts == [2]


def psnr(a: Image.Image, b: Image.Image) -> float:
    histogram = ImageChops.difference(a.convert("RGB"), b.convert("RGB")).histogram()
    squares = sum((i % 256) ** 2 * n for i, n in enumerate(histogram))
    mse = squares / (a.width * a.height * 3)
    return math.inf if mse == 0 else 10 * math.log10(255**2 / mse)


# -- bounds and aspect ratio for any size and mode ---------------------------------------------

MODES: dict[str, tuple[Callable[[Image.Image], Image.Image], str]] = {
    "RGB": (lambda im: im, "JPEG"),
    "RGBA": (lambda im: _with_alpha(im), "PNG"),
    "P": (lambda im: im.convert("P"), "PNG"),
    "L": (lambda im: im.convert("L"), "JPEG"),
    "CMYK": (lambda im: im.convert("CMYK"), "JPEG"),
    "I;16": (
        lambda im: im.convert("L").convert("I").point(lambda v: v * 257).convert("I;16"),
        "PNG",
    ),
}


def _with_alpha(im: Image.Image) -> Image.Image:
    out = im.convert("RGBA")
    out.putalpha(im.convert("L"))
    return out


def expected_size(width: int, height: int, longest: int) -> tuple[float, float]:
    """Scaled to fit ``longest``, never up."""
    scale = min(1.0, longest / max(width, height))
    return width * scale, height * scale


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    width=st.integers(1, 2500),
    height=st.integers(1, 2500),
    mode=st.sampled_from(sorted(MODES)),
    avatar=st.booleans(),
)
@example(width=2500, height=2500, mode="RGBA", avatar=False)
@example(width=2500, height=1, mode="P", avatar=False)
@example(width=1, height=2500, mode="I;16", avatar=True)
@example(width=1601, height=1599, mode="CMYK", avatar=False)
@example(width=1, height=1, mode="L", avatar=False)
def test_bounds_and_aspect_ratio_hold_for_any_size_and_mode(
    width: int, height: int, mode: str, avatar: bool
) -> None:
    make, fmt = MODES[mode]
    source = make(gradient((width, height)))
    assert source.mode == mode
    d = process(encode(source, fmt), max_bytes=LIMIT, avatar=avatar)
    assert_derived(d)
    if avatar:
        side = min(width, height)
        assert (d.width, d.height) == (min(side, AVATAR_DISPLAY),) * 2
        assert (d.thumb_width, d.thumb_height) == (min(side, AVATAR_SIZE),) * 2
        return
    for longest, got in (
        (DISPLAY_MAX, (d.width, d.height)),
        (THUMB_MAX, (d.thumb_width, d.thumb_height)),
    ):
        want = expected_size(width, height, longest)
        assert got[0] <= width and got[1] <= height  # never enlarged
        assert max(got) == round(max(want))  # the long side fits exactly
        assert abs(got[0] - want[0]) <= 1 and abs(got[1] - want[1]) <= 1  # aspect ratio kept
