"""The case service: IMR cases from intake to published determination, over a real database.

Owns the case tables and their Alembic history (`migrations/`, version table
`imr_cases_alembic_version`), the lifecycle (`lifecycle.py`, data/lifecycle.yaml), statutory deadlines
(`deadlines.py`), eligibility screening (`eligibility.py`), the reviewer registry (`registry.py`),
assignment with conflict-of-interest screening (`screening.py`), determinations with versions and
content hashes, issuing and redacted publishing (`service.py`, `redaction.py`), documents stored once by
content hash (`documents.py`) and the append-only audit log (`access.py`).

Callers (API, pages, CLI) open a `Database`, start a transaction and call the service functions with an
`Actor`.
"""

from imr.cases.access import Actor, audit_trail, command_line_actor
from imr.cases.db import Database, open_database
from imr.cases.errors import (
    CaseNotFound,
    EditConflict,
    InvalidInput,
    NoQualifiedReviewer,
    NotFoundError,
    PermissionRefused,
    StepRefused,
)

__all__ = [
    "Actor",
    "CaseNotFound",
    "Database",
    "EditConflict",
    "InvalidInput",
    "NoQualifiedReviewer",
    "NotFoundError",
    "PermissionRefused",
    "StepRefused",
    "audit_trail",
    "command_line_actor",
    "open_database",
]
