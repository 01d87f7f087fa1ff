"""Bundled example data for `imr demo`: published letters (letters/) and synthetic case files (cases/)."""

from pathlib import Path

EXAMPLES = Path(__file__).parent
EXAMPLE_LETTERS = EXAMPLES / "letters"
EXAMPLE_CASES = EXAMPLES / "cases"
