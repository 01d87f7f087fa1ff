"""Throw-away case databases for tests and benchmarks: a fresh SQLite file, or a fresh PostgreSQL
schema (dropped afterwards) when the server at IMR_TEST_POSTGRES_URL (default 127.0.0.1:5432/test) is
reachable."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from imr.cases.access import Actor
from imr.cases.db import Database, open_database
from imr.cases.registry import add_reviewer, parse_reviewer
from imr.examples import EXAMPLE_SERVICE

_CANDIDATES = ("postgresql+psycopg://postgres@127.0.0.1:5432/test", "postgresql+psycopg://root@127.0.0.1:5432/test")


@lru_cache(maxsize=1)
def postgres_url() -> str | None:
    """A PostgreSQL URL that answers, or None (the PostgreSQL variants are then skipped)."""
    candidates = [os.environ["IMR_TEST_POSTGRES_URL"]] if os.environ.get("IMR_TEST_POSTGRES_URL") else list(_CANDIDATES)
    for url in candidates:
        engine = create_engine(url, connect_args={"connect_timeout": 2}, hide_parameters=True)
        try:
            with engine.connect() as connection:
                connection.execute(text("select 1"))
            return url
        except Exception:  # noqa: BLE001 - any failure means "not reachable here"
            continue
        finally:
            engine.dispose()
    return None


@contextmanager
def fresh_database(backend: str, directory: Path | None = None) -> Iterator[Database]:
    """A migrated, empty case database on `backend` ("sqlite" or "postgresql"), removed afterwards."""
    with fresh_database_url(backend, directory) as url:
        database = open_database(url)
        try:
            yield database
        finally:
            database.dispose()


@contextmanager
def fresh_database_url(backend: str, directory: Path | None = None) -> Iterator[str]:
    """The URL of an empty database on `backend` (a new SQLite file, or a new PostgreSQL schema named
    in the URL's search_path), dropped afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(dir=directory) as where:
            yield f"sqlite:///{Path(where) / 'cases.sqlite3'}"
        return
    url = postgres_url()
    if url is None:
        raise RuntimeError("PostgreSQL is not reachable")
    schema = f"imr_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, hide_parameters=True)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{url}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def add_example_reviewers(session: Session, actor: Actor) -> dict[str, int]:
    """Register the bundled example reviewers (imr/examples/service/reviewers.yaml); name -> registry id."""
    ids = {}
    for entry in yaml.safe_load((EXAMPLE_SERVICE / "reviewers.yaml").read_text(encoding="utf-8")):
        reviewer = add_reviewer(session, actor, parse_reviewer(entry))
        session.flush()
        ids[reviewer.name] = reviewer.id
    return ids
