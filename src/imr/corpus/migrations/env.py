"""Alembic environment for the corpus tables only (version table `alembic_version_corpus`).

Run through `imr.corpus.store.migrate`, which hands over an open connection; the case service keeps
its own history in the same database, so nothing here may touch a table without the `corpus_` prefix.
"""

from __future__ import annotations

from alembic import context

from imr.corpus.tables import metadata

VERSION_TABLE = "alembic_version_corpus"


def _include(obj, name, type_, reflected, compare_to):  # noqa: ANN001 - alembic's hook signature
    return type_ != "table" or (name or "").startswith("corpus_")


connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("the corpus migrations run through imr.corpus.store.migrate, with a connection")
context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=VERSION_TABLE,
    include_object=_include,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
