"""/api/accounts: signing up, the only way an account is made (forum.accounts).

A bad or taken username gets the forum's own answer, and sign-ups are limited per IP address:
the caller's network as CloudFront saw it (forum.addresses: behind CloudFront the HTTP API's
``sourceIp`` is CloudFront's own edge server, shared by everyone it serves). Asking for a
password reset goes through the API too (api.password_resets); everything else about an
account (confirming the email address, signing in, refreshing, signing out, setting the new
password with the mailed code) goes from the browser straight to Cognito.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from forum import accounts

from . import caller
from .responses import answers, created
from .schemas.members import CodeDelivery, SignUpIn, SignUpOut

router = Router()


@router.post(
    "/api/accounts",
    summary="Sign up: claim a username and create the Cognito user",
    responses=answers(created(), problems=(403, 409, 429)),
)
def sign_up(body: SignUpIn) -> Response[SignUpOut]:
    """201 when the account exists; confirm the emailed code with Cognito, then sign in.

    409 when the name, or one that looks like it, is taken; 429 (with Retry-After) after too
    many sign-ups from the caller's network or to the address."""
    network = caller.network(router.current_event)
    signed_up = accounts.sign_up(body.username, body.email, body.password, network)
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
