"""The addresses of the static files a page names: content-hashed, from the build's manifest.

`make static` (esbuild.mjs) writes every file under /static with its content's hash in its name
(``css/forum.cce0c2c0d4.css``), so browsers and CloudFront keep it for a year, and each kind of
page's JavaScript as one bundle (``js/main-topic.<hash>.js``; pages without a script of their
own share the topic page's). The manifest of those names reaches this function in its
environment (``FORUM_STATIC_FILES``, set by infra/site.py from build/static.json): read once at
the cold start, with no file or request to read. A function deployed without it fails at that
cold start, saying why, rather than serve pages that name files nobody published.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from forum.settings import STATIC_FILES_ENV, get_settings

STATIC_BASE = "/static/"
MAIN_SCRIPT = "js/main.js"
# Pages without a script of their own (the board index, boards, errors) take the topic page's
# bundle, which holds main.js's code too: readers go from those pages to topics, and one file
# for all three is a request fewer (a CloudFront request and a WAF inspection) than one each,
# for some 8 KB more on a first view of the index (bench/page_weight.py counts them).
READING_KIND = "topic"


class StaticBuildMissing(RuntimeError):
    """The function's environment names no static build (or a broken one)."""


@dataclass(frozen=True)
class Manifest:
    # source name under web/ -> its hashed name under /static
    files: dict[str, str]
    # a page's kind (<body data-page>) -> its bundle's hashed name
    pages: dict[str, str]

    def url(self, name: str) -> str:
        """The address of the static file ``name`` (its path under web/)."""
        try:
            return STATIC_BASE + self.files[name]
        except KeyError:
            raise StaticBuildMissing(
                f"The static build has no {name!r}: run `make static`"
            ) from None

    def script(self, kind: str | None) -> str:
        """The one script of a page of this kind: its bundle, or the reading pages' one."""
        for bundle in (kind, READING_KIND):
            if bundle and bundle in self.pages:
                return STATIC_BASE + self.pages[bundle]
        return self.url(MAIN_SCRIPT)


def parse(text: str) -> Manifest:
    if not text:
        raise StaticBuildMissing(
            f"{STATIC_FILES_ENV} is not set: the pages cannot name their static files. Build them "
            "with `make static` (make dev, test and synth do) and deploy again."
        )
    try:
        found = json.loads(text)
        files, pages = dict(found["files"]), dict(found["pages"])
    except (ValueError, KeyError, TypeError) as error:
        raise StaticBuildMissing(
            f"{STATIC_FILES_ENV} is not the static build's manifest"
        ) from error
    manifest = Manifest(files=files, pages=pages)
    manifest.url(MAIN_SCRIPT)  # the one script every page may need
    return manifest


@lru_cache(maxsize=1)
def manifest() -> Manifest:
    return parse(get_settings().static_files)
