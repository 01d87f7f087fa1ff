"""Redaction recall on real letters (seed text and DWC PDFs) with planted identifiers.

    python benchmarks/redaction_recall.py [--rounds N]

Prints recall per identifier kind, for the parties a case lists and for identifiers it does not.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from imr.cases.redaction_check import measure

LETTERS = Path(__file__).parents[1] / "tests" / "fixtures" / "letters"


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="plantings per letter")
    args = parser.parse_args()
    letters = [p.read_text() for p in sorted((LETTERS / "seed").glob("*.txt"))]
    letters += [_pdf_text(p) for p in sorted((LETTERS / "dwc").glob("*.pdf"))]
    print(f"letters: {len(letters)}, plantings per identity set: {len(letters) * args.rounds}")
    # development: the identities the patterns were written against; heldout: written later, never tuned on
    for identities in ("development", "heldout"):
        started = time.perf_counter()
        reports = measure(letters, rounds=args.rounds, identities=identities)
        elapsed = time.perf_counter() - started
        print(f"{identities} ({elapsed:.1f} s)")
        for group, report in reports.items():
            kinds = ", ".join(f"{k} {report.recall(k):.3f} ({report.planted[k]})" for k in sorted(report.planted))
            print(f"  {group:9s} recall {report.recall():.4f}  [{kinds}]")
        print(f"  letter words kept: {reports['listed'].words_kept:.4f}")


if __name__ == "__main__":
    main()
