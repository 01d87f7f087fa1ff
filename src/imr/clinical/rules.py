"""Loading the rule files in clinical/data/ (YAML), read once per process."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from imr.errors import ImrError
from imr.memo import data_yaml_text


class ClinicalDataError(ImrError):
    """A rule file of clinical/data/ is missing or not valid YAML; the message names the file."""


@lru_cache(maxsize=None)
def load_data(name: str) -> Any:
    """One rule file of clinical/data/, parsed."""
    try:
        resource = resources.files("imr.clinical").joinpath("data", name)
        raw = resource.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ClinicalDataError(f"clinical/data/{name}: cannot read rule file ({error.__class__.__name__})") from None
    try:
        return data_yaml_text(raw, slot=str(resource))
    except yaml.YAMLError as error:
        line = getattr(getattr(error, "problem_mark", None), "line", None)
        at = f" at line {line + 1}" if line is not None else ""
        raise ClinicalDataError(f"clinical/data/{name}: not valid YAML{at}") from None
