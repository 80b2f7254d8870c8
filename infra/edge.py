"""The forum's edge stack: CloudFront's web ACL, which AWS WAF accepts only in us-east-1.

A web ACL for a CloudFront distribution must have the CLOUDFRONT scope and live in us-east-1,
while the Forum stack deploys to whatever region the CLI uses. So the web ACL has a small stack
of its own, pinned to us-east-1, and the Forum stack reads its ARN at deploy time with
``Fn::GetStackOutput`` (which reads another stack's output, across regions, without an export
that would tie the two stacks together). The Forum stack depends on this one, so
``cdk deploy --all`` (or ``cdk deploy Forum``) deploys this one first. The Forum stack itself
stays environment-agnostic: nothing in it names its own region.

The web ACL's blocks alarm is here too, with its own topic: a CloudWatch alarm watches only
metrics of its own region and notifies only a topic of its own region.

Rules, in the order WAF evaluates them:

1. Amazon's IP reputation list: addresses known for bots and other threats.
2. A rate limit per client IP address (``forum:wafRateLimit`` requests in any 5 minutes), on
   everything but plain file paths under /static/ and /media/ (``UNCOUNTED_PATH``).
3. Known bad inputs: request patterns of known exploits (Log4j, Java deserialization, ...).
4. The core rule set (OWASP-style signatures).

The request *body* is what members write: Markdown posts of up to 50,000 characters in requests
of up to ``forum:maxRequestBytes`` (256 KiB), about anything, code samples included. The managed
rules that inspect the body would turn legitimate posts away (a post over 8 KB, an HTML or
``<script>`` sample, a path such as ``../../etc/passwd``, a link to an IP address, a quoted
Log4Shell string) while guarding against nothing this application can suffer from: the API
bounds and validates every body itself, Markdown is rendered through an allow-list sanitizer
(nh3) and served under a strict Content-Security-Policy, the data is in DynamoDB (no SQL, no
files), and no function ever fetches a URL or opens a path taken from a request. So those
rules only *count* (their matches still show in the metrics and sampled requests); every rule
on headers, paths, query strings and cookies blocks.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Fn, Stack
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from .config import ForumConfig
from .monitoring import alarm_topic, forum_alarm, web_acl_metric

EDGE_STACK_NAME = "ForumEdge"
# AWS WAF takes CLOUDFRONT-scope web ACLs only in us-east-1 (and reports their metrics there).
EDGE_REGION = "us-east-1"
# The output the Forum stack reads: its name is the contract between the two stacks.
WEB_ACL_ARN_OUTPUT = "WebAclArn"
# The web ACL's name and metric name (the WebACL dimension of its CloudWatch metrics).
WEB_ACL_NAME = "forum"

# Rules of the managed groups that inspect the request body; they count instead of blocking
# (see the module's docstring).
BODY_RULES = {
    "AWSManagedRulesCommonRuleSet": (
        "SizeRestrictions_BODY",  # bodies over 8 KB: every long post
        "CrossSiteScripting_BODY",  # HTML and script samples in posts
        "GenericLFI_BODY",  # file paths in posts
        "GenericRFI_BODY",  # links to addresses in posts
        "EC2MetaDataSSRF_BODY",  # posts about instance metadata
    ),
    "AWSManagedRulesKnownBadInputsRuleSet": (
        "Log4JRCE_BODY",  # posts quoting Log4Shell strings
        "JavaDeserializationRCE_BODY",  # posts about Java deserialization exploits
    ),
}
# The managed groups, first to last (the rate rule runs between the first and the others).
MANAGED_GROUPS = (
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesCommonRuleSet",
)
RATE_RULE = "RateLimitPerIp"


def _visibility(metric_name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True,
        metric_name=metric_name,
        sampled_requests_enabled=True,
    )


def _managed_group(name: str, priority: int) -> wafv2.CfnWebACL.RuleProperty:
    counted = [
        wafv2.CfnWebACL.RuleActionOverrideProperty(
            name=rule, action_to_use=wafv2.CfnWebACL.RuleActionProperty(count={})
        )
        for rule in BODY_RULES.get(name, ())
    ]
    return wafv2.CfnWebACL.RuleProperty(
        name=name,
        priority=priority,
        statement=wafv2.CfnWebACL.StatementProperty(
            managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                vendor_name="AWS", name=name, rule_action_overrides=counted or None
            )
        ),
        # "none": the group's own actions apply (with the overrides above).
        override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
        visibility_config=_visibility(name),
    )


# Images and static files are not counted by the rate rule: a topic page may show up to 200
# thumbnails, and a school or an office behind one address would soon be over any sane limit.
# They are files from the cache, no work for the origin.
UNCOUNTED_PREFIXES = ("/media/", "/static/")
# Only a plain file path under those prefixes goes uncounted: segments of letters, digits, "_",
# "-" and ".", none of them empty or starting with a dot, and no "%" at all. AWS WAF matches the
# path as the viewer sent it, while CloudFront normalizes dot segments (RFC 3986) before it picks
# a behavior, so a prefix match alone let "/static/%2E%2E/api/..." or "/static/../api/..." reach
# the API uncounted. Refusing every encoded or dot segment holds whatever either side decodes or
# normalizes, and no file the forum serves has one (tests/infra/test_edge.py checks web/).
UNCOUNTED_PATH = (
    "^/("
    + "|".join(prefix.strip("/") for prefix in UNCOUNTED_PREFIXES)
    + ")(/[A-Za-z0-9_-][A-Za-z0-9._-]*)+$"
)


def _uncounted_path() -> wafv2.CfnWebACL.StatementProperty:
    return wafv2.CfnWebACL.StatementProperty(
        regex_match_statement=wafv2.CfnWebACL.RegexMatchStatementProperty(
            field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(uri_path={}),
            regex_string=UNCOUNTED_PATH,
            text_transformations=[
                wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")
            ],
        )
    )


def _rate_rule(limit: int, priority: int) -> wafv2.CfnWebACL.RuleProperty:
    uncounted = _uncounted_path()
    return wafv2.CfnWebACL.RuleProperty(
        name=RATE_RULE,
        priority=priority,
        statement=wafv2.CfnWebACL.StatementProperty(
            rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                aggregate_key_type="IP",
                limit=limit,
                evaluation_window_sec=300,
                scope_down_statement=wafv2.CfnWebACL.StatementProperty(
                    not_statement=wafv2.CfnWebACL.NotStatementProperty(statement=uncounted)
                ),
            )
        ),
        action=wafv2.CfnWebACL.RuleActionProperty(block={}),
        visibility_config=_visibility(RATE_RULE),
    )


class ForumEdgeStack(Stack):
    """Pinned to us-east-1 (any account: the CLI's); holds CloudFront's web ACL and its alarm."""

    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        config = ForumConfig.from_context(self)

        rules = [_managed_group(MANAGED_GROUPS[0], 0), _rate_rule(config.waf_rate_limit, 1)]
        rules += [
            _managed_group(name, priority)
            for priority, name in enumerate(MANAGED_GROUPS[1:], start=2)
        ]
        # What the flat-rate pricing plans limit (infra/pricing_plan.py): the rate rule's
        # scope-down is a regular expression.
        self.rule_count = len(rules)
        self.uses_regex = True
        self.web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            name=WEB_ACL_NAME,
            description="Guards the forum CloudFront distribution",
            scope="CLOUDFRONT",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=_visibility(WEB_ACL_NAME),
            rules=rules,
        )
        output = CfnOutput(
            self,
            WEB_ACL_ARN_OUTPUT,
            value=self.web_acl.attr_arn,
            description="CloudFront's web ACL (read by the Forum stack)",
        )
        output.override_logical_id(WEB_ACL_ARN_OUTPUT)

        self.topic = alarm_topic(self, "Alarms")
        forum_alarm(
            self,
            "WafBlocks",
            self.topic,
            web_acl_metric("BlockedRequests", WEB_ACL_NAME, self.region),
            config.waf_blocks_alarm,
            f"AWS WAF blocked {config.waf_blocks_alarm}+ requests to the forum in 5 minutes: "
            "an attack, or a rule turning members away (see the web ACL's sampled requests).",
        )

    def web_acl_arn(self, consumer: Stack) -> str:
        """The web ACL's ARN as ``consumer`` reads it at deploy time; ``consumer`` then deploys
        after this stack."""
        consumer.add_stack_dependency(
            self, "CloudFront's distribution uses the edge stack's web ACL"
        )
        return Fn.get_stack_output(self.stack_name, WEB_ACL_ARN_OUTPUT, self.region)
