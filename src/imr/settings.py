"""Runtime settings, read once from the environment (IMR_*). The embedded default needs none of them."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IMR_", extra="ignore")

    data_dir: Path = Field(default=Path.home() / ".imr", description="Where the embedded database and stored documents live.")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default: SQLite in data_dir.")
    secret_key: str | None = Field(default=None, description="Signs sessions and tokens; default: a key generated once in data_dir.")
    session_minutes: int = Field(default=30, ge=1, description="Idle time after which a signed-in session expires.")
    session_hours: int = Field(default=12, ge=1, description="Absolute lifetime of a session, however active: sign in again after it.")
    organization: str = Field(default="MAXIMUS Federal Services", description="The review organization named in letters.")

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{self.data_dir / 'imr.sqlite3'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
