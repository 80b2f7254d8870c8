"""Jinja2 for the pages: one environment, autoescaped, with the forum's few filters.

Templates write their words as ``{{ _("...") }}`` (or ``{% trans %}``): Jinja2's i18n extension
reads them through the forum's one gettext catalog (``forum.i18n``), as the API's messages.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from forum import i18n

TEMPLATES = Path(__file__).resolve().parent / "templates"

# Words a slug may not be: they are the topic routes' own second segment.
RESERVED_SLUGS = frozenset({"previous", "next"})
SLUG_MAX = 60


def parse_iso(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def date_text(value: str) -> str:
    """A date as the page shows it before the script puts it in the reader's own locale."""
    moment = parse_iso(value)
    if moment is None:
        return value
    return moment.astimezone(UTC).strftime("%-d %b %Y, %H:%M UTC")


def time_tag(value: str | None) -> Markup:
    """``<time>`` with the machine-readable date, its UTC text and the absolute time on hover."""
    if not value:
        return Markup("")
    moment = parse_iso(value)
    if moment is None:
        return Markup("<span>{}</span>").format(value)
    full = moment.astimezone(UTC).strftime("%A %-d %B %Y, %H:%M:%S UTC")
    return Markup('<time datetime="{}" title="{}">{}</time>').format(value, full, date_text(value))


def slugify(title: str) -> str:
    """The readable part of a topic's address: ASCII words joined by hyphens, or nothing."""
    folded = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", folded.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > SLUG_MAX:
            break
        slug = candidate
    if not slug and words:
        slug = words[0][:SLUG_MAX]
    if slug in RESERVED_SLUGS:
        slug += "-topic"
    return slug


def plain_text(html: str, limit: int = 160) -> str:
    """The words of a rendered body, for a meta description: tags out, trimmed on a word."""
    text = Markup(html).striptags()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:") + "…"


def count(number: int, singular: str, plural: str | None = None) -> str:
    word = singular if number == 1 else (plural or singular + "s")
    return f"{number:,} {word}"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        extensions=["jinja2.ext.i18n"],
    )
    # Added by the i18n extension, so unknown to the type checker.
    env.install_gettext_translations(i18n.translations, newstyle=True)  # type: ignore[attr-defined]
    env.filters["time"] = time_tag
    env.filters["date_text"] = date_text
    env.filters["slug"] = slugify
    env.filters["count"] = count
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)
