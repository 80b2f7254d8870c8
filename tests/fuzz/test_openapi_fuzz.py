"""Fuzz the JSON API from its own contract (/api/openapi.json) on the local runtime.

Every generated request, signed out and signed in (as an admin, who may reach every route),
passes all of schemathesis's checks: no 5xx; every status, content type, header and body as the
document declares; schema-valid requests accepted and schema-violating ones refused; 405 with
Allow for a method a path does not serve. schemathesis.toml beside this file says where the
forum's answer rightly differs from schemathesis's defaults, and why. `make test` runs a
short fuzz; `make fuzz` a long one (FORUM_FUZZ_EXAMPLES per operation, ≥ 1,000 cases in all).
The schemathesis command line runs the cases (its own engine, as in CI pipelines of APIs).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from local.client import ForumClient

from ..local.conftest import PASSWORD

EXAMPLES = int(os.environ.get("FORUM_FUZZ_EXAMPLES") or 5)
CHECKS = "all"
CONFIG = Path(__file__).with_name("schemathesis.toml")


def fuzz(url: str, *headers: str) -> tuple[int, str]:
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file",
        str(CONFIG),
        "run",
        f"{url}/api/openapi.json",
        "--checks",
        CHECKS,
        "--max-examples",
        str(EXAMPLES),
        "--no-color",
    ]
    if os.environ.get("FORUM_FUZZ_RANDOM") is None:
        command += ["--seed", "20261127"]
    for header in headers:
        command += ["-H", header]
    result = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    return result.returncode, result.stdout + result.stderr


def generated(output: str) -> int:
    found = re.search(r"(\d+) generated", output)
    return int(found.group(1)) if found else 0


@pytest.mark.parametrize("signed_in", [False, True], ids=["signed-out", "signed-in"])
def test_no_server_errors_and_no_broken_schema(runtime: Any, signed_in: bool) -> None:
    headers = []
    if signed_in:
        token = ForumClient(runtime.url).sign_in("admin", PASSWORD)["AccessToken"]
        headers.append(f"Authorization: Bearer {token}")
    code, output = fuzz(runtime.url, *headers)
    print(output[-3000:])
    assert code == 0, output[-6000:]
    assert generated(output) >= EXAMPLES * 10
