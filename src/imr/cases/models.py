"""The case service's tables (SQLAlchemy 2 declarative models).

Every table name starts with `case_` or is otherwise owned here; the corpus keeps its own tables. The
schema itself is created by the Alembic history in `cases/migrations`, never by `create_all`, so that
SQLite and PostgreSQL databases evolve the same way.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from imr.cases import clock


def utcnow() -> dt.datetime:
    return clock.utc_now()


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Case(Base):
    """One IMR case: the imported case file, its place in the lifecycle and its dates."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_number: Mapped[str] = mapped_column(String(40), unique=True)
    state: Mapped[str] = mapped_column(String(24), index=True)
    expedited: Mapped[bool] = mapped_column(Boolean, default=False)
    received: Mapped[dt.date] = mapped_column(Date)
    ur_decision_date: Mapped[dt.date | None] = mapped_column(Date)
    claim_number: Mapped[str | None] = mapped_column(String(60), index=True)
    records_complete_on: Mapped[dt.date | None] = mapped_column(Date)
    eligibility_reason: Mapped[str | None] = mapped_column(Text)
    extension_days: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    extension_reason: Mapped[str | None] = mapped_column(Text)
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    issued_on: Mapped[dt.date | None] = mapped_column(Date)
    published_on: Mapped[dt.date | None] = mapped_column(Date)
    case_file: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    # Optimistic locking: every UPDATE says WHERE version = <the version read>; a concurrent writer
    # that read the same version finds no row and is told about the conflict instead of overwriting.
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    __mapper_args__ = {"version_id_col": version}

    parties: Mapped[list[Party]] = relationship(back_populates="case", cascade="all, delete-orphan", order_by="Party.id")
    items: Mapped[list[CaseItem]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseItem.position"
    )
    documents: Mapped[list[CaseDocument]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseDocument.id"
    )
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Assignment.id"
    )
    determinations: Mapped[list[DeterminationVersion]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="DeterminationVersion.number"
    )


class Party(Base):
    """A person or organization in the dispute; screened against every reviewer's affiliations."""

    __tablename__ = "case_parties"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    case: Mapped[Case] = relationship(back_populates="parties")


class CaseItem(Base):
    """A disputed treatment item, as the UR decision lists it, with what assignment needs to know."""

    __tablename__ = "case_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(40), default="other")
    drug_class: Mapped[str | None] = mapped_column(String(80))
    procedure: Mapped[str | None] = mapped_column(String(80))
    case: Mapped[Case] = relationship(back_populates="items")


class Document(Base):
    """A document's bytes, stored once whatever the number of cases that cite it."""

    __tablename__ = "case_document_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    media_type: Mapped[str] = mapped_column(String(80))
    size: Mapped[int] = mapped_column(Integer)
    page_count: Mapped[int] = mapped_column(Integer)
    # Loaded only when the bytes are asked for: listing a case's documents must not read them all.
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CaseDocument(Base):
    """A document as filed in one case (its name, kind and date there)."""

    __tablename__ = "case_documents"
    __table_args__ = (UniqueConstraint("case_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("case_document_blobs.sha256"))
    filename: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str | None] = mapped_column(String(80))
    date: Mapped[dt.date | None] = mapped_column(Date)
    added_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    case: Mapped[Case] = relationship(back_populates="documents")
    blob: Mapped[Document] = relationship(lazy="joined", innerjoin=True)


class Reviewer(Base):
    """An expert reviewer's credentials and declared affiliations (LC 139.5)."""

    __tablename__ = "case_reviewers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    specialties: Mapped[list[Any]] = mapped_column(JSON, default=list)
    board_certifications: Mapped[list[Any]] = mapped_column(JSON, default=list)
    subspecialty: Mapped[str | None] = mapped_column(String(120))
    license_states: Mapped[list[Any]] = mapped_column(JSON, default=list)
    license_restricted: Mapped[bool] = mapped_column(Boolean, default=False)
    disciplinary_history: Mapped[bool] = mapped_column(Boolean, default=False)
    years_in_practice: Mapped[int] = mapped_column(Integer, default=0)
    active_practice_hours: Mapped[float] = mapped_column(Float, default=0)
    affiliations: Mapped[list[Any]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Assignment(Base):
    """A reviewer put on a case; `ended_at` is set when the case is reassigned."""

    __tablename__ = "case_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("case_reviewers.id"), index=True)
    assigned_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    assigned_by: Mapped[str] = mapped_column(String(120))
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    screening: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    case: Mapped[Case] = relationship(back_populates="assignments")
    reviewer: Mapped[Reviewer] = relationship(lazy="joined")


class DeterminationVersion(Base):
    """One version of a case's determination: a draft, or a signed (immutable) decision."""

    __tablename__ = "case_determinations"
    __table_args__ = (UniqueConstraint("case_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))  # draft | signed | superseded
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    # the engine's draft this version started from (None when no engine draft was made)
    engine_content: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(40))  # engine | reviewer | correction
    correction_reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    signed_by: Mapped[str | None] = mapped_column(String(120))
    signed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    issued_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    letter_pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    published_text: Mapped[str | None] = mapped_column(Text, deferred=True)
    published_pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    # SHA-256 of letter_pdf, recorded when it is issued and checked before the letter is served
    letter_sha256: Mapped[str | None] = mapped_column(String(64))
    case: Mapped[Case] = relationship(back_populates="determinations")


class User(Base):
    """Someone who signs in: an argon2 password hash and one role."""

    __tablename__ = "case_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("case_reviewers.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditEntry(Base):
    """Who did what to which case, when. Append-only (the database refuses UPDATE, DELETE and replacing
    inserts) and chained: each entry's hash covers the one before."""

    __tablename__ = "case_audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    username: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(60))
    case_id: Mapped[int | None] = mapped_column(Integer, index=True)
    outcome: Mapped[str] = mapped_column(String(16), default="ok")
    # hash of the previous entry's chain_hash and this entry's content (imr.cases.audit_chain)
    chain_hash: Mapped[str | None] = mapped_column(String(64))


class SignInAttempt(Base):
    """One sign-in attempt (who, from where, whether it succeeded): the count of recent failures
    decides a lockout. Kept a day; the audit log keeps the lasting record."""

    __tablename__ = "case_sign_in_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    username: Mapped[str] = mapped_column(String(80))
    address: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(Boolean)


class RevokedSession(Base):
    """A signed-out session: its token is refused until it would have expired anyway."""

    __tablename__ = "case_revoked_sessions"

    session_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    revoked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
