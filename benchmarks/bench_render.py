"""Letter rendering speed: text, HTML and PDF.

Run: python benchmarks/bench_render.py [repeats]. Prints the first PDF (templates and fonts load),
the median time per letter for each format over the golden Determinations (tests/letters/golden_render),
then, when the parser is present, one pass over the 43 fixture letters (parsed, then rendered) with
the slowest letter, and how much of the published wording the rendered letters reproduce. The case service renders one PDF per issued and per published decision.
"""

from __future__ import annotations

import difflib
import statistics
import sys
import time
from pathlib import Path

from imr.model import Determination
from imr.letters.render import render_letter

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "letters" / "golden_render"
FIXTURES = ROOT / "tests" / "fixtures" / "letters"


def timed(d: Determination, fmt: str) -> tuple[float, int]:
    started = time.perf_counter()
    size = len(render_letter(d, fmt, draft=True))  # type: ignore[arg-type]
    return time.perf_counter() - started, size


def report(label: str, times: list[float], sizes: list[int]) -> None:
    median = statistics.median(times)
    print(
        f"{label:24s} median {1000 * median:7.2f} ms/letter, max {1000 * max(times):7.2f} ms, "
        f"{1 / median:8.1f} letters/s, mean size {sum(sizes) / len(sizes) / 1024:6.1f} KiB ({len(times)} renders)"
    )


def golden(repeats: int) -> None:
    letters = [Determination.model_validate_json(p.read_text(encoding="utf-8")) for p in sorted(GOLDEN.glob("*.json"))]
    started = time.perf_counter()
    render_letter(letters[0], "pdf", draft=True)
    print(f"first PDF (templates and fonts load): {1000 * (time.perf_counter() - started):.0f} ms")
    for fmt in ("text", "html", "pdf"):
        runs = [timed(d, fmt) for _ in range(repeats) for d in letters]
        report(f"golden {fmt}", [t for t, _ in runs], [s for _, s in runs])


def fixtures() -> None:
    try:
        from imr.letters.parse import parse_letter
    except (ImportError, AttributeError):
        print("fixture letters: skipped (no parser)")
        return
    paths = sorted((FIXTURES / "seed").glob("*.txt")) + sorted((FIXTURES / "dwc").glob("*.pdf"))
    letters = [(path.name, parse_letter(path)) for path in paths]
    for fmt in ("text", "pdf"):
        runs = [(name, len(d.issues), *timed(d, fmt)) for name, d in letters]
        report(f"43 fixture letters {fmt}", [r[2] for r in runs], [r[3] for r in runs])
        slowest = max(runs, key=lambda r: r[2])
        print(f"  slowest: {slowest[0]} ({slowest[1]} items) {1000 * slowest[2]:.1f} ms")
    fidelity(paths, [d for _, d in letters])


def fidelity(paths: list[Path], letters: list[Determination]) -> None:
    """How much of the published wording the rendered text letters reproduce, word for word."""
    from imr.letters._pdf import pdf_text

    matched = total = 0
    for path, d in zip(paths, letters):
        published = pdf_text(path.read_bytes(), source=path.name) if path.suffix == ".pdf" else path.read_text(encoding="utf-8")
        words = published.split()
        rendered = render_letter(d, "text").decode("utf-8").split()
        matched += sum(b.size for b in difflib.SequenceMatcher(None, words, rendered, autojunk=False).get_matching_blocks())
        total += len(words)
    print(f"wording: rendered letters reproduce {100 * matched / total:.2f} % of the {total} published words")


if __name__ == "__main__":
    golden(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
    fixtures()
