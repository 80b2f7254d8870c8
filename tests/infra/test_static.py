"""The static files in the stack: the build's hashed names kept a year, web/'s plain names kept
five minutes, and the site function told the hashed names in its environment."""

from __future__ import annotations

import json
import re
import subprocess
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from forum.settings import STATIC_FILES_ENV
from infra import REPO_ROOT, static_build
from infra.cdn import HASHED_CACHE, STATIC_CACHE, WEB_DIR

from .conftest import Synthesis, function_by_handler
from .test_site import CACHING_OPTIMIZED, SITE_HANDLER, behaviors


def static_deployments(synth: Synthesis) -> dict[str, tuple[str, dict[str, Any]]]:
    """The two deployments under static/, as "hashed" and "plain"."""
    found = {}
    for logical_id, resource in synth.of_type("Custom::CDKBucketDeployment").items():
        properties = resource["Properties"]
        if properties.get("DestinationBucketKeyPrefix") == "static/":
            kind = "hashed" if "Include" in properties else "plain"
            assert kind not in found, logical_id
            found[kind] = (logical_id, properties)
    assert set(found) == {"hashed", "plain"}
    return found


def test_hashed_names_are_kept_a_year_and_never_pruned(synth: Synthesis) -> None:
    _, hashed = static_deployments(synth)["hashed"]
    assert hashed["SystemMetadata"] == {"cache-control": HASHED_CACHE}
    assert HASHED_CACHE == "public, max-age=31536000, immutable"
    # Only the hashed names are synced, and the earlier deployments' stay: a page cached
    # before this deployment names them.
    assert hashed["Exclude"] == ["*"] and hashed["Include"] == [static_build.HASHED_GLOB]
    assert hashed["Prune"] is False
    # A new name needs no invalidation.
    assert "DistributionId" not in hashed


def test_plain_names_stay_for_pages_cached_before_a_deployment(synth: Synthesis) -> None:
    _, plain = static_deployments(synth)["plain"]
    assert plain["SystemMetadata"] == {"cache-control": STATIC_CACHE}
    # web/ as it is, pruned, but never the hashed files beside it
    assert plain["Exclude"] == [static_build.HASHED_GLOB] and "Include" not in plain
    assert plain["Prune"] is True
    assert plain["DistributionPaths"] == ["/static/*"]


def test_the_hashed_glob_tells_built_names_from_source_names() -> None:
    built = static_build.hashed_names()
    assert built and all(fnmatchcase(name, static_build.HASHED_GLOB) for name in built)
    sources = [path.relative_to(WEB_DIR).as_posix() for path in WEB_DIR.rglob("*")]
    assert sources and not [name for name in sources if fnmatchcase(name, static_build.HASHED_GLOB)]


def test_cloudfront_keeps_static_files_as_long_as_they_say(synth: Synthesis) -> None:
    # CachingOptimized: the origin's Cache-Control decides, up to a year.
    assert behaviors(synth)["/static/*"]["CachePolicyId"] == CACHING_OPTIMIZED


def test_the_site_function_knows_the_hashed_names_once_they_are_deployed(
    synth: Synthesis,
) -> None:
    logical_id, site = function_by_handler(synth, SITE_HANDLER)
    manifest = json.loads(site["Environment"]["Variables"][STATIC_FILES_ENV])
    assert manifest == static_build.manifest()
    for name in static_build.hashed_names():
        assert (static_build.BUILD_DIR / name).is_file(), name
    # Each kind of page in main.js's table has its bundle
    table = (WEB_DIR / "js" / "main.js").read_text()
    kinds = re.findall(r"^\s*'?([\w-]+)'?: \(\) => import\(", table, re.MULTILINE)
    assert kinds and set(manifest["pages"]) == set(kinds)
    assert {"css/forum.css", "icons/forum.svg", "js/main.js"} <= set(manifest["files"])
    # and the function is updated only after the files it names are in the bucket
    hashed_id, _ = static_deployments(synth)["hashed"]
    assert hashed_id in synth.resources[logical_id].get("DependsOn", [])


def page_table(source: str) -> subprocess.CompletedProcess[str]:
    """esbuild.mjs's reading of a page table (main.js's), run by Node as `make static` runs it."""
    script = (
        "import('./esbuild.mjs').then((build) => "
        "console.log(JSON.stringify(build.pageTable(process.argv[1]))))"
    )
    return subprocess.run(
        ["node", "-e", script, source], cwd=REPO_ROOT, capture_output=True, text=True
    )


def test_a_new_page_script_needs_only_its_line_in_main_js() -> None:
    table = """const scripts = {
  topic: () => import('./topic.js'),
  'new-topic': () => import('./new-topic.js'),
  // a comment
  "search": () => import("./search-page.js"),
};"""
    found = page_table(table)
    assert found.returncode == 0, found.stderr
    kinds = json.loads(found.stdout)
    assert {kind: Path(path).name for kind, path in kinds.items()} == {
        "topic": "topic.js",
        "new-topic": "new-topic.js",
        "search": "search-page.js",
    }
    # A dynamic import the table's shape does not show fails the build, saying how to write it
    odd = page_table("const scripts = { topic: async () => await import('./topic.js') };")
    assert odd.returncode != 0 and "kind: () => import('./file.js')" in odd.stderr
