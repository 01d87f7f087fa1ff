"""Shared fixtures: the real published letters the project is measured on."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
LETTERS = FIXTURES / "letters"
SEED_LETTERS = sorted((LETTERS / "seed").glob("*.txt"))
DWC_LETTERS = sorted((LETTERS / "dwc").glob("*.pdf"))


@pytest.fixture(scope="session")
def seed_letters() -> list[Path]:
    return SEED_LETTERS


@pytest.fixture(scope="session")
def dwc_letters() -> list[Path]:
    return DWC_LETTERS
