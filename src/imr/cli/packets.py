"""`imr intake`: read an IMR packet (PDFs, typed or scanned) into a case file for `imr review`.

The case file goes to stdout (JSON with --json, else YAML) or to -o FILE; the problems met on the way
(an encrypted file, a damaged or unreadable page, no UR determination) go to stderr, one line each,
naming the file and page and never the page's content. Exit code 2 only when nothing usable was read.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from imr.errors import ImrError

# A progress bar is worth drawing only when reading takes a while (OCR is ~1 s a page).
_PROGRESS_PAGES = 20


def intake(
    paths: list[Path] = typer.Argument(..., help="Packet PDFs, or directories of them (read in name order)."),
    as_json: bool = typer.Option(False, "--json", help="Print the case file as JSON (default: YAML)."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write the case file here (.json or .yaml)."),
    ocr: bool = typer.Option(True, "--ocr/--no-ocr", help="Read pages without a text layer by OCR (Tesseract)."),
    documents: bool = typer.Option(False, "--documents", help="Also list the documents found (stderr)."),
) -> None:
    """Read an IMR packet (application, UR determination, RFA, medical records) into a case file."""
    from imr.packets.intake import count_pages, packet_files, read_packet

    files = packet_files(paths)
    total = count_pages(files)
    if total >= _PROGRESS_PAGES and sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        with Progress(
            "reading pages",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        ) as bar:
            task = bar.add_task("pages", total=total)
            result = read_packet(files, ocr=ocr, progress=lambda n: bar.advance(task, n))
    else:
        result = read_packet(files, ocr=ocr)
    for problem in result.problems:
        print(f"imr intake: {problem}", file=sys.stderr)
    if documents:
        for d in result.documents:
            pages = d.page_numbers
            span = f"{pages[0]}-{pages[-1]}" if len(pages) > 1 else str(pages[0])
            print(f"  {d.file} pages {span}: {d.label}, {d.date or 'undated'}", file=sys.stderr)
    case = result.case()
    data = case.model_dump(mode="json", exclude_none=True)
    if output is not None:
        as_json = as_json or output.suffix.lower() == ".json"
    if as_json:
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    else:
        import yaml

        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise ImrError(f"{output}: cannot write the case file ({error.strerror})") from None


def register(app: typer.Typer) -> None:
    app.command("intake")(intake)
