"""Where `make static` (esbuild.mjs) leaves the static files, and how their names are made.

build/static/ holds every file of web/ that pages name, under a name with its content's hash
(``css/forum.cce0c2c0d4.css``) and each kind of page's script bundled
(``js/main-topic.<hash>.js``); build/static.json maps the source names and page kinds to those
names. The stack deploys the directory (infra/cdn.py) and hands the manifest to the site
function (infra/site.py); the local gateway serves both; nothing here imports the CDK.
"""

from __future__ import annotations

import json
from typing import Any

from . import REPO_ROOT

BUILD_DIR = REPO_ROOT / "build" / "static"
MANIFEST = REPO_ROOT / "build" / "static.json"
# name.<10 hex digits>.ext: esbuild.mjs's hashedName. As a glob (fnmatch, as `aws s3 sync`
# filters and the local gateway read it), matching no file of web/ itself (tests/infra).
HASH_DIGITS = 10
HASHED_GLOB = "*." + "[0-9a-f]" * HASH_DIGITS + ".*"


class StaticFilesNotBuilt(RuntimeError):
    pass


def manifest_text() -> str:
    """The manifest as the site function's environment carries it (compact JSON)."""
    return json.dumps(manifest(), separators=(",", ":"), sort_keys=True)


def manifest() -> dict[str, Any]:
    if not MANIFEST.is_file() or not BUILD_DIR.is_dir():
        raise StaticFilesNotBuilt(
            f"The static files are not built ({MANIFEST.relative_to(REPO_ROOT)} is missing): "
            "run `make static` (esbuild; make dev, test and synth run it first)."
        )
    found: dict[str, Any] = json.loads(MANIFEST.read_text())
    return found


def hashed_names() -> list[str]:
    """Every name the build wrote, relative to /static."""
    found = manifest()
    return sorted({*found["files"].values(), *found["pages"].values()})
