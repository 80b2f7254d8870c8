"""/api/unsubscribe: the one-click unsubscribe link of the forum's mail (RFC 8058).

Public: the signed token in the link says who and what (forum.unsubscribe). GET tells what a
link would stop (a mail client or a person checking it first) and changes nothing; POST, which
mail clients send with the body ``List-Unsubscribe=One-Click`` (form-encoded, the one body
the API takes that is not JSON), stops that kind of mail to that member. A changed token is
400, a stale one 410, a used one 409.
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from forum import unsubscribe

from .responses import answers, ok
from .schemas.mail import UnsubscribeOut

router = Router()
PATH = "/api/unsubscribe"

Token = Annotated[
    str, Query(min_length=1, max_length=256, description="The token of the mail's link.")
]


@router.get(
    PATH, summary="What an unsubscribe link stops", responses=answers(ok(), problems=(410,))
)
def unsubscribe_link(token: Token) -> UnsubscribeOut:
    found = unsubscribe.verify(token)
    return UnsubscribeOut(kind=found.kind, unsubscribed=False)


@router.post(
    PATH,
    summary="Stop one kind of mail (one click)",
    responses=answers(ok(), problems=(409, 410)),
)
def unsubscribe_now(token: Token) -> UnsubscribeOut:
    found = unsubscribe.unsubscribe(token)
    return UnsubscribeOut(kind=found.kind, unsubscribed=True)
