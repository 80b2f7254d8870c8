"""/api/password-resets: step 1 of a forgotten password, limited per IP address and per name.

The answer is 202 with the same words for every name, known or not (forum.password_resets);
step 2, the code and the new password, goes from the browser straight to Cognito.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from forum import password_resets
from forum.i18n import _

from . import caller
from .responses import answers, ok
from .schemas.members import PasswordResetIn, PasswordResetOut

router = Router()
logger = Logger(child=True)


@router.post(
    "/api/password-resets",
    summary="Forgot password: have Cognito mail a reset code to the account of a name",
    responses=answers(ok("Asked; the same for every name, known or not.", 202), problems=(429,)),
)
def ask_for_reset(body: PasswordResetIn) -> Response[PasswordResetOut]:
    """202 whatever the name; then confirm the mailed code and a new password with Cognito
    (ConfirmForgotPassword). 429 (with Retry-After) after too many resets asked from the
    caller's network or for the name."""
    kept = password_resets.ask(body.name, caller.network(router.current_event))
    if kept is not None:
        # Neither the name nor the address: only what Cognito said.
        logger.info("password reset not mailed", extra={"reason": kept})
    return Response(
        status_code=202,
        content_type="application/json",
        body=PasswordResetOut(
            detail=_("If an account exists for that name, a code was sent to its email address.")
        ),
    )
