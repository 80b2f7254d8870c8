"""Start the real local runtime (`python -m local`) in a subprocess on free ports.

The session-wide `runtime` fixture (tests/conftest.py) is one of these, shared by the local,
fuzz and browser tests; `running` starts one with a state directory of its own for a fixture.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "LocalTest2026"
START_TIMEOUT = 180


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Runtime:
    port: int
    state_dir: Path
    # The stack's flood control (cdk.json), as `make dev` runs; off by default, since the tests
    # post faster than people do (tests/api/test_flood.py covers it in depth).
    flood_control: bool = False
    process: subprocess.Popen[str] | None = None
    output: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("AWS_", "FORUM_", "POWERTOOLS_"))
        }
        env["FORUM_DEMO_PASSWORD"] = PASSWORD
        if not self.flood_control:
            env["FORUM_POST_INTERVAL_SECONDS"] = "0"
            env["FORUM_NEW_MEMBER_POSTS_PER_HOUR"] = "0"
            env["FORUM_UPLOADS_PER_HOUR"] = "0"
        env["PYTHONUNBUFFERED"] = "1"
        self.output = []
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "local",
                "--port",
                str(self.port),
                "--state-dir",
                str(self.state_dir),
            ],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        ready = threading.Event()

        def read() -> None:
            assert self.process is not None and self.process.stdout is not None
            for line in self.process.stdout:
                self.output.append(line)
                if line.startswith("READY "):
                    ready.set()

        threading.Thread(target=read, daemon=True).start()
        deadline = time.monotonic() + START_TIMEOUT
        while not ready.wait(0.2):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    "the local runtime did not start:\n" + "".join(self.output[-60:])
                )

    def stop(self) -> int:
        if self.process is None:
            return 0
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        code = self.process.returncode
        self.process = None
        return code


@contextlib.contextmanager
def running(tmp_path_factory: pytest.TempPathFactory, state: str) -> Iterator[Runtime]:
    """A runtime on a free port with a state directory of its own, started, then stopped."""
    local = Runtime(free_port(), tmp_path_factory.mktemp(state))
    local.start()
    try:
        yield local
    finally:
        local.stop()
