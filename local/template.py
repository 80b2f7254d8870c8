"""The stack's CloudFormation template: what the local runtime builds its world from.

The local runtime creates its tables, buckets, queues, user pool and routes from the same
template `cdk deploy` would deploy, so there is no second list to keep in step. Synthesizing
takes a few seconds, so the template is cached and made again only when the infrastructure
code, the functions' shared definitions or cdk.json change (not when the static build does:
the runtime gives the site function the manifest of the build it starts with).

Reading it is this module's too: the resources of a kind in an order that makes each after
those it refers to, the names the runtime gives them (from their construct paths), and the
values of ``Ref``, ``Fn::GetAtt``, ``Fn::Join`` and ``Fn::Sub`` once what they name exists
(local/stack.py makes it).

Only the Forum stack's template is read. The app's other stack, ForumEdge, holds CloudFront's
AWS WAF web ACL, which has no local counterpart: the runtime reads only the response headers of
the distribution, never its web ACL (an ``Fn::GetStackOutput`` of the edge stack).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

REPO_ROOT = Path(__file__).resolve().parent.parent
STACK_NAME = "Forum"
SHARED_DEFINITIONS = ("schema.py", "settings.py", "identity.py")

# The account and region of the local AWS: what the template's pseudo parameters resolve to.
ACCOUNT = "123456789012"
REGION = "us-east-1"
PSEUDO_PARAMETERS = {
    "AWS::Region": REGION,
    "AWS::AccountId": ACCOUNT,
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::StackName": STACK_NAME,
}


def _fingerprint() -> str:
    digest = hashlib.sha256()
    # What the stack's template depends on: the infra code, its context, and the few shared
    # definitions it imports from the functions (not the handlers, which it only packages).
    sources = [REPO_ROOT / "cdk.json", REPO_ROOT / "layers" / "requirements.txt"]
    sources += sorted((REPO_ROOT / "infra").rglob("*.py"))
    sources += sorted((REPO_ROOT / "functions").glob("*/routes.py"))
    sources += [REPO_ROOT / "functions" / "forum" / name for name in SHARED_DEFINITIONS]
    for path in sources:
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(REPO_ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def load_template(cache_dir: Path) -> dict[str, Any]:
    """The synthesized template, from the cache when the sources have not changed."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    cached = cache_dir / "template.json"
    stamp = cache_dir / "template.fingerprint"
    fingerprint = _fingerprint()
    if cached.is_file() and stamp.is_file() and stamp.read_text() == fingerprint:
        return dict(json.loads(cached.read_text()))
    with tempfile.TemporaryDirectory(prefix="forum-synth-") as outdir:
        env = {**os.environ, "CDK_OUTDIR": outdir}
        env.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
        result = subprocess.run(
            [sys.executable, str(REPO_ROOT / "infra" / "app.py")],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(
                "Synthesizing the stack failed:\n" + (result.stderr or result.stdout)[-4000:]
            )
        template = (Path(outdir) / f"{STACK_NAME}.template.json").read_text()
    cached.write_text(template)
    stamp.write_text(fingerprint)
    return dict(json.loads(template))


Resource = dict[str, Any]


class Template:
    """A synthesized template's resources and outputs."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.resources: dict[str, Resource] = body["Resources"]
        self.outputs: dict[str, Any] = body.get("Outputs") or {}

    def of_type(self, resource_type: str) -> list[tuple[str, Resource]]:
        """The resources of one type, each after those of the same type it refers to (a queue
        after its dead-letter queue), otherwise in the template's order."""
        found = {
            logical_id: resource
            for logical_id, resource in self.resources.items()
            if resource["Type"] == resource_type
        }
        ordered: list[tuple[str, Resource]] = []
        placed: set[str] = set()

        def place(logical_id: str) -> None:
            if logical_id in placed:
                return
            placed.add(logical_id)
            named = set(references(found[logical_id].get("Properties")))
            for other in found:
                if other in named:
                    place(other)
            ordered.append((logical_id, found[logical_id]))

        for logical_id in found:
            place(logical_id)
        return ordered


def references(value: Any) -> Iterator[str]:
    """The logical ids (and parameters) a piece of the template names."""
    if isinstance(value, list):
        for item in value:
            yield from references(item)
    elif isinstance(value, dict):
        for key, argument in value.items():
            if key == "Ref" and isinstance(argument, str):
                yield argument
            elif key == "Fn::GetAtt":
                yield argument[0] if isinstance(argument, list) else argument.split(".", 1)[0]
            elif key == "Fn::Sub" and isinstance(argument, str):
                for name in re.findall(r"\$\{([^}]+)\}", argument):
                    yield name.split(".", 1)[0]
            else:
                yield from references(argument)


def local_name(logical_id: str, resource: Resource) -> str:
    """A stable, readable name from the construct path: Forum/Data/Table → forum-data-table."""
    path = resource.get("Metadata", {}).get("aws:cdk:path", logical_id)
    parts = [part for part in path.split("/") if part not in ("Resource", "Default")]
    name = "-".join(parts).lower()
    return re.sub(r"[^a-z0-9-]+", "-", name).strip("-")[:60]


class Made(Protocol):
    """What exists so far, by logical id: what ``Ref`` and ``Fn::GetAtt`` resolve to."""

    names: dict[str, str]  # the value of Ref
    arns: dict[str, str]
    stream_arns: dict[str, str]  # a table's
    queue_urls: dict[str, str]


class Resolver:
    """Resolves the template's intrinsic functions against what has been made (None for what
    is not made, or not made locally)."""

    def __init__(self, made: Made) -> None:
        self.made = made

    def __call__(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self(item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref":
                return self.ref(argument)
            if key == "Fn::GetAtt":
                logical_id, attribute = (
                    argument if isinstance(argument, list) else argument.split(".", 1)
                )
                return self.get_att(logical_id, attribute)
            if key == "Fn::Join":
                separator, parts = argument
                resolved = [self(part) for part in parts]
                return None if None in resolved else separator.join(str(part) for part in resolved)
            if key == "Fn::Sub" and isinstance(argument, str):
                return re.sub(r"\$\{([^}]+)\}", lambda m: str(self.ref(m.group(1))), argument)
        return {key: self(item) for key, item in value.items()}

    def ref(self, name: str) -> Any:
        if name in PSEUDO_PARAMETERS:
            return PSEUDO_PARAMETERS[name]
        return self.made.names.get(name)

    def get_att(self, logical_id: str, attribute: str) -> Any:
        if attribute == "Arn":
            return self.made.arns.get(logical_id)
        if attribute == "StreamArn":
            return self.made.stream_arns.get(logical_id)
        if attribute == "QueueUrl":
            return self.made.queue_urls.get(logical_id)
        if attribute in ("QueueName", "ProviderName"):
            return self.made.names.get(logical_id)
        if attribute == "RegionalDomainName" and logical_id in self.made.names:
            # A bucket's address in AWS (the pages' CSP names it; locally the moto server is
            # allowed instead).
            return f"{self.made.names[logical_id]}.s3.{REGION}.amazonaws.com"
        return None
