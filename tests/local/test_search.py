"""Search in the local runtime: the demo content is searchable as soon as it starts, through
the search function's own routes, and `make reindex` rebuilds the index of the running forum."""

from __future__ import annotations

import subprocess
import sys

from local.client import ForumClient

from .conftest import REPO_ROOT, Runtime


def test_the_demo_content_is_searchable_at_start(runtime: Runtime) -> None:
    client = ForumClient(runtime.url)
    found = client.request("GET", "/api/search?q=welcome")
    assert found.status == 200, found.text
    assert any(hit["topic_title"] == "Welcome to the forum" for hit in found.json["results"])
    page = client.request("GET", "/search?q=markdown")
    assert page.status == 200 and "<mark>" in page.text


def test_make_reindex_rebuilds_the_running_forums_index(runtime: Runtime) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "local.reindex", "--state-dir", str(runtime.state_dir)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "published as generation" in done.stdout
    assert ForumClient(runtime.url).request("GET", "/api/search?q=welcome").json["total"] >= 1
