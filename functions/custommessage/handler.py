"""Cognito's custom message trigger: the forum's words for every mail Cognito sends, and the
per-account limit on password reset mail.

Thin over forum.account_mail (the subject and body) and forum.reset_limits (a reset code mailed
to one account at most ``password_resets_per_account_per_day`` times a day, however
ForgotPassword was called: through ``POST /api/password-resets`` or straight from a browser).
Beyond the limit the function raises, and Cognito refuses the call
(``UserLambdaValidationException``) and sends nothing. A message it has no words for (an MFA
code) goes back unchanged, in Cognito's own words.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes import event_source
from aws_lambda_powertools.utilities.data_classes.cognito_user_pool_event import (
    CustomMessageTriggerEvent,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from forum import account_mail, clock, models, reset_limits
from forum.settings import get_settings

logger = Logger()
# The cold start: the models learn their table from this function's settings.
models.configure(get_settings())


@logger.inject_lambda_context
@event_source(data_class=CustomMessageTriggerEvent)
def lambda_handler(event: CustomMessageTriggerEvent, context: LambdaContext) -> dict[str, Any]:
    source = event.trigger_source
    if source == account_mail.FORGOT_PASSWORD:
        account = event.request.user_attributes.get("sub") or event.user_name
        try:
            reset_limits.count_mail(account, clock.now())
        except reset_limits.TooManyResets:
            # Neither the name nor the address is logged.
            logger.warning("password reset mail refused", extra={"trigger_source": source})
            raise
    mail = account_mail.compose(
        source,
        event.user_name,
        event.request.code_parameter,
        event.request.username_parameter,
    )
    if mail is not None:
        event.response.email_subject = mail.subject
        event.response.email_message = mail.html
    return event.raw_event
