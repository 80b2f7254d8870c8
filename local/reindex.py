"""`make reindex`: rebuild the running local forum's search index from its table.

The same rebuild as in AWS (``forum.search.rebuild``: resumable, with a progress bar, the
running index serving until the new one is published), against the moto server of the running
``make dev`` and the names of its stack, which the runtime writes to ``.local/aws/``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .redrive import endpoint_of

REPO_ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.reindex", description=__doc__)
    parser.add_argument("--state-dir", type=Path, default=REPO_ROOT / ".local")
    args = parser.parse_args(argv)
    endpoint = endpoint_of(args.state_dir)
    outputs = json.loads((args.state_dir / "aws" / "outputs.json").read_text())
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_REGION": "us-east-1",
            "FORUM_DYNAMODB_ENDPOINT": endpoint,
        }
    )
    sys.path[:0] = [str(REPO_ROOT / "functions")]
    from forum.search.rebuild import main as rebuild

    return rebuild(
        [
            "--table",
            outputs["TableName"],
            "--bucket",
            outputs["SearchIndexBucketName"],
            "--work-dir",
            str(args.state_dir / "reindex"),
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
