"""Clinical fact extraction: import time, first call, and time per 3,000-character record.

Run as `python benchmarks/bench_clinical.py`. The records are the clinical case summaries of the
fixture letters, each cut or repeated to 3,000 characters; the target is < 10 ms per record on one core.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "tests" / "fixtures" / "letters" / "seed"
RECORD_CHARS = 3000


def _summaries() -> list[str]:
    texts = []
    for path in sorted(SEED.glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        start = raw.find("all medical records:")
        end = raw.find("IMR ISSUES")
        body = " ".join(raw[start + 20 : end].split())
        while len(body) < RECORD_CHARS:
            body = body + " " + body
        texts.append(body[:RECORD_CHARS])
    return texts


def _import_and_first_call() -> tuple[float, float]:
    code = (
        "import time; t0 = time.perf_counter(); import imr.clinical as c; t1 = time.perf_counter();"
        "c.extract_text_facts('Norco 10/325 mg twice daily. Pain is 7/10. No functional improvement.');"
        "t2 = time.perf_counter(); print(t1 - t0, t2 - t1)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), float(out[1])


def main() -> None:
    imports, firsts = zip(*(_import_and_first_call() for _ in range(3)))
    print(f"import imr.clinical: {min(imports) * 1000:.0f} ms (best of 3)")
    print(f"first call (loads rule files, compiles patterns): {min(firsts) * 1000:.0f} ms (best of 3)")

    from imr.clinical import extract_text_facts

    records = _summaries()
    for text in records:  # warm up
        extract_text_facts(text)
    timings = []
    facts = 0
    cpu_started = time.process_time()
    for _ in range(20):
        for text in records:
            started = time.perf_counter()
            facts += len(extract_text_facts(text))
            timings.append(time.perf_counter() - started)
    cpu_ms = (time.process_time() - cpu_started) / len(timings) * 1000
    ms = [t * 1000 for t in timings]
    print(f"records: {len(records)} x 20 runs, {RECORD_CHARS} characters each, {facts / len(timings):.0f} facts per record")
    print(
        f"extraction per record: median {statistics.median(ms):.2f} ms, p95 {sorted(ms)[int(len(ms) * 0.95)]:.2f} ms, max {max(ms):.2f} ms"
    )
    # the machine is shared: CPU time per record is the figure that does not depend on the others' load
    print(f"CPU time per record: {cpu_ms:.2f} ms -> {1000 / cpu_ms:.0f} records per second on one core")
    print(f"wall-clock records per second: {1000 / statistics.mean(ms):.0f}")

    # a long record (a whole file of notes as one text) must stay linear
    long_record = " ".join(records) * 10
    started = time.process_time()
    facts_long = len(extract_text_facts(long_record))
    print(f"one {len(long_record):,}-character record: {(time.process_time() - started) * 1000:.0f} ms CPU, {facts_long} facts")

    # the reference: medspaCy's ConText on the same rules (not used at run time: its import is slow)
    started = time.perf_counter()
    from imr.clinical.medspacy_context import _pipeline, agreement

    _pipeline()
    print(f"medspaCy ConText import and build: {(time.perf_counter() - started) * 1000:.0f} ms")
    agree, total, _ = agreement(_letter_summaries())
    print(f"ConText agreement with medspaCy over the fixture letters: {agree}/{total} facts ({agree / total:.1%})")


def _letter_summaries() -> list[str]:
    from imr.letters.parse import parse_letter

    letters = ROOT / "tests" / "fixtures" / "letters"
    paths = sorted((letters / "dwc").glob("*.pdf")) + sorted(SEED.glob("*.txt"))
    return [parse_letter(p).case.summary or "" for p in paths]


if __name__ == "__main__":
    main()
