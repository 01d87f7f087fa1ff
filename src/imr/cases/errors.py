"""The refusals of the case service; each maps to one HTTP status in the API and exit code 2 in the CLI."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from imr.errors import CaseServiceError, ImrError

M = TypeVar("M", bound=BaseModel)


class CaseNotFound(CaseServiceError):
    """No such case, or not one the caller may see (a reviewer sees only cases assigned to them)."""

    status = 404


class NotFoundError(CaseServiceError):
    """No such reviewer, user, document or determination version."""

    status = 404


class PermissionRefused(CaseServiceError):
    """The caller's role does not allow this operation."""

    status = 403


class StepRefused(CaseServiceError):
    """The case is not in a state where this step is allowed, or the step's input is incomplete."""

    status = 409


class EditConflict(CaseServiceError):
    """Someone else changed the case since the caller read it; nothing was written."""

    status = 409


class NoQualifiedReviewer(CaseServiceError):
    """No registered reviewer is qualified, independent and available for the case."""

    status = 409


class TamperedRecord(CaseServiceError):
    """Stored evidence no longer matches its hash (a swapped letter, an edited signed version)."""

    status = 409


class InvalidInput(CaseServiceError):
    """A request's content is invalid (an unknown role, a malformed determination...)."""

    status = 422


def validated(model: type[M], data: Any, *, source: str, error: type[ImrError] = InvalidInput) -> M:
    """`data` as a `model`, or `error` naming the first invalid field and where it came from."""
    try:
        return model.model_validate(data)
    except ValidationError as invalid:
        first = invalid.errors()[0]
        where = ".".join(map(str, first["loc"])) or "(top level)"
        raise error(f"{source}: invalid field {where}: {first['msg']}") from None
