"""Case-service fixtures: every storage test runs on SQLite and, when reachable, on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from imr.cases import Actor, Database, command_line_actor
from imr.cases.registry import add_reviewer, parse_reviewer
from imr.cases.testing import fresh_database, postgres_url

EXAMPLES = Path(__file__).parents[2] / "docs" / "examples"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest) -> Iterator[Database]:
    if request.param == "postgresql" and postgres_url() is None:
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
    with fresh_database(request.param) as db:
        yield db


@pytest.fixture
def admin() -> Actor:
    return command_line_actor()


@pytest.fixture
def example_reviewers(database: Database, admin: Actor) -> dict[str, int]:
    """The example registry (docs/examples/reviewers.yaml): name -> id."""
    ids = {}
    with database.transaction() as session:
        for entry in yaml.safe_load((EXAMPLES / "reviewers.yaml").read_text()):
            reviewer = add_reviewer(session, admin, parse_reviewer(entry))
            session.flush()
            ids[reviewer.name] = reviewer.id
    return ids
