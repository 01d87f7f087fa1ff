"""The case service's rules as data (YAML beside this file): lifecycle, deadlines, eligibility, party
roles, reviewer requirements, specialties, roles and permissions, redaction patterns."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

_HERE = Path(__file__).parent


@lru_cache(maxsize=None)
def load(name: str) -> Any:
    """The parsed contents of data/<name>.yaml (read once per process)."""
    return yaml.safe_load((_HERE / f"{name}.yaml").read_text(encoding="utf-8"))
