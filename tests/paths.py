"""Where the test fixtures are: the real published letters the project is measured on."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
LETTERS = FIXTURES / "letters"
SEED_LETTERS = sorted((LETTERS / "seed").glob("*.txt"))
DWC_LETTERS = sorted((LETTERS / "dwc").glob("*.pdf"))
