"""A post's searchable text is what its page shows; the api function never loads Tantivy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from forum.markup import render
from forum.search.text import plain_text

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_the_text_of_a_post_is_its_words_without_markup() -> None:
    html = render(
        "# Title\n\nSome **bold** and a [link](https://example.org/secret-path).\n\n"
        "- one\n- two\n\n> quoted &amp; <script>alert(1)</script>\n\n`code()`"
    )
    text = plain_text(html)
    assert text.splitlines()[:2] == ["Title", "Some bold and a link."]
    assert "secret-path" not in text  # an address is no word of the post
    assert "one\ntwo" in text
    # What the page shows as text (escaped there, and in every snippet), entities decoded
    assert "quoted & <script>alert(1)</script>" in text
    assert "code()" in text


def test_paragraphs_never_run_together() -> None:
    assert plain_text("<p>end</p><p>start</p>") == "end\nstart"
    assert plain_text("a<br>b &eacute;") == "a\nb é"


def test_the_api_function_does_not_import_tantivy() -> None:
    probe = (
        "import sys; import api.handler; "
        "assert 'tantivy' not in sys.modules, 'tantivy imported'; "
        "assert 'jinja2' not in sys.modules, 'jinja2 imported'"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=REPO_ROOT / "functions",
        env={"AWS_DEFAULT_REGION": "us-east-1", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
