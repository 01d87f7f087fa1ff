"""Loading the rule files in clinical/data/ (YAML), read once per process."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml


@lru_cache(maxsize=None)
def load_data(name: str) -> Any:
    """One rule file of clinical/data/, parsed."""
    return yaml.safe_load(resources.files("imr.clinical").joinpath("data", name).read_text(encoding="utf-8"))
