"""`imr letter parse`: Final Determination Letters (text or PDF) as Determinations.

Output: a table (default), `--json` (one letter: exactly the Determination's JSON; several: a JSON
array whose entries add "source"), or `--jsonl` (one line per letter, in the order given, each with
"source"). A letter that cannot be read becomes `{"source": ..., "error": ...}` (a red row in the
table) and the run goes on; the exit code is 2 when any letter failed, 0 otherwise. A single FILE
that fails with `--json` is an ordinary error: its message on stderr, exit code 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

from imr.errors import ImrError, LetterError


def letter_paths(arguments: list[Path]) -> tuple[list[Path], int]:
    """Files in the order given; a directory stands for its letters (.txt, .pdf; recursively, sorted by
    path). Also how many files of the directories were skipped as not letters (notes, JSON, images)."""
    from imr.letters import LETTER_SUFFIXES

    found: list[Path] = []
    skipped = 0
    for argument in arguments:
        if not argument.is_dir():
            found.append(argument)
            continue
        for path in sorted(p for p in argument.rglob("*") if p.is_file() and not p.name.startswith(".")):
            if path.suffix.lower() in LETTER_SUFFIXES:
                found.append(path)
            else:
                skipped += 1
    return found, skipped


def parse_one(path: Path) -> dict[str, Any]:
    """`{"source": ..., **determination}` or `{"source": ..., "error": ...}`; never raises on bad input."""
    from imr.letters.parse import parse_letter

    try:
        if not path.exists():
            raise LetterError(f"{path}: no such file")
        return {"source": str(path), **parse_letter(path).to_json_dict()}
    except ImrError as error:
        return {"source": str(path), "error": str(error)}


def parse(
    letters: list[Path] = typer.Argument(..., help="Letter files (text or PDF) or directories of them."),
    as_json: bool = typer.Option(False, "--json", help="JSON: one letter as its Determination; several as an array."),
    as_jsonl: bool = typer.Option(False, "--jsonl", help="One JSON object per line and letter, with its source."),
) -> None:
    """Read Final Determination Letters into Determinations.

    A letter that cannot be read is reported (a red row, or {"source", "error"} in JSON) and the
    others are still read; the exit code is then 2.
    """
    if as_json and as_jsonl:
        raise LetterError("choose one of --json and --jsonl")
    paths, skipped = letter_paths(letters)
    if skipped:
        print(
            f"imr: skipped {skipped} file{'s' if skipped != 1 else ''} that {'are' if skipped != 1 else 'is'} not letters (.txt or .pdf)",
            file=sys.stderr,
        )
    if not paths:
        raise LetterError("no letter files found in the paths given")
    if as_json and len(paths) == 1 and not letters[0].is_dir():
        from imr.letters.parse import parse_letter

        if not paths[0].exists():
            raise LetterError(f"{paths[0]}: no such file")
        _write(json.dumps(parse_letter(paths[0]).to_json_dict(), indent=2, ensure_ascii=False))
        return
    failed = 0
    if as_jsonl:
        for path in paths:
            result = parse_one(path)
            failed += "error" in result
            _write(json.dumps(result, ensure_ascii=False))
    elif as_json:
        results = [parse_one(path) for path in paths]
        failed = sum("error" in result for result in results)
        _write(json.dumps(results, indent=2, ensure_ascii=False))
    else:
        failed = _table([parse_one(path) for path in paths])
    if failed:
        print(f"imr: {failed} of {len(paths)} letters could not be read", file=sys.stderr)
        raise typer.Exit(2)


def _write(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _table(results: list[dict[str, Any]]) -> int:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Final Determination Letters")
    for column in ("letter", "case number", "decision date", "items", "upheld", "overturned", "first item"):
        table.add_column(column, overflow="fold")
    failed = 0
    for result in results:
        if "error" in result:
            failed += 1
            table.add_row(Path(result["source"]).name, f"[red]{result['error']}[/red]", "", "", "", "", "")
            continue
        issues = result["issues"]
        outcomes = [issue["outcome"] for issue in issues]
        table.add_row(
            Path(result["source"]).name,  # the folder is the user's own argument; the name identifies the letter
            result["case"]["case_number"] or "",
            result["case"]["decision_date"] or "",
            str(len(issues)),
            str(outcomes.count("Upheld")),
            str(outcomes.count("Overturned")),
            issues[0]["item"]["text"] if issues else "",
        )
    Console().print(table)
    return failed


def register(app: typer.Typer) -> None:
    """Register `parse` on the `letter` sub-app."""
    app.command("parse")(parse)
