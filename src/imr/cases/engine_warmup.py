"""Imported only by the fork server of the engine's draft processes (`engine_runs.DraftProcesses`):
reviewing one bundled example case here loads the rule book and compiles the clinical reader's
patterns once, and every draft's process is forked from this state instead of paying for it again."""

from __future__ import annotations

from importlib import resources

import yaml

from imr.casefile import stored_case
from imr.review import review_case

_EXAMPLE = resources.files("imr.examples") / "cases" / "opioid-norco.yaml"

review_case(stored_case(yaml.safe_load(_EXAMPLE.read_text(encoding="utf-8"))))
