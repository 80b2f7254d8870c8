"""The forum's CDK app: ``npx cdk synth`` / ``deploy --all`` run this (see cdk.json).

Two stacks: Forum (everything, in the CLI's region) and ForumEdge (CloudFront's web ACL, which
AWS WAF takes only in us-east-1); see infra/edge.py. With ``-c forum:pricingPlan=<plan>`` a
third, ForumPlan (us-east-1), subscribes both to CloudFront's flat-rate plan: infra/pricing_plan.py.

cdk-nag's AwsSolutions pack checks every synthesis through CDK's Validations plugin API; a
finding that is not acknowledged (with its reason, next to the resource) fails the synthesis.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# jsii prints a Node end-of-life banner on every call otherwise; must be set before the import.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

_REPO_ROOT = Path(__file__).resolve().parent.parent
if str(_REPO_ROOT) not in sys.path:  # run as a script, this file's directory comes first
    sys.path.insert(0, str(_REPO_ROOT))

import aws_cdk as cdk  # noqa: E402
from cdk_nag import AwsSolutionsChecks  # noqa: E402

from infra import REPO_ROOT  # noqa: E402  (also puts functions/ on sys.path)
from infra.edge import EDGE_REGION, EDGE_STACK_NAME, ForumEdgeStack  # noqa: E402
from infra.pricing_plan import (  # noqa: E402
    PAY_AS_YOU_GO,
    PLAN_REGION,
    PLAN_STACK_NAME,
    ForumPlanStack,
    edge_features,
    plan_name,
)
from infra.stack import ForumStack  # noqa: E402

STACK_NAME = "Forum"


def cdk_json_context() -> dict[str, Any]:
    """The context of cdk.json, so a synthesis outside the CDK CLI (tests, `python infra/app.py`)
    sees the same limits and feature flags; the CLI's own context still takes precedence."""
    path = REPO_ROOT / "cdk.json"
    if not path.is_file():
        return {}
    context = json.loads(path.read_text()).get("context", {})
    return context if isinstance(context, dict) else {}


@dataclass(frozen=True)
class ForumApp:
    app: cdk.App
    # Environment-agnostic: the CLI's account and region.
    forum: ForumStack
    # CloudFront's web ACL, in us-east-1 (the CLI's account); deployed before the forum.
    edge: ForumEdgeStack
    # The flat-rate pricing plan's subscription, when one is chosen; deployed after both.
    plan: ForumPlanStack | None = None

    @property
    def stacks(self) -> tuple[cdk.Stack, ...]:
        return (self.forum, self.edge, *([self.plan] if self.plan else []))


def build_app(
    outdir: str | os.PathLike[str] | None = None, context: dict[str, Any] | None = None
) -> ForumApp:
    """The app and its stacks, with cdk-nag registered; call ``app.synth()`` to check and emit."""
    app = cdk.App(
        outdir=str(outdir or os.environ.get("CDK_OUTDIR") or "cdk.out"),
        context={**cdk_json_context(), **(context or {})},
    )
    edge = ForumEdgeStack(
        app,
        EDGE_STACK_NAME,
        description="The forum's edge: CloudFront's AWS WAF web ACL and its alarm",
        env=cdk.Environment(region=EDGE_REGION),
    )
    forum = ForumStack(
        app, STACK_NAME, edge=edge, description="A serverless forum: JSON API, members, data"
    )
    plan = None
    name = plan_name(app)
    if name != PAY_AS_YOU_GO:
        plan = ForumPlanStack(
            app,
            PLAN_STACK_NAME,
            name=name,
            features=edge_features(forum.cdn, edge),
            forum=forum,
            edge=edge,
            description=f"The forum's CloudFront flat-rate pricing plan ({name})",
            env=cdk.Environment(region=PLAN_REGION),
        )
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return ForumApp(app=app, forum=forum, edge=edge, plan=plan)


def main() -> None:
    build_app().app.synth()


if __name__ == "__main__":
    main()
