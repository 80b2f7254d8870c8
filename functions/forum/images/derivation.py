"""The derivation: an opened upload becomes two small images, upright, in sRGB, without metadata.

The order of the work matters for speed and memory (see "Performance notes" in the design):

1. decode at reduced size where the format allows it (JPEG's DCT scaling through ``draft``, an
   embedded HEIF thumbnail when it is big enough), otherwise in full;
2. colour: every mode becomes L, RGB or RGBA, ICC profiles other than sRGB are converted to sRGB;
3. resize to the display size, then the thumbnail from the display image;
4. only then apply the EXIF orientation, to the two small images;
5. encode fresh images that carry no metadata: the same input always gives the same bytes.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from typing import cast

from PIL import Image, ImageCms, ImageFile
from PIL.JpegImagePlugin import JpegImageFile

from .formats import JPEG, WEBP

THUMB_MAX = 320
"""Longest side of a thumbnail, in pixels."""
DISPLAY_MAX = 1600
"""Longest side of the display image (the one a thumbnail opens), in pixels."""
AVATAR_SIZE = 256
"""Side of the square avatar thumbnail (author cards)."""
AVATAR_DISPLAY = 512
"""Side of the square avatar display image (profile page)."""

# Encoder settings, chosen by measurement on the 1600 px display image of the phone photo in
# shared/images/mobile (Pillow 13, one core):
# - Opaque images are baseline JPEG (optimized Huffman tables): 218 KB in 16 ms. Lossy WebP at the
#   same quality setting is 131 KB but takes 182 ms, eleven times as long, and JPEG is what every
#   browser, mail client and link preview shows. The bytes saved are not worth that on every upload.
# - Images with real transparency are lossy WebP with lossless alpha: 191 KB in 343 ms. JPEG has
#   no alpha, and PNG is 3.0 MB in 1.3 s for the same image: 16 times larger and slower too.
JPEG_QUALITY = 82
WEBP_QUALITY = 82
WEBP_METHOD = 4

_RESAMPLE = Image.Resampling.LANCZOS
# Pillow first shrinks by an integer factor with a box filter (fast) when the image is more than
# this many times too large, and leaves Lanczos the last factor of at least 2 (the default of
# Pillow's own thumbnail).
_REDUCING_GAP = 2.0

_ORIENTATION_TAG = 0x0112
_TRANSPOSE_FOR_ORIENTATION = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


@dataclass(frozen=True, slots=True)
class Derived:
    """The two images derived from an upload, both of ``content_type``.

    ``width`` and ``height`` are those of the (upright) display image; for avatars both images are
    square: the thumbnail ``AVATAR_SIZE`` and the display image ``AVATAR_DISPLAY`` on a side, or the
    source's shorter side when that is smaller (images are never enlarged).
    """

    thumb: bytes
    display: bytes
    content_type: str
    width: int
    height: int
    thumb_width: int
    thumb_height: int
    source_type: str

    @property
    def extension(self) -> str:
        """The file name extension for ``content_type``: ``jpg`` or ``webp``."""
        return "webp" if self.content_type == WEBP else "jpg"


def derive(held: list[Image.Image], source_type: str, avatar: bool) -> Derived:
    """The two images of the one image in ``held`` (opened, not yet loaded; its size already
    checked), which is emptied so that the full-size image is freed as soon as it is used.

    Decoding errors propagate as Pillow raises them; ``process`` turns them into a refusal.
    """
    im = held.pop()
    width, height = im.size
    icc_profile = im.info.get("icc_profile")

    # What to cut out of the source (the whole of it, or the centred square of an avatar) and the
    # size of the display image it becomes.
    if avatar:
        side = min(width, height)
        crop = ((width - side) / 2, (height - side) / 2, (width + side) / 2, (height + side) / 2)
        display_size = (min(side, AVATAR_DISPLAY),) * 2
        thumb_size = (min(side, AVATAR_SIZE),) * 2
        scale = display_size[0] / side
        decode_at = (max(1, int(width * scale)), max(1, int(height * scale)))
    else:
        crop = (0.0, 0.0, float(width), float(height))
        display_size = _fit(width, height, DISPLAY_MAX)
        thumb_size = _fit(*display_size, THUMB_MAX)
        decode_at = display_size

    # Decode at the smallest size that is still at least the display size: JPEG scales by 1/2,
    # 3/8, 1/4 or 1/8 while decoding (a 12 MP photo then never exists in memory at full size).
    factor = 1.0
    if decode_at != (width, height):
        factor = _draft(im, decode_at)
    im.load()
    orientation = _orientation(im)

    # From here on each step hands the only reference to the big image on to the next one (in a
    # one-item list), so every full-size intermediate is freed as soon as it has been used.
    held = [im]
    del im
    _to_srgb(held, icc_profile)
    left, top, right, bottom = crop
    box = (left * factor, top * factor, right * factor, bottom * factor)
    display = _shrink(held, display_size, box)
    thumb = display if thumb_size == display_size else _shrink([display], thumb_size, None)
    if display.mode == "RGBa":
        display, thumb = display.convert("RGBA"), thumb.convert("RGBA")

    transpose = _TRANSPOSE_FOR_ORIENTATION.get(orientation)
    if transpose is not None:
        display = display.transpose(transpose)
        thumb = thumb.transpose(transpose)

    content_type = WEBP if display.mode == "RGBA" else JPEG
    return Derived(
        thumb=_encode(thumb, content_type),
        display=_encode(display, content_type),
        content_type=content_type,
        width=display.width,
        height=display.height,
        thumb_width=thumb.width,
        thumb_height=thumb.height,
        source_type=source_type,
    )


def _draft(im: Image.Image, size: tuple[int, int]) -> float:
    """Have ``im`` decode at a reduced scale that is still at least ``size``; the scale chosen.

    Pillow's ``draft`` offers libjpeg's 1/2, 1/4 and 1/8. libjpeg-turbo also decodes at 3/8 (asked
    for as 1/3, it rounds to the next eighth): a 24 MP photo then decodes to 2250x1500 instead of
    3000x2000 for a 1600 px display image, 45 % less memory and a quicker resize. Pillow has no
    public switch for it, so this sets up the decoder as its ``draft`` does; tests compare the
    result with a full-size decode so that a Pillow upgrade that changes this cannot go unnoticed.
    """
    width, height = im.size
    if isinstance(im, JpegImageFile) and len(im.tile) == 1 and not im.decoderconfig:
        eighths = next(
            m
            for m in (1, 2, 3, 4, 8)
            if _eighths(width, m) >= size[0] and _eighths(height, m) >= size[1]
        )
        if eighths == 3:
            tile = im.tile[0]
            x0, y0, x1, y1 = tile.extents or (0, 0, width, height)
            scaled = (_eighths(width, 3), _eighths(height, 3))
            extents = (x0, y0, x0 + _eighths(x1 - x0, 3), y0 + _eighths(y1 - y0, 3))
            im.tile = [ImageFile._Tile(tile.codec_name, extents, tile.offset, tile.args)]
            im._size = scaled
            im.decoderconfig = (3, 0)
            return 3 / 8
    drafted = im.draft(im.mode, size)
    return 1.0 if drafted is None else drafted[1][2] / width


def _eighths(n: int, m: int) -> int:
    """The size libjpeg decodes ``n`` pixels to at a scale of m/8."""
    return -(-n * m // 8)


def _fit(width: int, height: int, longest: int) -> tuple[int, int]:
    """The size of (width, height) scaled down to fit ``longest`` on its long side; never up."""
    if max(width, height) <= longest:
        return width, height
    if width >= height:
        return longest, max(1, round(height * longest / width))
    return max(1, round(width * longest / height)), longest


def _orientation(im: Image.Image) -> int:
    """The EXIF orientation (1-8); 1 when absent or unreadable: bad metadata never fails."""
    try:
        value = im.getexif().get(_ORIENTATION_TAG, 1)
    except Exception:  # any malformed EXIF block
        return 1
    return value if isinstance(value, int) and value in _TRANSPOSE_FOR_ORIENTATION else 1


def _to_srgb(held: list[Image.Image], icc_profile: bytes | None) -> None:
    """Replace ``held[0]`` by the same image as L, RGB or RGBA (RGBA only if some pixel is not
    opaque), in sRGB."""
    im = held[0]
    mode = im.mode
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        # 16-bit grey: scale to 8 bits (a plain conversion clips everything above 255 to white).
        held[0] = im.convert("I").point(lambda v: v / 257).convert("L")
    elif mode in ("F", "1"):
        held[0] = im.convert("L")
    elif mode == "CMYK":
        converted = _apply_profile(im, icc_profile, "CMYK", "RGB")
        held[0] = converted if converted is not None else im.convert("RGB")
    elif mode != "RGBA" and im.has_transparency_data:
        # An alpha band, a palette with alpha or a transparent colour (PA, LA, P, L, RGB...).
        held[0] = im.convert("RGBA")
    elif mode not in ("L", "RGB", "RGBA"):
        held[0] = im.convert("RGB")  # P without transparency, YCbCr, LAB, HSV...
    del im

    if held[0].mode == "RGBA":
        alpha = cast("tuple[tuple[int, int], ...]", held[0].getextrema())[3]  # one pass, no copy
        if alpha[0] == 255:
            held[0] = held[0].convert("RGB")
    if held[0].mode in ("RGB", "RGBA") and mode != "CMYK":
        converted = _apply_profile(held[0], icc_profile, held[0].mode, held[0].mode)
        if converted is not None:
            held[0] = converted


def _apply_profile(
    im: Image.Image, icc_profile: bytes | None, in_mode: str, out_mode: str
) -> Image.Image | None:
    """The image converted from its embedded profile to sRGB, or None when there is nothing to do
    (no profile, already sRGB, or a profile lcms cannot use: then the pixels are taken as sRGB)."""
    if not icc_profile:
        return None
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        if in_mode != "CMYK" and "srgb" in ImageCms.getProfileDescription(source).lower():
            return None
        transform = ImageCms.buildTransform(
            source, _srgb_profile(), in_mode, out_mode, ImageCms.Intent.PERCEPTUAL
        )
        return ImageCms.applyTransform(im, transform)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return None


@functools.cache
def _srgb_profile() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _shrink(
    held: list[Image.Image],
    size: tuple[int, int],
    box: tuple[float, float, float, float] | None,
) -> Image.Image:
    """The image in ``held`` (which is emptied), or its ``box``, resized to ``size``.

    Lanczos in two passes, one per axis, freeing the source between them; one ``resize`` call
    makes the same two passes but holds source, intermediate and result at once. RGBA is
    premultiplied (RGBa) first, so that the colour of invisible pixels does not bleed into
    visible edges; the result of an RGBA or RGBa image is RGBa.
    """
    im = held.pop()
    if im.mode == "RGBA":
        im = im.convert("RGBa")
    width, height = im.size
    x0, y0, x1, y1 = (0.0, 0.0, float(width), float(height)) if box is None else box
    out_w, out_h = size
    if (x0, x1) == (0, width) and out_w == width:
        horizontal_first = False  # only the vertical pass is needed
    else:
        horizontal_first = (y0, y1) == (0, height)
    if horizontal_first:
        im = _resample(im, (out_w, height), (x0, 0.0, x1, float(height)))
        return _resample(im, (out_w, out_h), (0.0, y0, float(out_w), y1))
    if (x0, x1) == (0, width) or (y0, y1) != (0, height):
        im = _resample(im, (width, out_h), (0.0, y0, float(width), y1))
        return _resample(im, (out_w, out_h), (x0, 0.0, x1, float(out_h)))
    return _resample(im, (out_w, out_h), (x0, y0, x1, y1))


def _resample(
    im: Image.Image, size: tuple[int, int], box: tuple[float, float, float, float]
) -> Image.Image:
    if im.size == size and box == (0, 0, im.width, im.height):
        return im
    return im.resize(size, _RESAMPLE, box=box, reducing_gap=_REDUCING_GAP)


def _encode(im: Image.Image, content_type: str) -> bytes:
    """Fresh bytes for ``im`` with no metadata: no EXIF, XMP, IPTC, ICC profile or comment."""
    im.info.clear()
    out = io.BytesIO()
    if content_type == WEBP:
        im.save(out, "WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD)
    else:
        im.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, subsampling="4:2:0")
    return out.getvalue()
