"""/api/preview: the composer's preview is exactly what posting the text would show."""

from __future__ import annotations

from typing import Any

from ..conftest import MEMBER, Caller


def test_the_preview_renders_as_the_post_will(call: Caller, topic: dict[str, Any]) -> None:
    # Given some Markdown with a table, a link and raw HTML
    text = (
        "**bold** <script>alert(1)</script>\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nhttps://x.example"
    )
    # When a guest previews it, and a member posts it
    preview = call("POST", "/api/preview", {"body": text})
    posted = call("POST", f"/api/topics/{topic['id']}/posts", {"body": text}, claims=MEMBER)
    # Then the preview is the post's own sanitized HTML
    assert preview.status == 200, preview.text
    assert preview.json == {"body_html": posted.json["post"]["body_html"]}
    assert "<script>" not in preview.json["body_html"]
    assert 'rel="nofollow ugc noopener"' in preview.json["body_html"]


def test_the_preview_keeps_the_rules_of_a_post(call: Caller, table: Any) -> None:
    assert call("POST", "/api/preview", {"body": "   "}).status == 422
    assert call("POST", "/api/preview", {"body": "x" * 50_001}).status == 422
    assert call("POST", "/api/preview", {"text": "x"}).status == 422
    assert call("POST", "/api/preview", raw_body="{").status == 400
    too_large = call("POST", "/api/preview", {"body": "x" * 300_000})
    assert too_large.status == 413
