"""Speed of item understanding: microseconds per `understand_item` call, cold (no cache) and warm.

The letter parser calls `understand_item` for every item of every letter and must reach 2,000
letters/s, so one call must stay well under 0.1 ms. Items: the request lines of the sample letters
plus variants (numbers changed) so that the cold figure never hits the cache.
"""

from __future__ import annotations

import re
import statistics
import time
from pathlib import Path

from imr.drugs import find_drugs, lookup_drug
from imr.items import understand_item
from imr.items.understand import analyse

ROOT = Path(__file__).resolve().parents[1]
LETTERS = ROOT / "tests" / "fixtures" / "letters"

EXTRA = [
    "Xanax 0.25mg #30 with 2 refills.",
    "Norco 10/325mg quantity 120",
    "Ketoprofen 20% in cream base 240g",
    "Acupuncture 3 times a week for 2 weeks, neck, right hand and head",
    "Cold therapy unit 7 day rental",
    "Retrospective DOS 10/12/16 urine drug screen",
    "Right knee arthroscopy with partial meniscectomy",
    "Lumbar epidural steroid injection L4-5",
    "Referral to chiropractor for evaluation of low back pain, twice a week for 3 weeks",
    "EMG (electromyography)/NCV (nerve conduction velocity) of the bilateral upper extremities",
]


def published_letters() -> list:
    try:
        from imr.letters.parse import parse_letter
    except ImportError:
        return []
    paths = sorted((LETTERS / "dwc").glob("*.pdf")) + sorted((LETTERS / "seed").glob("*.txt"))
    return [parse_letter(path) for path in paths]


def variants(items: list[str], rounds: int) -> list[str]:
    """Distinct texts of the same shapes: every number shifted, so the cache cannot help."""
    out: list[str] = []
    for r in range(rounds):
        for text in items:
            out.append(re.sub(r"\d+", lambda m: str(int(m.group()) + r + 1), text) + ("" if r == 0 else f" #{r}"))
    return out


def per_call_us(texts: list[str], fn) -> float:
    # CPU time of this process: the machine is shared, wall time would measure the neighbours.
    start = time.process_time()
    for text in texts:
        fn(text)
    return (time.process_time() - start) / len(texts) * 1e6


def main() -> None:
    letters = published_letters()
    items = [issue.item.text for letter in letters for issue in letter.issues] + EXTRA
    summaries = [letter.case.summary for letter in letters if letter.case.summary]
    cold_texts = variants(items, 40)
    cold = []
    for _ in range(5):
        analyse.cache_clear()
        cold.append(per_call_us(cold_texts, understand_item))
    warm = per_call_us(cold_texts, understand_item)  # same texts again: all cached
    lookups = per_call_us(["Xanax", "Flexiril", "Nucynta ER", "Bupropion HCL", "unknownium"] * 2000, lookup_drug)
    find_us = per_call_us(summaries * 20, find_drugs) if summaries else 0.0
    chars = sum(map(len, summaries)) / max(1, len(summaries))
    print(f"items: {len(items)} distinct request lines, {len(cold_texts)} cold texts")
    print(f"understand_item cold (no cache): best {min(cold):.1f}, median {statistics.median(cold):.1f} us/call CPU")
    print(f"understand_item warm (cached):   {warm:.1f} us/call")
    print(f"lookup_drug:                     {lookups:.2f} us/call")
    print(f"find_drugs on a letter's case summary ({chars:.0f} chars on average): {find_us:.1f} us/call")


if __name__ == "__main__":
    main()
