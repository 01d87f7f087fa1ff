"""Shared fixtures: the real published letters the project is measured on."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.paths import DWC_LETTERS, SEED_LETTERS


@pytest.fixture(scope="session")
def seed_letters() -> list[Path]:
    return SEED_LETTERS


@pytest.fixture(scope="session")
def dwc_letters() -> list[Path]:
    return DWC_LETTERS


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test reads or writes the user's ~/.imr: each gets a data folder of its own (a test may still
    point IMR_DATA_DIR or IMR_DATABASE_URL elsewhere itself)."""
    from imr.settings import get_settings

    monkeypatch.setenv("IMR_DATA_DIR", str(tmp_path_factory.mktemp("imr-data")))
    monkeypatch.delenv("IMR_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
