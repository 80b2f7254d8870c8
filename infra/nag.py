"""cdk-nag acknowledgements: each one names the finding and says why it is accepted.

Acknowledgements are made with the plugin's namespace (``AwsSolutions::AwsSolutions-COG2``), the
form CDK's validation report understands: the finding then appears in
``cdk.out/validation-report.json`` under ``suppressedViolations`` with its reason and the
construct that accepted it, an audit trail the tests read back.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, Validations
from constructs import IConstruct

RULE_PACK = "AwsSolutions"
MIN_REASON_LENGTH = 20


def acknowledge(scope: IConstruct, findings: dict[str, str]) -> None:
    """Accept cdk-nag findings on ``scope`` (and the constructs below it), one reason each.

    Keys are rule ids such as ``AwsSolutions-COG2`` or one finding of a rule such as
    ``AwsSolutions-IAM5[Resource::*]``; values are the reasons, which must say something.
    """
    for rule_id, reason in findings.items():
        if not rule_id.startswith(f"{RULE_PACK}-"):
            raise ValueError(f"not an {RULE_PACK} rule: {rule_id!r}")
        if len(reason.strip()) < MIN_REASON_LENGTH:
            raise ValueError(f"acknowledging {rule_id} needs a real reason, not {reason!r}")
        Validations.of(scope).acknowledge(
            Acknowledgment(id=f"{RULE_PACK}::{rule_id}", reason=" ".join(reason.split()))
        )
