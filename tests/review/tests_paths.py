"""Paths of the fixture letters, shared by the review tests."""

from pathlib import Path

FIXTURES = Path(__file__).parents[1] / "fixtures" / "letters"
SEED_LETTERS = sorted((FIXTURES / "seed").glob("*.txt"))
DWC_LETTERS = sorted((FIXTURES / "dwc").glob("*.pdf"))
