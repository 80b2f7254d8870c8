"""Synthesize the forum's CDK app once per test session and share the result.

The synthesis runs cdk-nag (through CDK's Validations plugin API) and CDK's built-in template
validation; their findings land in ``validation-report.json`` in the output directory. A failing
validation raises from ``app.synth()`` after the assembly is written, so the error is kept and
reported by the checks' own test while the other tests still read the template from disk.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
for entry in (REPO_ROOT, REPO_ROOT / "functions"):
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from aws_cdk import Stack  # noqa: E402
from aws_cdk.assertions import Template  # noqa: E402

from infra.app import build_app, cdk_json_context  # noqa: E402
from infra.edge import ForumEdgeStack  # noqa: E402
from infra.stack import ForumStack  # noqa: E402
from layers.build import SEARCH as SEARCH_LAYER  # noqa: E402
from layers.build import build as build_layer  # noqa: E402


@dataclass(frozen=True)
class StackTemplate:
    """One stack of the synthesized app and its template."""

    stack: Stack
    outdir: Path
    template: Template
    resources: dict[str, Any]

    @classmethod
    def read(cls, stack: Stack, outdir: Path) -> StackTemplate:
        template_json = json.loads((outdir / stack.template_file).read_text())
        return cls(
            stack=stack,
            outdir=outdir,
            template=Template.from_json(template_json),
            resources=template_json["Resources"],
        )

    @property
    def template_path(self) -> Path:
        return self.outdir / self.stack.template_file

    @property
    def outputs(self) -> dict[str, Any]:
        return dict(self.template.to_json().get("Outputs", {}))

    def of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {
            logical_id: resource
            for logical_id, resource in self.resources.items()
            if resource["Type"] == resource_type
        }

    def one(self, resource_type: str) -> tuple[str, dict[str, Any]]:
        found = self.of_type(resource_type)
        assert len(found) == 1, f"expected one {resource_type}, found {sorted(found)}"
        return next(iter(found.items()))


@dataclass(frozen=True)
class Synthesis(StackTemplate):
    """The Forum stack's template (most tests read only that one), with the edge stack's."""

    stack: ForumStack
    edge: StackTemplate
    report: dict[str, Any]
    # The message of a failed validation (cdk-nag errors), None when synthesis succeeded.
    error: str | None
    seconds: float

    @property
    def edge_stack(self) -> ForumEdgeStack:
        assert isinstance(self.edge.stack, ForumEdgeStack)
        return self.edge.stack

    @property
    def stacks(self) -> tuple[StackTemplate, ...]:
        return (self, self.edge)


@pytest.fixture(scope="session")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Synthesis:
    build_layer()  # incremental: a no-op when layers/dist matches layers/requirements.txt
    build_layer(layer=SEARCH_LAYER)  # and Tantivy's, for the search functions
    outdir = tmp_path_factory.mktemp("cdk.out")
    started = time.perf_counter()
    forum_app = build_app(outdir)
    error: str | None = None
    try:
        forum_app.app.synth()
    except RuntimeError as failure:  # jsii turns the JavaScript error into a RuntimeError
        error = str(failure)
    seconds = time.perf_counter() - started
    forum = StackTemplate.read(forum_app.forum, outdir)
    report_path = outdir / "validation-report.json"
    report = json.loads(report_path.read_text()) if report_path.exists() else {}
    return Synthesis(
        stack=forum_app.forum,
        outdir=outdir,
        template=forum.template,
        resources=forum.resources,
        edge=StackTemplate.read(forum_app.edge, outdir),
        report=report,
        error=error,
        seconds=seconds,
    )


@pytest.fixture(scope="session")
def context() -> dict[str, Any]:
    """cdk.json's context: the values the synthesized stack must carry."""
    return cdk_json_context()


def function_by_handler(synth: StackTemplate, handler: str) -> tuple[str, dict[str, Any]]:
    """The one function with this handler: its logical id and properties."""
    found = [
        (logical_id, resource["Properties"])
        for logical_id, resource in synth.of_type("AWS::Lambda::Function").items()
        if resource["Properties"].get("Handler") == handler
    ]
    assert len(found) == 1, found
    return found[0]


def alarm_descriptions(synth: StackTemplate) -> str:
    """Every alarm's description, in one string to search."""
    return " | ".join(
        resource["Properties"].get("AlarmDescription", "")
        for resource in synth.of_type("AWS::CloudWatch::Alarm").values()
    )
