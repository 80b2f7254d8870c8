"""/api/preview: Markdown rendered exactly as a post would be, for the composer's preview."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import Field

from forum.content import clean_body
from forum.markup import render

from .responses import answers, ok
from .schemas.common import Request, Schema, post_body

router = Router()


class PreviewIn(Request):
    body: str = post_body("Markdown, 1-50,000 characters, as a post's body.")


class PreviewOut(Schema):
    body_html: str = Field(description="The sanitized HTML a post with this body would show.")


@router.post(
    "/api/preview",
    summary="Render Markdown as a post would show it (no sign-in)",
    responses=answers(ok()),
)
def preview(body: PreviewIn) -> PreviewOut:
    # The same rules and the same renderer as writing a post: what you see is what is posted.
    return PreviewOut(body_html=render(clean_body(body.body)))
