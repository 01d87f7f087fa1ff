"""Letter rendering speed: text, HTML and PDF for the golden Determinations (tests/letters/golden_render).

Run: python benchmarks/bench_render.py [repeats]. Prints the first PDF (fonts loading) and the median
time per letter for each format; the case service renders one letter per issued decision.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from imr.letters import Determination, render_letter

GOLDEN = Path(__file__).resolve().parent.parent / "tests" / "letters" / "golden_render"


def main(repeats: int = 5) -> None:
    letters = [Determination.model_validate_json(p.read_text(encoding="utf-8")) for p in sorted(GOLDEN.glob("*.json"))]
    started = time.perf_counter()
    render_letter(letters[0], "pdf", draft=True)
    print(f"first PDF (templates and fonts load): {1000 * (time.perf_counter() - started):.0f} ms")
    for fmt in ("text", "html", "pdf"):
        times = []
        size = 0
        for _ in range(repeats):
            for d in letters:
                t0 = time.perf_counter()
                size += len(render_letter(d, fmt, draft=True))  # type: ignore[arg-type]
                times.append(time.perf_counter() - t0)
        median = statistics.median(times)
        print(
            f"{fmt:5s}: median {1000 * median:7.2f} ms/letter, max {1000 * max(times):7.2f} ms, "
            f"{1 / median:8.1f} letters/s, mean size {size / len(times) / 1024:.1f} KiB ({len(times)} renders)"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
