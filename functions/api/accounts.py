"""/api/accounts: signing up, so that a bad or taken username gets the forum's own answer.

Everything else about an account (confirming the email address, signing in, refreshing,
signing out, resetting the password) goes from the browser straight to Cognito.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from forum import accounts

from .responses import answers, created
from .schemas.members import CodeDelivery, SignUpIn, SignUpOut

router = Router()


@router.post(
    "/api/accounts",
    summary="Sign up: claim a username and create the Cognito user",
    responses=answers(created(), problems=(403, 409, 429)),
)
def sign_up(body: SignUpIn) -> Response[SignUpOut]:
    """201 when the account exists; confirm the emailed code with Cognito, then sign in."""
    signed_up = accounts.sign_up(body.username, body.email, body.password)
    delivery = None
    if signed_up.destination or signed_up.delivery_medium:
        delivery = CodeDelivery(destination=signed_up.destination, medium=signed_up.delivery_medium)
    return Response(
        status_code=201,
        content_type="application/json",
        body=SignUpOut(
            username=body.username,
            user_id=signed_up.user_id,
            confirmed=signed_up.confirmed,
            confirmation=delivery,
        ),
        headers={"Location": f"/api/users/{body.username}"},
    )
