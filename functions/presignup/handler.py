"""Cognito's pre sign-up trigger: the forum's rules for every account Cognito is about to make.

Thin over forum.sign_up_check: a refusal raises, and Cognito answers the SignUp (or
AdminCreateUser) call with UserLambdaValidationException and the refusal's words; otherwise the
event goes back unchanged (no account is confirmed or verified here: the emailed code does it).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes import event_source
from aws_lambda_powertools.utilities.data_classes.cognito_user_pool_event import (
    PreSignUpTriggerEvent,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from forum import models
from forum.settings import get_settings
from forum.sign_up_check import SignUpRefused, check

logger = Logger()
# The cold start: the models learn their table from this function's settings.
models.configure(get_settings())


@logger.inject_lambda_context
@event_source(data_class=PreSignUpTriggerEvent)
def lambda_handler(event: PreSignUpTriggerEvent, context: LambdaContext) -> dict[str, Any]:
    try:
        check(event.trigger_source, event.user_name, event.request.validation_data)
    except SignUpRefused as refusal:
        # Only why: neither the name nor the address is logged.
        logger.warning(
            "sign-up refused",
            extra={"trigger_source": event.trigger_source, "reason": str(refusal)},
        )
        raise
    return event.raw_event
