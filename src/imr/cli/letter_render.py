"""`imr letter render`: a Determination (JSON) as a Final Determination Letter in text, HTML or PDF."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Any

import typer

from imr.errors import LetterError


class LetterFormat(str, Enum):
    text = "text"
    html = "html"
    pdf = "pdf"


class LetterLayout(str, Enum):
    auto = "auto"
    case_number = "case-number"
    seed = "seed"


def render(
    determination: Path = typer.Argument(
        ..., help="A Determination as JSON (what `imr letter parse --json` or `imr review --json` print); - reads standard input."
    ),
    format: LetterFormat = typer.Option(LetterFormat.text, "--format", "-f", help="text, html or pdf."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Where to write the letter; default: standard output."),
    layout: LetterLayout = typer.Option(
        LetterLayout.auto,
        "--layout",
        help="case-number (with the header), seed, or auto: case-number when a header field is known.",
    ),
    organization: str | None = typer.Option(
        None, "--organization", help="The review organization named in the letter; default: IMR_ORGANIZATION."
    ),
    draft: bool = typer.Option(
        False, "--draft", help="Append the engine's working notes (criteria, evidence, missing documentation)."
    ),
) -> None:
    """Write a Final Determination Letter in the published layout."""
    from imr.letters.render import render_letter

    if output is None and format is LetterFormat.pdf and sys.stdout.isatty():
        raise LetterError("--format pdf writes binary data: give --output FILE or redirect standard output")
    d = load_determination(determination)
    letter = render_letter(d, format.value, layout=layout.value, organization=organization, draft=draft)
    if output is None:
        sys.stdout.buffer.write(letter)
        sys.stdout.buffer.flush()
        return
    try:
        output.write_bytes(letter)
    except OSError as error:
        raise LetterError(f"{output}: cannot write the letter ({error.strerror})") from None


def load_determination(path: Path) -> Any:
    """Read a Determination from JSON; the error names the file and the first invalid field."""
    from pydantic import ValidationError

    from imr.model import Determination

    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LetterError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise LetterError(f"{path}: cannot read the file ({error})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise LetterError(f"{path}: not JSON (line {error.lineno}, column {error.colno}: {error.msg})") from None
    if not isinstance(data, dict):
        raise LetterError(f"{path}: not a Determination: expected a JSON object with case, reviewer and issues")
    try:
        return Determination.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise LetterError(f"{path}: not a Determination: {where}: {first['msg']}") from None


def register(app: typer.Typer) -> None:
    """Register `render` on the `letter` sub-app."""
    app.command("render")(render)
