"""Bundled example data for `imr demo`: published letters (letters/), synthetic case files for the engine
(cases/) and for the case service (service/: a case with its parties and documents, and reviewers)."""

from pathlib import Path

EXAMPLES = Path(__file__).parent
EXAMPLE_LETTERS = EXAMPLES / "letters"
EXAMPLE_CASES = EXAMPLES / "cases"
EXAMPLE_SERVICE = EXAMPLES / "service"
