"""The rules for what people write: titles and post bodies."""

from __future__ import annotations

import unicodedata

from .errors import Invalid, PayloadTooLarge

TITLE_MAX = 200
BODY_MAX = 50_000
NAME_MAX = 80
DESCRIPTION_MAX = 500
# A post is stored with its rendered HTML in one DynamoDB item (400 KB at most, its index copy
# too); 50,000 characters of four-byte emoji, or of markup that escapes, can come to more.
STORED_MAX_BYTES = 350_000


# Characters that reorder the text around them: in a name or a title, which pages show inline
# among other text, they make it read as something else ("\u202eevil" shows as "live").
_DIRECTION_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _blank(text: str) -> bool:
    """Nothing a reader would see: white space and invisible format characters (zero-width
    spaces and joiners, word joiners, byte-order marks, direction marks) only."""
    return all(char.isspace() or unicodedata.category(char) == "Cf" for char in text)


def _has_control_characters(text: str, allow_newlines: bool) -> bool:
    for char in text:
        if allow_newlines and char in "\n\r\t":
            continue
        if unicodedata.category(char) in ("Cc", "Cs"):
            return True
    return False


def clean_line(text: str, field: str, maximum: int) -> str:
    """A one-line text (a title, a board name): trimmed, 1..maximum characters, no controls."""
    cleaned = text.strip()
    if _blank(cleaned):
        raise Invalid(f"The {field} must not be empty.", field)
    if len(cleaned) > maximum:
        raise Invalid(
            f"The {field} is {len(cleaned)} characters; at most {maximum} are allowed.", field
        )
    if _has_control_characters(cleaned, allow_newlines=False):
        raise Invalid(f"The {field} must not contain control characters or line breaks.", field)
    if _DIRECTION_CONTROLS.intersection(cleaned):
        raise Invalid(
            f"The {field} must not contain characters that change the direction of the text.",
            field,
        )
    return cleaned


def clean_title(title: str) -> str:
    return clean_line(title, "title", TITLE_MAX)


def clean_body(body: str, field: str = "body", maximum: int = BODY_MAX) -> str:
    """Markdown: 1..maximum characters, not only blanks, no control characters but newlines."""
    cleaned = body.rstrip()
    if _blank(cleaned):
        raise Invalid(f"The {field} must not be empty.", field)
    if len(cleaned) > maximum:
        raise Invalid(
            f"The {field} is {len(cleaned)} characters; at most {maximum} are allowed.", field
        )
    if _has_control_characters(cleaned, allow_newlines=True):
        raise Invalid(f"The {field} must not contain control characters.", field)
    return cleaned


def rendered_body(body: str) -> str:
    """The body's sanitized HTML, refused (413) when body and HTML together cannot be stored.

    Its ``@names`` of members are looked up (forum.mentions; no request without an ``@``) and
    linked to their pages."""
    from .markup import render
    from .mentions import resolve

    html = render(body, resolve(body))
    size = len(body.encode("utf-8", "surrogatepass")) + len(html.encode("utf-8", "surrogatepass"))
    if size > STORED_MAX_BYTES:
        raise PayloadTooLarge(
            f"The post comes to {size // 1000} KB with its formatting; at most "
            f"{STORED_MAX_BYTES // 1000} KB can be stored. Please shorten it."
        )
    return html
