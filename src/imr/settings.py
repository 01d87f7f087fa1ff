"""Runtime settings, read once from the environment (IMR_*). The embedded default needs none of them."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IMR_", extra="ignore")

    data_dir: Path = Field(default=Path.home() / ".imr", description="Where the embedded database and stored documents live.")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default: SQLite in data_dir.")
    secret_key: str | None = Field(
        default=None, description="Signs sessions and tokens; default: a key generated once in data_dir."
    )
    session_minutes: int = Field(default=30, ge=1, description="Idle time after which a signed-in session expires.")
    session_hours: int = Field(
        default=12, ge=1, description="Absolute lifetime of a session, however active: sign in again after it."
    )
    organization: str = Field(default="MAXIMUS Federal Services", description="The review organization named in letters.")
    request_threads: int = Field(
        default=16,
        ge=1,
        le=200,
        description="Requests one worker process handles at once (each holds a database connection); more wait their turn.",
    )
    engine_processes: int = Field(
        default=2,
        ge=1,
        le=64,
        description="Engine drafts the server makes at once, each in a process of its own; more wait their turn.",
    )
    engine_timeout: float = Field(
        default=300.0,
        gt=0,
        description="Seconds an engine draft may run before it is stopped and the case gets a blank draft.",
    )

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        path = self.data_dir / "imr.sqlite3"
        private_sqlite_file(path)
        return f"sqlite:///{path}"


def private_sqlite_file(path: Path) -> None:
    """Create an SQLite database file readable by its owner only (0600, in a 0700 folder when the
    folder is new): it holds case data. SQLite gives its -wal and -shm files the database's mode."""
    if path.exists():
        return
    folder = path.parent
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder.chmod(0o700)  # whatever the umask
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    path.chmod(0o600)


def sqlite_path(url: str) -> Path | None:
    """The file of an SQLite URL (None for PostgreSQL or an in-memory database)."""
    if not url.startswith("sqlite") or ":memory:" in url or "///" not in url:
        return None
    raw = url.split("///", 1)[1].split("?", 1)[0]
    return Path(raw) if raw else None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
