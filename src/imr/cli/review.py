"""`imr review` and `imr eval`: the review engine on the command line.

Imports stay inside the commands: `imr review` must start fast and never load the web or database stack
(WeasyPrint only when a PDF is asked for).
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Any

import typer

from imr.errors import ImrError


class OutputFormat(str, Enum):
    text = "text"
    pdf = "pdf"


CASE_SUFFIXES = (".yaml", ".yml", ".json")


def _case_paths(path: Path) -> list[Path]:
    if path.is_dir():
        found = sorted(p for p in path.iterdir() if p.suffix.lower() in CASE_SUFFIXES)
        if not found:
            raise ImrError(f"{path}: no case files (.yaml, .yml, .json) in this directory")
        return found
    if not path.exists():
        raise ImrError(f"{path}: no such case file")
    return [path]


def _review_one(case: Any, rules: Path | None = None) -> Any:
    from imr.guidelines import load_rulebook
    from imr.review import review_case

    return review_case(case, rulebook=load_rulebook(rules))


def _plain(determination: Any, label: str) -> str:
    lines = [f"== {label}"]
    for issue in determination.issues:
        outcome = issue.outcome or "no recommendation (abstain)"
        lines.append(
            f"- {issue.item.text}: {outcome}" + (f" (confidence {issue.confidence:.2f})" if issue.confidence is not None else "")
        )
        for c in issue.reviewer_basis:
            where = ", ".join(c.sections)
            pages = f", page(s) {', '.join(str(p) for p in c.pages)}" if c.pages else ""
            lines.append(f"    basis: {c.source}{' (non-MTUS)' if not c.mtus else ''}: {where}{pages}")
        if issue.rationale:
            lines.append(f"    rationale: {issue.rationale}")
        if issue.abstain_reason:
            lines.append(f"    abstain: {issue.abstain_reason}")
        for m in issue.missing or []:
            lines.append(f"    missing: {m}")
        for p in issue.precedents or []:
            lines.append(
                f"    precedent: {p.case_number or '(no case number)'} {p.outcome}: {p.item} (similarity {p.similarity:.2f})"
            )
    return "\n".join(lines)


def _write_letter(determination: Any, format: OutputFormat, output: Path | None) -> None:
    from imr.letters.render import render_letter

    letter = render_letter(determination, format.value, draft=True)
    if output is None:
        if format is OutputFormat.pdf:
            raise ImrError("--format pdf needs --output FILE")
        sys.stdout.buffer.write(letter)
        return
    try:
        output.write_bytes(letter)
    except OSError as error:
        raise ImrError(f"{output}: cannot write the letter ({error.strerror})") from None


def review(
    case: Path | None = typer.Argument(None, help="A case file (YAML or JSON), or a directory of case files."),
    as_json: bool = typer.Option(False, "--json", help="Print the Determination as JSON."),
    jsonl: bool = typer.Option(False, "--jsonl", help="One Determination per line (for a directory; --json prints one array)."),
    format: OutputFormat | None = typer.Option(
        None, "--format", "-f", help="Write a draft Final Determination Letter: text or pdf."
    ),
    output: Path | None = typer.Option(None, "--output", "-o", help="Where to write the letter (required for pdf)."),
    from_letter: Path | None = typer.Option(
        None, "--from-letter", help="Review a case rebuilt from a published letter's summary and items (never its outcome)."
    ),
    rules: Path | None = typer.Option(
        None, "--rules", help="A guideline directory (sources/ and rules/) instead of the packaged guidelines."
    ),
    precedents: bool = typer.Option(
        False, "--precedents", help="Add the most similar published decisions from the corpus (imr corpus ingest) to every item."
    ),
) -> None:
    """Recommend an outcome for every disputed item of a case, with the guideline and the record's facts."""
    from imr.casefile import load_case

    if from_letter is not None:
        from imr.letters.parse import parse_letter
        from imr.review import case_from_letter

        cases = [(str(from_letter), case_from_letter(parse_letter(from_letter)))]
    elif case is not None and case.is_dir():
        paths = _case_paths(case)
        if format is not None:
            raise ImrError("--format writes one letter: give one case file, not a directory")
        cases = _load_each(paths)
    elif case is not None:
        cases = [(str(case), load_case(_case_paths(case)[0]))]
    else:
        raise ImrError("give a case file, a directory of case files, or --from-letter LETTER")
    many = case is not None and case.is_dir()
    _review_all(cases, as_json=as_json, jsonl=jsonl, format=format, output=output, rules=rules, many=many, precedents=precedents)
    if many and len(cases) < len(paths):
        raise typer.Exit(2)  # each broken file was named on stderr; every other case was reviewed


def _load_each(paths: list[Path]) -> list[tuple[str, Any]]:
    """Every readable case of a directory; a broken file is named on stderr (one line) and skipped."""
    from imr.casefile import load_case

    cases = []
    for path in paths:
        try:
            cases.append((str(path), load_case(path)))
        except ImrError as error:
            print(f"imr: error: {error}", file=sys.stderr)
    return cases


def _review_all(
    cases: list[tuple[str, Any]],
    *,
    as_json: bool,
    jsonl: bool,
    format: OutputFormat | None,
    output: Path | None,
    rules: Path | None,
    many: bool,
    precedents: bool = False,
) -> None:
    array: list[dict[str, Any]] = []  # `--json` for a directory: one JSON array, printed once all are decided
    for label, loaded in cases:
        determination = _review_one(loaded, rules)
        if precedents:
            # the corpus sits above the engine: the command joins them, the engine never imports it
            from imr.corpus import attach_precedents

            determination = attach_precedents(determination)
        if format is not None:
            _write_letter(determination, format, output)
        elif jsonl:
            print(json.dumps(determination.to_json_dict(), ensure_ascii=False))
        elif many and as_json:
            array.append({"source": label, **determination.to_json_dict()})
        elif as_json:
            print(json.dumps(determination.to_json_dict(), indent=2, ensure_ascii=False))
        else:
            print(_plain(determination, label))
    if many and as_json and not jsonl:
        print(json.dumps(array, indent=2, ensure_ascii=False))


def evaluate(
    letters: list[Path] = typer.Argument(..., help="Published letters (.txt or .pdf) or directories of them."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    rules: Path | None = typer.Option(
        None, "--rules", help="A guideline directory (sources/ and rules/) instead of the packaged guidelines."
    ),
) -> None:
    """Re-decide published letters from their case summaries and report agreement with the published outcomes."""
    from imr.review.evaluation import evaluate as run
    from imr.review.evaluation import expand, format_table

    paths = expand(letters)
    if not paths:
        raise ImrError("no letters (.txt or .pdf) found")
    from imr.guidelines import load_rulebook

    report = run(paths, rulebook=load_rulebook(rules))
    if as_json:
        print(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        print(format_table(report))


def register(app: typer.Typer) -> None:
    """Register `imr review` and `imr eval` on the main app."""
    app.command("review")(review)
    app.command("eval")(evaluate)
