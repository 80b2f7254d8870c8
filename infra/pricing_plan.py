"""CloudFront's flat-rate pricing plans, as an option: ``-c forum:pricingPlan=business``.

By default (``pay-as-you-go``) the forum pays CloudFront and AWS WAF per request. With a plan,
a third stack, **ForumPlan** (us-east-1, where the PricingPlanManager API lives), subscribes the
distribution and its web ACL (``AWS::PricingPlanManager::Subscription``, CDK's
``aws_pricingplanmanager``): one monthly price, WAF included, no overage. It reads both ARNs
with ``Fn::GetStackOutput`` (the Forum stack's region is the CLI's, given as
``CDK_DEFAULT_REGION`` by the CDK CLI or ``-c forum:region=``), so it deploys after the two.

A plan allows only some of CloudFront's and WAF's features; the distribution must fit it, and
the synthesis refuses a plan it does not fit, saying what does not (``problems``). The rules,
from the CloudFront Developer Guide's "Features by pricing plan tier"
(https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/flat-rate-pricing-plan.html):

    plan        behaviors  own cache / origin request /     WAF rules  regex rules
                           response headers policies
    free            5      no (managed policies only)           5         no
    pro            10      no (managed policies only)          25         no
    business       50      yes                                 50         yes

CloudFormation creates a paid subscription as PENDING_APPROVAL (``ApprovePaidSubscription``
starts it; CloudFormation does not), and never changes an existing subscription's tier: a stack
update with another tier is rejected (change it through the API, then here).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from aws_cdk import Fn, Stack
from aws_cdk import aws_pricingplanmanager as pricingplanmanager
from constructs import Construct

from .edge import ForumEdgeStack

PRICING_PLAN_CONTEXT = "forum:pricingPlan"
REGION_CONTEXT = "forum:region"
PAY_AS_YOU_GO = "pay-as-you-go"
PLAN_FAMILY = "CloudFront"
PLAN_STACK_NAME = "ForumPlan"
PLAN_REGION = "us-east-1"
DISTRIBUTION_ARN_OUTPUT = "DistributionArn"
SOURCE = (
    "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/flat-rate-pricing-plan.html"
)


@dataclass(frozen=True)
class Plan:
    tier: str
    cache_behaviors: int  # the default behavior included
    own_policies: bool  # custom cache, origin request and response headers policies
    waf_rules: int
    waf_regex: bool


PLANS = {
    "free": Plan("FREE", cache_behaviors=5, own_policies=False, waf_rules=5, waf_regex=False),
    "pro": Plan("PRO", cache_behaviors=10, own_policies=False, waf_rules=25, waf_regex=False),
    "business": Plan(
        "BUSINESS", cache_behaviors=50, own_policies=True, waf_rules=50, waf_regex=True
    ),
}


@dataclass(frozen=True)
class EdgeFeatures:
    """What the distribution and its web ACL use, as far as the plans limit it."""

    cache_behaviors: int
    own_policies: list[str]  # the custom policies' purposes
    waf_rules: int
    waf_regex: bool


def plan_name(scope: Construct) -> str:
    raw = scope.node.try_get_context(PRICING_PLAN_CONTEXT) or PAY_AS_YOU_GO
    name = str(raw).strip().lower()
    if name != PAY_AS_YOU_GO and name not in PLANS:
        choices = ", ".join([PAY_AS_YOU_GO, *PLANS])
        raise ValueError(f"context {PRICING_PLAN_CONTEXT} must be one of {choices}, not {raw!r}")
    return name


def problems(plan: Plan, features: EdgeFeatures) -> list[str]:
    """What the distribution uses that the plan does not allow (nothing: it fits)."""
    found = []
    if features.cache_behaviors > plan.cache_behaviors:
        found.append(
            f"{features.cache_behaviors} cache behaviors (the plan allows {plan.cache_behaviors})"
        )
    if features.own_policies and not plan.own_policies:
        found.append(
            "policies of its own, where the plan allows only AWS managed ones: "
            + "; ".join(features.own_policies)
        )
    if features.waf_rules > plan.waf_rules:
        found.append(f"{features.waf_rules} WAF rules (the plan allows {plan.waf_rules})")
    if features.waf_regex and not plan.waf_regex:
        found.append("a WAF rule matching a regular expression (the rate rule's scope-down)")
    return found


def edge_features(cdn: Any, edge: ForumEdgeStack) -> EdgeFeatures:
    """The features of the forum's distribution (infra/cdn.py) and web ACL (infra/edge.py)."""
    return EdgeFeatures(
        cache_behaviors=cdn.cache_behaviors,
        own_policies=list(cdn.own_policies),
        waf_rules=edge.rule_count,
        waf_regex=edge.uses_regex,
    )


def forum_region(scope: Construct) -> str:
    region = scope.node.try_get_context(REGION_CONTEXT) or os.environ.get("CDK_DEFAULT_REGION")
    if not region:
        raise ValueError(
            f"a pricing plan subscribes the Forum stack's distribution from {PLAN_REGION}, "
            f"which must know the Forum stack's region: run the CDK CLI (it sets "
            f"CDK_DEFAULT_REGION) or add -c {REGION_CONTEXT}=<region>"
        )
    return str(region)


class ForumPlanStack(Stack):
    """The subscription of the distribution and its web ACL to a flat-rate plan."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name: str,
        features: EdgeFeatures,
        forum: Stack,
        edge: ForumEdgeStack,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        plan = PLANS[name]
        unfit = problems(plan, features)
        if unfit:
            raise ValueError(
                f"the distribution does not fit CloudFront's {name} plan ({SOURCE}): it uses "
                + ", and ".join(unfit)
                + ". Deploy with pay-as-you-go or the business plan."
            )
        self.add_dependency(forum, "the plan subscribes the Forum stack's distribution")
        distribution_arn = Fn.get_stack_output(
            forum.stack_name, DISTRIBUTION_ARN_OUTPUT, forum_region(self)
        )
        self.subscription = pricingplanmanager.CfnSubscription(
            self,
            "Subscription",
            plan_family=PLAN_FAMILY,
            plan_tier=plan.tier,
            resource_arns=[distribution_arn, edge.web_acl_arn(self)],
        )
