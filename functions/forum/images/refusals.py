"""Why an upload cannot become an image: ``Rejected``, and the errors that mean a damaged file."""

from __future__ import annotations

import struct
import zlib

from ..i18n import _

DAMAGED = "The image file is damaged or incomplete."
"""The reason given for a file that does not decode (its English text; raised through gettext)."""

# What decoding bad data can raise: OSError (truncated data, broken streams, unidentified files),
# SyntaxError (malformed headers), ValueError and EOFError from Pillow and its plugins, and the
# lower-level errors a malformed structure can leak from a plugin's parsing. Anything else
# (MemoryError above all) is a fault of the function, not of the file, and worth a retry.
DECODE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    IndexError,
    KeyError,
    TypeError,
    RuntimeError,
    struct.error,
    zlib.error,
)


class Rejected(Exception):
    """The upload cannot become an image; ``reason`` says why, for the person who uploaded it.

    ``code`` names the kind of refusal for logs and metrics: empty, too-large, not-image,
    unsupported, type-mismatch, too-many-pixels, too-complex, too-slow or damaged. A rejected
    upload is final: processing the same bytes again gives the same answer (too-slow aside, see
    ``limits.DECODE_SECONDS``), so the message should not be retried.
    """

    def __init__(self, reason: str, code: str = "rejected") -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


def damaged() -> Rejected:
    return Rejected(_(DAMAGED), "damaged")


def size_text(n: int) -> str:
    """``n`` bytes as a person reads a size limit: "10 MB", "10,240 bytes"."""
    mib, mb = 1024 * 1024, 1_000_000
    if n % mib == 0:
        return _("{n} MB").format(n=n // mib)
    if n % mb == 0:
        return _("{n} MB").format(n=n // mb)
    if n >= mb:
        return _("{n:.1f} MB").format(n=n / mib)
    return _("{n:,} bytes").format(n=n)
