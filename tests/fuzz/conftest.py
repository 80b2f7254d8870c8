from __future__ import annotations

from collections.abc import Iterator

import pytest

from ..local.conftest import Runtime, running


@pytest.fixture(scope="package")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    """A runtime of the fuzzer's own: signed in as an admin it renames, reorders and deletes
    boards, which must not disturb the other tests' shared runtime."""
    with running(tmp_path_factory, "fuzz-state") as local:
        yield local
