"""Alarms and the dashboard: what tells an operator that people are hurting."""

from __future__ import annotations

from typing import Any

from .conftest import Synthesis


def alarms(synth: Synthesis) -> dict[str, dict[str, Any]]:
    return {
        resource["Properties"].get("AlarmDescription", logical_id): resource["Properties"]
        for logical_id, resource in synth.of_type("AWS::CloudWatch::Alarm").items()
    }


def test_server_errors_function_failures_and_throttles_raise_alarms(synth: Synthesis) -> None:
    found = alarms(synth)
    descriptions = " | ".join(found)
    assert "More than 1% of API requests answered 5xx" in descriptions
    assert "The Api function failed" in descriptions
    assert "The Api function was throttled" in descriptions
    assert "DynamoDB throttled forum requests" in descriptions
    for properties in found.values():
        # a forum at rest must not page anyone, and every alarm reaches the topic
        assert properties["TreatMissingData"] == "notBreaching"
        assert properties["AlarmActions"], properties


def test_alarms_go_to_an_encrypted_topic_that_only_takes_tls(synth: Synthesis) -> None:
    _, topic = synth.one("AWS::SNS::Topic")
    assert "KmsMasterKeyId" in topic["Properties"]
    policies = synth.of_type("AWS::SNS::TopicPolicy")
    statements = [
        statement
        for policy in policies.values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    assert any(
        statement["Effect"] == "Deny"
        and statement.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"
        for statement in statements
    )


def test_there_is_one_dashboard(synth: Synthesis) -> None:
    _, dashboard = synth.one("AWS::CloudWatch::Dashboard")
    assert dashboard["Properties"]["DashboardBody"]
