"""Alembic environment of the case service: runs on the engine the caller hands over."""

from __future__ import annotations

from alembic import context

from imr.cases.db import VERSION_TABLE
from imr.cases.models import Base

config = context.config
engine = config.attributes["connection_engine"]

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        version_table=VERSION_TABLE,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
