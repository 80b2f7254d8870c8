"""The mail events function: SES's permanent bounces and complaints, published through SNS,
suppress an address; transient bounces, other events and stray messages change nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from forum import mail

from ..conftest import LambdaContextStub

NOW = datetime(2026, 12, 4, 21, 15, tzinfo=UTC)


def sns_event(*messages: Any) -> dict[str, Any]:
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "Sns": {
                    "Type": "Notification",
                    "Message": m if isinstance(m, str) else json.dumps(m),
                },
            }
            for m in messages
        ]
    }


def bounce(address: str, bounce_type: str = "Permanent") -> dict[str, Any]:
    return {
        "eventType": "Bounce",
        "bounce": {"bounceType": bounce_type, "bouncedRecipients": [{"emailAddress": address}]},
        "mail": {"destination": [address]},
    }


def complaint(address: str) -> dict[str, Any]:
    return {
        "eventType": "Complaint",
        "complaint": {"complainedRecipients": [{"emailAddress": address}]},
    }


@pytest.mark.usefixtures("mail_settings")
def test_bounces_and_complaints_stop_mail_to_an_address() -> None:
    from mail_events.handler import lambda_handler

    answer = lambda_handler(
        sns_event(
            bounce("gone@example.com"),
            bounce("full@example.com", "Transient"),
            complaint("angry@example.com"),
            {"eventType": "Delivery", "delivery": {"recipients": ["fine@example.com"]}},
            "not json",
            {
                "eventType": "Bounce",
                "bounce": {"bounceType": "Permanent", "bouncedRecipients": [7]},
            },
        ),
        LambdaContextStub(),
    )

    assert answer == {"suppressed": 2}
    outcomes = {
        address: mail.send(
            mail.Recipient(f"user-{n}", address), "reply", "s", "t", "<p>t</p>", now=NOW
        )
        for n, address in enumerate(
            ["gone@example.com", "angry@example.com", "full@example.com", "fine@example.com"]
        )
    }
    assert outcomes == {
        "gone@example.com": mail.Outcome.SUPPRESSED,
        "angry@example.com": mail.Outcome.SUPPRESSED,
        "full@example.com": mail.Outcome.SENT,
        "fine@example.com": mail.Outcome.SENT,
    }
