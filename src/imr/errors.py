"""The errors imr raises on bad input: one small hierarchy, each with a one-line message.

The CLI turns any `ImrError` into its message on stderr and exit code 2, never a traceback.
"""


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
