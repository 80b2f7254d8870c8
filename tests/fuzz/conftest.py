from __future__ import annotations

from collections.abc import Iterator

import pytest

from ..local.conftest import Runtime, free_port


@pytest.fixture(scope="package")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    """A runtime of the fuzzer's own: signed in as an admin it renames, reorders and deletes
    boards, which must not disturb the other tests' shared runtime."""
    local = Runtime(free_port(), tmp_path_factory.mktemp("fuzz-state"))
    local.start()
    yield local
    local.stop()
