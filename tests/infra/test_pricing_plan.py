"""CloudFront's flat-rate pricing plans: pay-as-you-go by default, a subscription of the
distribution and its web ACL with a plan the distribution fits, and a refusal of one it does not."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Template

from infra.app import build_app
from infra.pricing_plan import PLANS, SOURCE, EdgeFeatures, edge_features, problems

from .conftest import Synthesis

FOREIGN_REGION = {"forum:region": "eu-west-1"}


def plan_app(tmp_path: Path, name: str, **context: Any) -> Any:
    return build_app(tmp_path, context={"forum:pricingPlan": name, **FOREIGN_REGION, **context})


def test_pay_as_you_go_is_the_default_and_subscribes_nothing(synth: Synthesis) -> None:
    assert synth.stack.node.try_get_context("forum:pricingPlan") in (None, "pay-as-you-go")
    for stack in synth.stacks:
        assert not stack.of_type("AWS::PricingPlanManager::Subscription")
    # and the Forum stack names its distribution for a plan to subscribe later
    arn = synth.outputs["DistributionArn"]["Value"]
    assert "distribution/" in json.dumps(arn)


def test_the_business_plan_subscribes_the_distribution_and_its_web_acl(tmp_path: Path) -> None:
    forum_app = plan_app(tmp_path, "business")
    assert forum_app.plan is not None and forum_app.plan.region == "us-east-1"
    template = Template.from_stack(forum_app.plan).to_json()
    (subscription,) = [
        resource["Properties"]
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::PricingPlanManager::Subscription"
    ]
    assert subscription["PlanFamily"] == "CloudFront"
    assert subscription["PlanTier"] == "BUSINESS"
    # read across regions, after both stacks are deployed
    assert subscription["ResourceArns"] == [
        {
            "Fn::GetStackOutput": {
                "StackName": "Forum",
                "OutputName": "DistributionArn",
                "Region": "eu-west-1",
            }
        },
        {
            "Fn::GetStackOutput": {
                "StackName": "ForumEdge",
                "OutputName": "WebAclArn",
                "Region": "us-east-1",
            }
        },
    ]
    assert {stack.stack_name for stack in forum_app.plan.dependencies} == {"Forum", "ForumEdge"}


@pytest.mark.parametrize(
    ("name", "reasons"),
    [
        ("free", ["6 cache behaviors (the plan allows 5)", "policies of its own", "regular"]),
        ("pro", ["policies of its own", "regular expression"]),
    ],
)
def test_a_plan_the_distribution_does_not_fit_is_refused_saying_why(
    tmp_path: Path, name: str, reasons: list[str]
) -> None:
    with pytest.raises(ValueError) as refused:
        plan_app(tmp_path, name)
    message = str(refused.value)
    assert f"CloudFront's {name} plan" in message and SOURCE in message
    for reason in reasons:
        assert reason in message, message
    if name == "pro":
        assert "cache behaviors" not in message  # six fit in ten


def test_the_plans_rules_accept_a_distribution_that_fits() -> None:
    fits_free = EdgeFeatures(cache_behaviors=5, own_policies=[], waf_rules=5, waf_regex=False)
    assert [problems(plan, fits_free) for plan in PLANS.values()] == [[], [], []]
    too_many = EdgeFeatures(cache_behaviors=11, own_policies=[], waf_rules=26, waf_regex=False)
    assert problems(PLANS["business"], too_many) == []
    assert len(problems(PLANS["pro"], too_many)) == 2


def test_the_forums_own_features_are_what_the_plans_are_checked_against(synth: Synthesis) -> None:
    features = edge_features(synth.stack.cdn, synth.edge_stack)
    (distribution,) = synth.of_type("AWS::CloudFront::Distribution").values()
    config = distribution["Properties"]["DistributionConfig"]
    assert features.cache_behaviors == len(config["CacheBehaviors"]) + 1
    assert len(synth.of_type("AWS::CloudFront::CachePolicy")) == 2
    assert features.own_policies
    (acl,) = synth.edge.of_type("AWS::WAFv2::WebACL").values()
    assert features.waf_rules == len(acl["Properties"]["Rules"])
    assert features.waf_regex == ("RegexMatchStatement" in json.dumps(acl))


def test_a_plan_needs_a_known_name_and_the_forums_region(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CDK_DEFAULT_REGION", raising=False)
    with pytest.raises(ValueError, match="must be one of pay-as-you-go, free, pro, business"):
        build_app(tmp_path, context={"forum:pricingPlan": "premium-plus"})
    with pytest.raises(ValueError, match="CDK_DEFAULT_REGION"):
        build_app(tmp_path / "x", context={"forum:pricingPlan": "business", "forum:region": ""})
