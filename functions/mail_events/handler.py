"""The mail events function: SES's bounces and complaints stop mail to an address.

SES publishes the events of the forum's configuration set to an SNS topic, which invokes this
function. A permanent bounce (the address does not exist) or a complaint (the member marked
the mail as spam) suppresses the address (forum.mail_records): forum.mail sends it nothing
more. A transient bounce (a full mailbox) changes nothing, nor does any other event. A message
that is not an SES event is logged and passed over: SNS would only retry it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from forum import mail_records, models
from forum.settings import get_settings

logger = Logger()
metrics = Metrics()
# The cold start: the models learn their table from this function's settings.
models.configure(get_settings())


def suppressed_addresses(event: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(address, "bounce" | "complaint") for each address an SES event says to stop mailing."""
    kind = event.get("eventType") or event.get("notificationType")
    if kind == "Bounce":
        bounce = event.get("bounce") or {}
        if bounce.get("bounceType") != "Permanent":
            return
        for recipient in bounce.get("bouncedRecipients") or []:
            if isinstance(recipient, Mapping) and recipient.get("emailAddress"):
                yield str(recipient["emailAddress"]), "bounce"
    elif kind == "Complaint":
        complaint = event.get("complaint") or {}
        for recipient in complaint.get("complainedRecipients") or []:
            if isinstance(recipient, Mapping) and recipient.get("emailAddress"):
                yield str(recipient["emailAddress"]), "complaint"


def handle(event: Mapping[str, Any], now: datetime | None = None) -> int:
    """An SNS event's SES events; how many addresses were suppressed."""
    moment = now or datetime.now(UTC)
    count = 0
    for record in event.get("Records") or []:
        try:
            published = json.loads(record["Sns"]["Message"])
        except (KeyError, TypeError, ValueError):
            logger.warning("an SNS message that is not an SES event passed over")
            continue
        if not isinstance(published, Mapping):
            continue
        for address, reason in suppressed_addresses(published):
            mail_records.suppress(address, reason, moment)
            count += 1
    if count:
        logger.info("addresses suppressed", extra={"count": count})
        metrics.add_metric(name="MailAddressesSuppressed", unit=MetricUnit.Count, value=count)
    return count


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return {"suppressed": handle(event)}
