"""CloudFront's AWS WAF web ACL: in the us-east-1 edge stack, read by the Forum stack."""

from __future__ import annotations

import json
import re
from typing import Any

import aws_cdk as cdk
import pytest

from infra import static_build
from infra.cdn import WEB_DIR
from infra.edge import BODY_RULES, EDGE_REGION, UNCOUNTED_PATH, WEB_ACL_ARN_OUTPUT, WEB_ACL_NAME

from .conftest import Synthesis

MANAGED_GROUPS = {
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
}


def web_acl(synth: Synthesis) -> tuple[str, dict[str, Any]]:
    logical_id, resource = synth.edge.one("AWS::WAFv2::WebACL")
    return logical_id, resource["Properties"]


def managed_groups(props: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        rule["Statement"]["ManagedRuleGroupStatement"]["Name"]: rule
        for rule in props["Rules"]
        if "ManagedRuleGroupStatement" in rule["Statement"]
    }


def test_the_web_acl_is_for_cloudfront_in_us_east_1_and_lets_through_what_no_rule_stops(
    synth: Synthesis,
) -> None:
    _, props = web_acl(synth)

    assert synth.edge_stack.region == EDGE_REGION == "us-east-1"
    assert props["Scope"] == "CLOUDFRONT"
    assert props["DefaultAction"] == {"Allow": {}}
    assert props["VisibilityConfig"]["MetricName"] == WEB_ACL_NAME
    # The rules run in a definite order, each reporting its own metrics.
    priorities = [rule["Priority"] for rule in props["Rules"]]
    assert len(set(priorities)) == len(priorities)
    for rule in props["Rules"]:
        assert rule["VisibilityConfig"]["CloudWatchMetricsEnabled"] is True, rule["Name"]
        assert rule["VisibilityConfig"]["SampledRequestsEnabled"] is True, rule["Name"]


def test_the_web_acl_runs_the_three_aws_managed_groups_with_their_own_actions(
    synth: Synthesis,
) -> None:
    groups = managed_groups(web_acl(synth)[1])

    assert set(groups) == MANAGED_GROUPS
    for name, rule in groups.items():
        assert rule["Statement"]["ManagedRuleGroupStatement"]["VendorName"] == "AWS", name
        assert rule["OverrideAction"] == {"None": {}}, name


def test_only_rules_on_the_body_count_instead_of_blocking(synth: Synthesis) -> None:
    # Given the rule action overrides of the managed groups
    groups = managed_groups(web_acl(synth)[1])
    overrides = {
        name: {
            override["Name"]: override["ActionToUse"]
            for override in rule["Statement"]["ManagedRuleGroupStatement"].get(
                "RuleActionOverrides", []
            )
        }
        for name, rule in groups.items()
    }

    # Then a long post (over the core rule set's 8 KB) and an HTML sample in a post get through
    common = overrides["AWSManagedRulesCommonRuleSet"]
    assert common["SizeRestrictions_BODY"] == {"Count": {}}
    assert common["CrossSiteScripting_BODY"] == {"Count": {}}
    # And every override counts a rule of the body, nothing else: headers, paths, query strings
    # and cookies stay blocked
    for name, rules in overrides.items():
        assert set(rules) == set(BODY_RULES.get(name, ())), name
        for rule, action in rules.items():
            assert rule.endswith("_BODY"), rule
            assert action == {"Count": {}}, rule


def test_one_ip_address_is_limited_to_the_context_rate(
    synth: Synthesis, context: dict[str, Any]
) -> None:
    (rate_rule,) = (
        rule for rule in web_acl(synth)[1]["Rules"] if "RateBasedStatement" in rule["Statement"]
    )

    assert rate_rule["Action"] == {"Block": {}}
    statement = dict(rate_rule["Statement"]["RateBasedStatement"])
    scope = statement.pop("ScopeDownStatement")
    assert statement == {
        "AggregateKeyType": "IP",
        "Limit": context["forum:wafRateLimit"],
        "EvaluationWindowSec": 300,
    }
    # Pages and the API count; images and static files (cache hits, many per page) do not.
    uncounted = scope["NotStatement"]["Statement"]["RegexMatchStatement"]
    assert "UriPath" in uncounted["FieldToMatch"]
    assert uncounted["TextTransformations"] == [{"Priority": 0, "Type": "NONE"}]
    assert uncounted["RegexString"] == UNCOUNTED_PATH


def uncounted(path: str) -> bool:
    """Whether the rate rule's scope-down leaves this path (as the viewer sent it) uncounted;
    AWS WAF's regular expressions are PCRE, and this one reads the same in Python's ``re``."""
    return re.search(UNCOUNTED_PATH, path) is not None


def test_every_static_file_and_image_goes_uncounted() -> None:
    files = [path for path in WEB_DIR.rglob("*") if path.is_file()]
    assert files
    for path in files:
        assert uncounted("/static/" + path.relative_to(WEB_DIR).as_posix()), path
    # and the names the pages use: the build's, with their hashes (infra/static_build.py)
    for name in static_build.hashed_names():
        assert uncounted("/static/" + name), name
    # The thumbnail function's keys, as CloudFront's /media/* serves them
    assert uncounted("/media/0123456789abcdef0123456789abcdef/thumb.jpg")
    assert uncounted("/media/0123456789abcdef0123456789abcdef/display.webp")


@pytest.mark.parametrize(
    "path",
    [
        # CloudFront normalizes dot segments before it picks a behavior: these reach the API
        "/static/../api/topics/t1/heartbeat",
        "/media/./../t/t1/slug",
        "/static/%2E%2E/api/topics/t1/heartbeat",
        "/static/%2e%2e/api/accounts",
        "/static/..%2Fapi/accounts",
        "/static/%252E%252E/api/accounts",
        "/static//../api/accounts",
        "/static/.%2E/api/accounts",
        "/static/..\\api/accounts",
        "/static/js/../../api/accounts",
        # the pages and the API themselves
        "/",
        "/t/t1/slug",
        "/api/topics/t1/heartbeat",
        "/staticx/forum.css",
        "/static",
        "/static/",
        "/STATIC/js/main.js",
        "/api/static/x",
    ],
)
def test_a_path_that_may_reach_an_api_origin_is_counted(path: str) -> None:
    assert not uncounted(path)


def test_the_distribution_uses_the_web_acl_of_the_edge_stack(synth: Synthesis) -> None:
    # Given the edge stack's output of the web ACL's ARN
    acl_id, _ = web_acl(synth)
    assert synth.edge.outputs[WEB_ACL_ARN_OUTPUT]["Value"] == {"Fn::GetAtt": [acl_id, "Arn"]}

    # Then the distribution reads that output at deploy time, from us-east-1 ...
    _, distribution = synth.one("AWS::CloudFront::Distribution")
    assert distribution["Properties"]["DistributionConfig"]["WebACLId"] == {
        "Fn::GetStackOutput": {
            "StackName": synth.edge_stack.stack_name,
            "OutputName": WEB_ACL_ARN_OUTPUT,
            "Region": EDGE_REGION,
        }
    }
    # ... and the Forum stack deploys after the edge stack
    manifest = json.loads((synth.outdir / "manifest.json").read_text())
    forum_artifact = manifest["artifacts"][synth.stack.artifact_id]
    assert synth.edge_stack.artifact_id in forum_artifact["dependencies"]


def test_the_forum_stack_stays_environment_agnostic(synth: Synthesis) -> None:
    manifest = json.loads((synth.outdir / "manifest.json").read_text())
    environments = {
        name: artifact["environment"]
        for name, artifact in manifest["artifacts"].items()
        if artifact["type"] == "aws:cloudformation:stack"
    }

    assert environments == {
        synth.stack.artifact_id: "aws://unknown-account/unknown-region",
        synth.edge_stack.artifact_id: f"aws://unknown-account/{EDGE_REGION}",
    }
    assert cdk.Token.is_unresolved(synth.stack.region)


def test_waf_blocks_raise_an_alarm_in_us_east_1_on_an_encrypted_tls_only_topic(
    synth: Synthesis, context: dict[str, Any]
) -> None:
    # Given the edge stack's one alarm and one topic
    _, alarm = synth.edge.one("AWS::CloudWatch::Alarm")
    topic_id, topic = synth.edge.one("AWS::SNS::Topic")
    props = alarm["Properties"]

    # Then it counts the requests the whole web ACL blocked ...
    assert props["Namespace"] == "AWS/WAFV2"
    assert props["MetricName"] == "BlockedRequests"
    assert {item["Name"]: item["Value"] for item in props["Dimensions"]} == {
        "WebACL": WEB_ACL_NAME,
        "Rule": "ALL",
    }
    assert props["Statistic"] == "Sum"
    assert props["Period"] == 300
    assert props["Threshold"] == context["forum:wafBlocksAlarm"]
    assert props["TreatMissingData"] == "notBreaching"
    # ... and tells the topic of its own region (an alarm cannot notify another region's)
    assert props["AlarmActions"] == [{"Ref": topic_id}]
    assert "KmsMasterKeyId" in topic["Properties"]
    (policy,) = synth.edge.of_type("AWS::SNS::TopicPolicy").values()
    assert any(
        statement["Effect"] == "Deny"
        and statement.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    )


def test_the_dashboard_graphs_the_web_acl_from_us_east_1(synth: Synthesis) -> None:
    _, dashboard = synth.one("AWS::CloudWatch::Dashboard")
    body = json.dumps(dashboard["Properties"]["DashboardBody"])

    for metric in ("AllowedRequests", "BlockedRequests", "CountedRequests"):
        assert f'\\"AWS/WAFV2\\",\\"{metric}\\",\\"Rule\\",\\"ALL\\",\\"WebACL\\"' in body
    assert f'\\"region\\":\\"{EDGE_REGION}\\"' in body
