"""What an upload really is: the format from its magic bytes, checked against its declared type.

Nothing here decodes anything: these are the cheap checks ``process`` makes before Pillow sees
the bytes, and the one place that knows which Pillow plugin may open which type.
"""

from __future__ import annotations

import functools

from ..i18n import _
from .refusals import Rejected, size_text

JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
GIF = "image/gif"
HEIC = "image/heic"
HEIF = "image/heif"
ACCEPTED_TYPES = (JPEG, PNG, WEBP, GIF, HEIC, HEIF)
"""The content types an upload may have (and that ``sniff`` can return)."""

NAMES = {JPEG: "JPEG", PNG: "PNG", WEBP: "WebP", GIF: "GIF", HEIC: "HEIC", HEIF: "HEIF"}
# The Pillow plugin allowed to open each type: nothing else is ever tried on the bytes.
PILLOW_FORMATS = {
    JPEG: ("JPEG",),
    PNG: ("PNG",),
    WEBP: ("WEBP",),
    GIF: ("GIF",),
    HEIC: ("HEIF",),
    HEIF: ("HEIF",),
}
# Names under which browsers and old clients declare the accepted types.
_ALIASES = {
    "image/jpg": JPEG,
    "image/pjpeg": JPEG,
    "image/x-png": PNG,
    "image/heic-sequence": HEIC,
    "image/heif-sequence": HEIF,
}
# HEIC and HEIF are one container; clients label the same file either way.
_SAME_FAMILY = {HEIC: "heif", HEIF: "heif"}

_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"}
_HEIF_BRANDS = {b"mif1", b"msf1", b"mif2"}
_AVIF_BRANDS = {b"avif", b"avis"}


def identify(data: bytes, max_bytes: int, declared_type: str | None) -> str:
    """The accepted content type of ``data``, or ``Rejected``: empty, too large, not an image, a
    format we do not take, or another format than ``declared_type`` names (when given)."""
    if not data:
        raise Rejected(_("The file is empty."), "empty")
    if len(data) > max_bytes:
        raise Rejected(
            _("The file is larger than {limit}.").format(limit=size_text(max_bytes)), "too-large"
        )
    source_type = sniff(data)
    if source_type is None:
        other = _other_format(data)
        if other is None:
            raise Rejected(_("The file is not an image."), "not-image")
        raise Rejected(
            _(
                "{format} images are not supported; "
                "please upload a JPEG, PNG, WebP, GIF or HEIC image."
            ).format(format=other),
            "unsupported",
        )
    _check_declared(source_type, declared_type)
    if source_type in (HEIC, HEIF) and not heif_support():
        raise Rejected(
            _("HEIC images are an unsupported format here; please upload a JPEG or PNG image."),
            "unsupported",
        )
    return source_type


def sniff(data: bytes) -> str | None:
    """The accepted content type the bytes really are, from their magic numbers, or None."""
    head = data[:64]
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    brands = _ftyp_brands(head)
    if brands:
        major, compatible = brands[0], set(brands[1:])
        if major in _HEIC_BRANDS:
            return HEIC
        if major in _HEIF_BRANDS:
            if compatible & _AVIF_BRANDS:
                return None
            return HEIC if compatible & _HEIC_BRANDS else HEIF
    return None


def _check_declared(source_type: str, declared_type: str | None) -> None:
    """Refuse an upload whose declared content type names another format than its bytes."""
    if declared_type is None:
        return
    declared = declared_type.split(";", 1)[0].strip().lower()
    declared = _ALIASES.get(declared, declared)
    if declared == source_type:
        return
    family = _SAME_FAMILY.get(source_type)
    if family is not None and family == _SAME_FAMILY.get(declared):
        return
    shown = declared_type.strip() or _("an empty content type")
    raise Rejected(
        _("The file is a {format} image but was uploaded as {declared}.").format(
            format=NAMES[source_type], declared=shown
        ),
        "type-mismatch",
    )


def _other_format(data: bytes) -> str | None:
    """The name of a well-known format we do not accept, for a clearer refusal; else None."""
    head = data[:32]
    brands = _ftyp_brands(head)
    if brands and (brands[0] in _AVIF_BRANDS or set(brands[1:]) & _AVIF_BRANDS):
        return "AVIF"
    checks = (
        (b"II*\x00", "TIFF"),
        (b"MM\x00*", "TIFF"),
        (b"BM", "BMP"),
        (b"8BPS", "Photoshop"),
        (b"\x00\x00\x01\x00", "ICO"),
        (b"\xff\x0a", "JPEG XL"),
        (b"\x00\x00\x00\x0cJXL ", "JPEG XL"),
        (b"\x00\x00\x00\x0cjP  ", "JPEG 2000"),
    )
    for magic, name in checks:
        if head.startswith(magic):
            return name
    text = data[:512].lstrip().lower()
    if text.startswith(b"<svg") or (text.startswith(b"<?xml") and b"<svg" in text):
        return "SVG"
    return None


def _ftyp_brands(head: bytes) -> list[bytes]:
    """The major and compatible brands of an ISO base media file (HEIF, AVIF, MP4...), or []."""
    if len(head) < 16 or head[4:8] != b"ftyp":
        return []
    box_size = int.from_bytes(head[:4], "big")
    end = min(box_size, len(head)) if box_size >= 16 else 16
    brands = [head[8:12]]
    brands += [head[i : i + 4] for i in range(16, end - 3, 4)]
    return brands


@functools.cache
def heif_support() -> bool:
    """Register the HEIF plugin on first use; False when pillow-heif is not installed."""
    try:
        import pillow_heif
    except ImportError:
        return False
    # Only the primary image is wanted: no depth maps or auxiliary images are read.
    pillow_heif.register_heif_opener(depth_images=False, aux_images=False)
    return True
