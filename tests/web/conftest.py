"""Web fixtures: the app over a fresh case database (SQLite, and PostgreSQL when reachable), with one
signed-in client per role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from imr.cases import command_line_actor
from imr.cases.testing import add_example_reviewers, fresh_database_url, postgres_url
from imr.settings import Settings
from imr.web.app import create_app
from imr.web import auth
from imr.web.accounts import create_user

PASSWORD = "a long enough password"


@dataclass
class Site:
    app: object
    clients: dict[str, TestClient]
    reviewer_ids: dict[str, int]

    def __getitem__(self, role: str) -> TestClient:
        return self.clients[role]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def site(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    # Still argon2id and a real verification, with the work factor of a test, not of production.
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    if request.param == "postgresql" and postgres_url() is None:
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
    with fresh_database_url(request.param, tmp_path) as url:
        # The API alone: the workbench pages have their own tests.
        app = create_app(Settings(data_dir=tmp_path, database_url=url, secret_key="test-secret"), pages=False)
        database = app.state.database
        admin = command_line_actor()
        with database.transaction() as session:
            ids = add_example_reviewers(session, admin)
            for name, role, reviewer_id in [
                ("ada", "admin", None),
                ("ian", "intake", None),
                ("aud", "auditor", None),
                ("haddad", "reviewer", ids["Dr. Omar Haddad"]),
                ("park", "reviewer", ids["Dr. Helen Park"]),
            ]:
                create_user(session, admin, name, PASSWORD, role, reviewer_id=reviewer_id)
        clients = {}
        for name in ("ada", "ian", "aud", "haddad", "park"):
            client = TestClient(app)
            token = client.post("/api/token", data={"username": name, "password": PASSWORD}).json()["access_token"]
            client.headers["Authorization"] = f"Bearer {token}"
            clients[name] = client
        clients["anonymous"] = TestClient(app)
        try:
            yield Site(app, clients, ids)
        finally:
            for client in clients.values():
                client.close()
            database.dispose()
