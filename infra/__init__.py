"""The forum's CDK app: one construct per concern, composed by ``stack.ForumStack``.

Key names, index names, routes and environment variable names are defined once in the Lambda
code under ``functions/``; that directory is put on ``sys.path`` here so the infrastructure reads
the same definitions instead of repeating them.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS_DIR = REPO_ROOT / "functions"
LAYER_BUILD_DIR = REPO_ROOT / "layers" / "dist"

if str(FUNCTIONS_DIR) not in sys.path:
    sys.path.insert(0, str(FUNCTIONS_DIR))
