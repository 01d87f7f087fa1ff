"""The errors imr raises on bad input: one small hierarchy, each with a one-line message.

The CLI turns any `ImrError` into its message on stderr and exit code 2, never a traceback.
"""

import logging
import uuid


class ImrError(Exception):
    """Bad input or a refused operation; `str(error)` is the one-line message a user sees."""


class LetterError(ImrError):
    """A letter could not be read: empty, not a letter, no text layer, cut off, unknown layout."""


class CaseFileError(ImrError):
    """A case file is invalid; the message names the field."""


class GuidelineError(ImrError):
    """A guideline rule file is invalid; the message names the file and the rule."""


class CaseServiceError(ImrError):
    """A case operation was refused (wrong state, conflict of interest, missing permission...)."""


def log_unexpected(log: logging.Logger, error: BaseException, where: str) -> str:
    """Log an unexpected error as its class and a fresh reference, never its text or traceback: a
    database error carries the statement's values (names, claim numbers) and record text. Returns the
    reference, which the user is shown so that the log line can be found."""
    reference = uuid.uuid4().hex[:12]
    log.error("internal error %s in %s: %s", reference, where, error.__class__.__name__)
    return reference
