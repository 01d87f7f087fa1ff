"""`imr demo`: the whole of imr on the bundled example data, on a fresh embedded SQLite database.

The demo runs the same commands a user types (the README's flows), in order, so it shows nothing the
commands themselves would not: read published letters, review example cases, measure the engine
against published outcomes, run one case from intake to a published redacted letter, and build a
searchable corpus with its statistics and charts. Everything it writes goes to one folder.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import typer


def _banner(title: str, why: str) -> None:
    typer.secho(f"\n== {title}", bold=True)
    typer.echo(f"   {why}\n")


def _run(*args: str) -> None:
    from imr.cli import app

    typer.secho("$ imr " + " ".join(args), fg=typer.colors.CYAN)
    try:
        app(list(args), standalone_mode=False)
    except SystemExit as stop:  # a command's own non-zero exit (e.g. `cases due --check`) is part of the show
        if stop.code not in (0, None):
            raise


def _assigned_reviewer(case_number: str) -> int:
    from imr.cases import command_line_actor, open_database
    from imr.cases.service import load_case

    database = open_database()
    try:
        with database.transaction() as session:
            case = load_case(session, command_line_actor(), case_number)
            return next(a.reviewer_id for a in case.assignments if a.ended_at is None)
    finally:
        database.dispose()


# Left in the demo's folder: only a folder that holds it is the demo's to empty.
MARKER = ".imr-demo"


def prepare_folder(folder: Path) -> None:
    """Empty a folder the demo made before, or make a new one; refuse any other non-empty folder
    (`--dir ~/Documents` must never delete a user's files)."""
    from imr.errors import ImrError

    if folder.exists() and not folder.is_dir():
        raise ImrError(f"{folder}: not a folder; give --dir a new or empty folder")
    if folder.is_dir() and any(folder.iterdir()):
        if not (folder / MARKER).is_file():
            raise ImrError(f"{folder}: folder is not empty and was not made by imr demo; give --dir a new or empty folder")
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text(
        "Made by `imr demo`: the next `imr demo --dir` here empties this folder first.\n", encoding="utf-8"
    )


def demo(
    folder: Path = typer.Option(
        Path("imr-demo"),
        "--dir",
        help="Folder for the demo's database and outputs: a new or empty one, or one the demo made before (emptied first).",
    ),
) -> None:
    """Run imr end to end on the bundled example data (letters, review, a case to publication, the corpus)."""
    import yaml

    from imr.examples import EXAMPLE_CASES, EXAMPLE_LETTERS, EXAMPLE_SERVICE
    from imr.settings import get_settings

    prepare_folder(folder)
    # the demo's own database: the user's ~/.imr is never touched
    os.environ["IMR_DATA_DIR"] = str(folder.resolve())
    os.environ.pop("IMR_DATABASE_URL", None)
    get_settings.cache_clear()

    letters = sorted(str(p) for p in EXAMPLE_LETTERS.iterdir() if p.suffix in {".txt", ".pdf"})
    case_file = EXAMPLE_SERVICE / "case.yaml"
    case_number = str(yaml.safe_load(case_file.read_text(encoding="utf-8"))["case_number"])

    _banner("1. Letters", "Published Final Determination Letters (text and PDF) read as structured data.")
    _run("letter", "parse", *letters)

    _banner(
        "2. Review engine", "Example case files decided by the guidelines, each with its citation, rationale and what is missing."
    )
    _run("review", str(EXAMPLE_CASES))
    _run("review", str(EXAMPLE_CASES / "opioid-norco.yaml"), "--format", "pdf", "-o", str(folder / "draft-letter.pdf"))

    _banner(
        "3. Evaluation",
        "The engine re-decides the published letters from their summaries and is scored against the real outcomes.",
    )
    _run("eval", *letters)

    _banner(
        "4. Case service", "One case from intake to a published, redacted determination, with deadlines and reviewer screening."
    )
    _run("reviewers", "add", str(EXAMPLE_SERVICE / "reviewers.yaml"))
    _run("cases", "import", str(case_file))
    _run("cases", "eligibility", case_number)
    _run("cases", "records-complete", case_number, "--on", "2026-11-27")
    _run("cases", "screen", case_number)
    _run("cases", "assign", case_number)
    reviewer = str(_assigned_reviewer(case_number))
    _run("cases", "review", case_number, "--reviewer", reviewer, "--out", str(folder / "draft.json"))
    _run("cases", "sign", case_number, "--reviewer", reviewer)
    _run("cases", "issue", case_number, "--out", str(folder / "final-determination-letter.pdf"))
    _run("cases", "publish", case_number, "--out", str(folder / "published-redacted.txt"))
    _run("cases", "list")

    _banner(
        "5. Decision corpus", "Published letters ingested, searched, brought to a review as precedents, and summarised (charts)."
    )
    _run("corpus", "ingest", *letters)
    _run("corpus", "search", "MRI")
    _run("review", str(EXAMPLE_CASES / "imaging-lumbar-mri.yaml"), "--precedents")
    _run("corpus", "stats", "--charts", str(folder / "corpus-charts"))

    typer.secho(
        f"\nDone. Outputs in {folder}/: draft-letter.pdf, final-determination-letter.pdf, "
        "published-redacted.txt, corpus-charts/report.html, imr.sqlite3",
        bold=True,
    )


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
