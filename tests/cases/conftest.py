"""Case-service fixtures: every storage test runs on SQLite and, when reachable, on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from imr.cases import Actor, Database, command_line_actor
from imr.cases.testing import add_example_reviewers, fresh_database, postgres_url


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
    """The example registry (imr/examples/service/reviewers.yaml): name -> id."""
    with database.transaction() as session:
        return add_example_reviewers(session, admin)
