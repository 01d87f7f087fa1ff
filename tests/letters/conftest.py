"""Letters tests: `--update-golden` rewrites the parser's golden files (tests/letters/golden/).

Run `python -m pytest tests/letters --update-golden` after a deliberate change, then read every
changed golden file against its letter, field by field, before committing it. IMR_UPDATE_GOLDEN=1
does the same (the renderer's golden tests use that switch).
"""

from __future__ import annotations

import os

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False, help="rewrite tests/letters/golden/*.json")


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden", default=False)) or os.environ.get("IMR_UPDATE_GOLDEN") == "1"
