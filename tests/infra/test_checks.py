"""The synthesized stacks (Forum and ForumEdge) pass cdk-nag (AwsSolutions), CDK's template
validation and cfn-lint.

cdk-nag runs inside the synthesis through CDK's Validations plugin API. A finding is either fixed
or acknowledged next to its resource with a reason (``infra.nag.acknowledge``); CDK then lists it
under ``suppressedViolations`` in ``validation-report.json`` with that reason.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cfnlint.api import lint_file
from cfnlint.config import ManualArgs

from infra.nag import MIN_REASON_LENGTH, RULE_PACK

from .conftest import Synthesis

ACKNOWLEDGED_RULES = "aws:cdk:acknowledged-rules"
# Regions the Forum template is linted for (resource and property availability differ by
# region); the edge stack deploys only to its own region.
LINT_REGIONS = ["us-east-1", "eu-west-1", "eu-central-1"]


def plugin_reports(synth: Synthesis) -> dict[str, dict[str, Any]]:
    return {report["pluginName"]: report for report in synth.report.get("pluginReports", [])}


def describe(violation: dict[str, Any]) -> str:
    paths = ", ".join(c.get("constructPath", "?") for c in violation.get("violatingConstructs", []))
    return f"{violation['ruleName']} ({violation.get('severity')}): {paths}"


def acknowledgements(synth: Synthesis) -> list[tuple[str, str, str]]:
    """(construct path, rule id, reason) of every acknowledgement recorded in the assembly."""
    found = []
    for stack in synth.stacks:
        metadata_file = synth.outdir / f"{stack.stack.artifact_id}.metadata.json"
        for path, entries in json.loads(metadata_file.read_text()).items():
            for entry in entries:
                if entry["type"] == ACKNOWLEDGED_RULES:
                    for rule_id, reason in entry["data"].items():
                        found.append((path.lstrip("/"), rule_id, reason))
    return found


def test_synthesis_passes_its_validations(synth: Synthesis) -> None:
    assert synth.error is None, synth.error


def test_no_validation_finding_is_left_unacknowledged(synth: Synthesis) -> None:
    # Warnings do not fail a synthesis, so they are checked here: none may be left either.
    open_findings = [
        f"{name}: {describe(violation)}"
        for name, report in plugin_reports(synth).items()
        for violation in report.get("violations", [])
    ]
    assert open_findings == []
    failed = [
        name for name, report in plugin_reports(synth).items() if report["conclusion"] != "success"
    ]
    assert failed == []


def test_every_acknowledged_finding_carries_its_reason(synth: Synthesis) -> None:
    nag = plugin_reports(synth).get(RULE_PACK)
    assert nag is not None, "cdk-nag did not report: is the AwsSolutions plugin registered?"
    suppressed = nag.get("suppressedViolations", [])
    assert suppressed, "expected the acknowledged findings in the report"
    for violation in suppressed:
        reason = violation.get("reason") or ""
        assert len(reason.strip()) >= MIN_REASON_LENGTH, describe(violation)
        # Acknowledged on the resource or a construct that holds it, not far away on the stack.
        stack_paths = {stack.stack.node.path for stack in synth.stacks}
        assert violation["acknowledgedAt"] not in stack_paths, describe(violation)


def test_every_acknowledgement_answers_a_finding(synth: Synthesis) -> None:
    # Given the acknowledgements recorded in the construct tree
    made = acknowledgements(synth)
    assert made

    # Then each names the rule pack (so CDK's report keeps it with its reason) ...
    assert [rule for _, rule, _ in made if not rule.startswith(f"{RULE_PACK}::")] == []
    # ... and each still answers a finding: stale acknowledgements are removed, not kept.
    used = {
        (violation["acknowledgedAt"], violation["acknowledgedId"])
        for violation in plugin_reports(synth)[RULE_PACK].get("suppressedViolations", [])
    }
    assert [(path, rule) for path, rule, _ in made if (path, rule) not in used] == []


def lint_errors(template: Path, regions: list[str]) -> list[str]:
    matches = lint_file(template, config=ManualArgs(regions=regions))
    errors = [f"{match.rule.id} {match.message} ({match.linenumber})" for match in matches]
    # Warnings such as W3005 (CDK's redundant DependsOn) are allowed; errors are not.
    return [error for error in errors if error.startswith("E")]


def test_cfn_lint_finds_no_errors(synth: Synthesis) -> None:
    assert lint_errors(synth.template_path, LINT_REGIONS) == []


def test_cfn_lint_finds_no_errors_in_the_edge_stack(synth: Synthesis) -> None:
    assert lint_errors(synth.edge.template_path, [synth.edge_stack.region]) == []
