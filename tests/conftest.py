"""Shared fixtures: the real published letters the project is measured on."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.paths import DWC_LETTERS, SEED_LETTERS


@pytest.fixture(scope="session")
def seed_letters() -> list[Path]:
    return SEED_LETTERS


@pytest.fixture(scope="session")
def dwc_letters() -> list[Path]:
    return DWC_LETTERS
