from __future__ import annotations

from ..api.conftest import faults

__all__ = ["faults"]
