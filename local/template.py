"""The stack's CloudFormation template: what the local runtime builds its world from.

The local runtime creates its tables, buckets, queues, user pool and routes from the same
template `cdk deploy` would deploy, so there is no second list to keep in step. Synthesizing
takes a few seconds, so the template is cached and made again only when the infrastructure
code, the functions' shared definitions or cdk.json change.

Only the Forum stack's template is read. The app's other stack, ForumEdge, holds CloudFront's
AWS WAF web ACL, which has no local counterpart: the runtime reads only the response headers of
the distribution, never its web ACL (an ``Fn::GetStackOutput`` of the edge stack).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
STACK_NAME = "Forum"
SHARED_DEFINITIONS = ("schema.py", "settings.py", "identity.py")


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
