"""Letter throughput on one core: `python benchmarks/bench_letters.py [--only NAME ...] [--letters N]`.

Measures (each prints its figures; "CPU" rates use this process's CPU time, so other work on a
shared machine does not count against them; "wall" rates are what a user waits):
- parse-text: text letters/s over >= 10,000 letters made by varying the 43 fixture letters (the 3 seed
  texts and the text of the 40 dwc PDFs): case numbers, dates, ages, quantities and session counts
  change, so every letter and nearly every item text is new to the parser's caches.
- parse-text-no-items: the same without `imr.items.understand_item` (the parser's own share).
- parse-pdf: PDF letters/s over the 40 dwc letters (read from memory, text extraction included).
- pdf-libraries (opt-in, slow): text extraction alone with pypdfium2, pypdf and pdfplumber.
- huge-letter: one 20 MB letter (seed letter with its summary and rationale inflated).

Add a measurement by writing a function `(args) -> dict[str, float | str]` and registering it in
BENCHMARKS (the renderer's timing can live here the same way).
"""

from __future__ import annotations

import argparse
import io
import random
import re
import time
from collections.abc import Callable
from pathlib import Path

from imr.letters._pdf import pdf_text
from imr.letters.parse import parse_letter_bytes, parse_letter_text

LETTERS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "letters"
SEED = sorted((LETTERS / "seed").glob("*.txt"))
DWC = sorted((LETTERS / "dwc").glob("*.pdf"))

Figures = dict[str, float | str]


def fixture_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in SEED] + [pdf_text(p.read_bytes(), source=p.name) for p in DWC]


_CASE = re.compile(r"\bCM(\d\d)-(\d{7})\b")
_AGE = re.compile(r"\b(\d\d)([- ]year[- ]old)")
_QUANTITY = re.compile(r"(#|QTY: |quantity )(\d+)")
_SESSIONS = re.compile(r"\b(\d+) sessions\b")
_YEAR = re.compile(r"(/|-)(20)?1([4-7])\b")


def variant(text: str, rng: random.Random) -> str:
    """The same letter with other numbers: what a corpus of similar letters looks like to the parser."""
    text = _CASE.sub(lambda m: f"CM{m.group(1)}-{rng.randrange(10**7):07d}", text)
    text = _AGE.sub(lambda m: f"{rng.randrange(20, 70)}{m.group(2)}", text)
    text = _QUANTITY.sub(lambda m: f"{m.group(1)}{rng.randrange(1, 400)}", text)
    text = _SESSIONS.sub(lambda m: f"{rng.randrange(1, 30)} sessions", text)
    shift = rng.choice("4567")
    return _YEAR.sub(lambda m: f"{m.group(1)}{m.group(2) or ''}1{shift}", text)


def parse_text(args: argparse.Namespace) -> Figures:
    rng = random.Random(8)
    bases = fixture_texts()
    letters = [variant(bases[i % len(bases)], rng) for i in range(args.letters)]
    megabytes = sum(len(t) for t in letters) / 1e6
    start, cpu = time.perf_counter(), time.process_time()
    items = sum(len(parse_letter_text(text).issues) for text in letters)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {
        "letters": len(letters),
        "items": items,
        "text MB": round(megabytes, 1),
        "wall s": round(seconds, 2),
        "letters/s (wall)": round(len(letters) / seconds),
        "letters/s (CPU)": round(len(letters) / cpu),
        "ms/letter (CPU)": round(1000 * cpu / len(letters), 3),
    }


def parse_text_without_items(args: argparse.Namespace) -> Figures:
    """The same letters with the item reader switched off: the parser's own share of the time."""
    from imr.letters import parse

    reader, parse._UNDERSTAND = parse._UNDERSTAND, None
    parse._understood.cache_clear()
    try:
        return parse_text(args)
    finally:
        parse._UNDERSTAND = reader
        parse._understood.cache_clear()


def parse_pdf(args: argparse.Namespace) -> Figures:
    documents = [p.read_bytes() for p in DWC]
    parse_letter_bytes(documents[0], source="warm-up")
    rounds = args.pdf_rounds
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(rounds):
        for data in documents:
            parse_letter_bytes(data, source="bench")
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    count = rounds * len(documents)
    return {
        "letters": count,
        "wall s": round(seconds, 2),
        "letters/s (wall)": round(count / seconds),
        "letters/s (CPU)": round(count / cpu),
        "ms/letter (CPU)": round(1000 * cpu / count, 2),
    }


def pdf_libraries(args: argparse.Namespace) -> Figures:
    """Text extraction only, over the 40 dwc letters once each (how the PDF library was chosen)."""
    import pdfplumber
    import pypdf

    documents = [p.read_bytes() for p in DWC]

    def with_pypdf(data: bytes) -> str:
        return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)

    def with_pdfplumber(data: bytes) -> str:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            return "\n".join(page.extract_text() or "" for page in pdf.pages)

    figures: Figures = {}
    for name, extract in (
        ("pypdfium2", lambda d: pdf_text(d, source="bench")),
        ("pypdf", with_pypdf),
        ("pdfplumber", with_pdfplumber),
    ):
        cpu = time.process_time()
        for data in documents:
            extract(data)
        figures[f"{name} letters/s (CPU)"] = round(len(documents) / (time.process_time() - cpu), 1)
    return figures


def huge_letter(args: argparse.Namespace) -> Figures:
    text = SEED[0].read_text(encoding="utf-8")
    filler = "The pain is worse with sitting: better lying down, 7/10, Xanax 0.25 mg and Page(s) 24 - "
    head, tail = text.split("IMR ISSUES, DECISIONS AND RATIONALES", 1)
    half = filler * (10_000_000 // len(filler))
    big = (
        head
        + half
        + "\nIMR ISSUES, DECISIONS AND RATIONALES"
        + tail.replace("Decision rationale:", "Decision rationale: " + half)
    )
    start, cpu = time.perf_counter(), time.process_time()
    parse_letter_text(big)
    return {
        "MB": round(len(big) / 1e6, 1),
        "wall s": round(time.perf_counter() - start, 2),
        "CPU s": round(time.process_time() - cpu, 2),
    }


BENCHMARKS: dict[str, Callable[[argparse.Namespace], Figures]] = {
    "parse-text": parse_text,
    "parse-text-no-items": parse_text_without_items,
    "parse-pdf": parse_pdf,
    "huge-letter": huge_letter,
    "pdf-libraries": pdf_libraries,
}
DEFAULT = ("parse-text", "parse-text-no-items", "parse-pdf", "huge-letter")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only", nargs="+", choices=sorted(BENCHMARKS), help="run only these (pdf-libraries runs only when named)"
    )
    parser.add_argument("--letters", type=int, default=10_000, help="text letters to parse (default 10,000)")
    parser.add_argument("--pdf-rounds", type=int, default=3, help="passes over the 40 PDF letters (default 3)")
    args = parser.parse_args()
    for name in args.only or DEFAULT:
        figures = BENCHMARKS[name](args)
        print(f"{name}: " + ", ".join(f"{key} {value}" for key, value in figures.items()), flush=True)


if __name__ == "__main__":
    main()
