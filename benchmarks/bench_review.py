"""Review engine speed: cases reviewed per second for a 3,000-character record, one 1 MB record, and
`imr review` start-up.

Run as `python benchmarks/bench_review.py [--record-mb 1] [--only throughput,large,startup]`.

- Throughput: each case is an example case whose latest record is padded to 3,000 characters with more
  of the same note; the target is >= 50 cases/s on one core. The first review (rule book, lexicon and
  pipeline loading) is reported apart from the steady state.
- A large record: the example Norco case with its latest record replaced by `--record-mb` MB of dated
  progress notes (`progress_notes`: medication lists, examinations, pain scores, plans; the numbers and
  dates vary from visit to visit, the sentences a chart copies forward repeat); issue 15 asks for every
  text path to be linear and a 1 MB record reviewed in seconds.
- Start-up: the whole `imr review CASE --json` command on one example case, in a fresh interpreter;
  the target is under 1 s (issue 12). Shown as the process's CPU time (what a shared machine does not
  inflate much) and wall time, each the best of a few runs, with and without Python's bytecode cache
  (an installed package has one; a source tree run with PYTHONDONTWRITEBYTECODE=1 compiles imr's
  modules on every start), and without what imr.memo keeps between runs: a first run (which fills
  its stores) and with it switched off.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
EXAMPLES = ROOT / "src" / "imr" / "examples" / "cases"
RECORD_CHARS = 3000
ROUNDS = 5
STARTUP_RUNS = 5


def _padded_cases() -> list:
    from imr.casefile import load_case

    cases = []
    for path in sorted(EXAMPLES.glob("*.yaml")):
        case = load_case(path)
        latest = case.records[-1]
        text = latest.text
        while len(text) < RECORD_CHARS:
            text = text + "\n" + latest.text
        latest.text = text[:RECORD_CHARS]
        cases.append(case)
    return cases


# ---------------------------------------------------------------- a large record

_PARTS = ("low back", "neck", "right shoulder", "left knee", "lumbar spine", "cervical spine", "right wrist")
_DRUGS = (
    ("Norco", ("10/325 mg", "7.5/325 mg", "5/325 mg")),
    ("Gabapentin", ("300 mg", "600 mg")),
    ("Naproxen", ("550 mg", "500 mg")),
    ("Cyclobenzaprine", ("7.5 mg", "10 mg")),
    ("Omeprazole", ("20 mg",)),
    ("Tramadol", ("50 mg", "150 mg ER")),
    ("Lidoderm", ("5% patch",)),
    ("Duloxetine", ("30 mg", "60 mg")),
    ("Alprazolam", ("0.5 mg",)),
    ("Ibuprofen", ("800 mg", "600 mg")),
)
_FREQUENCIES = ("once a day", "twice a day", "three times a day", "every 6 hours as needed", "at bedtime", "b.i.d.", "t.i.d.")
_FUNCTION = (
    "With medication he is able to walk for 30 minutes and do light housework.",
    "She reports improved ability to sit and stand with the current regimen.",
    "He is unable to lift more than 10 pounds and has difficulty sleeping.",
    "Activities of daily living remain limited by pain.",
    "She is able to drive and to care for her children with medication.",
)
_EXAM = (
    "Lumbar flexion to {deg} degrees and extension to {deg2} degrees.",
    "Straight leg raise is {result} on the {side} at {deg2} degrees.",
    "Motor strength is {grade}/5 in the {side} extensor hallucis longus.",
    "Sensation is decreased in the {side} L{root} dermatome.",
    "Tenderness to palpation over the {side} lumbar paraspinal muscles with spasm.",
    "Cervical rotation is limited to {deg} degrees with pain at end range.",
    "Spurling's test is {result} on the {side}.",
    "McMurray test is {result} and there is medial joint line tenderness of the {side} knee.",
    "Reflexes are 2+ and symmetric in the lower extremities.",
    "Gait is antalgic; she walks with a cane.",
)
_DIAGNOSES = (
    "Lumbar radiculopathy",
    "Lumbar degenerative disc disease",
    "Cervical strain",
    "Right shoulder impingement syndrome",
    "Chronic pain syndrome",
    "Left knee medial meniscus tear",
    "Depression secondary to chronic pain",
    "Insomnia",
)
_PLANS = (
    "Continue {drug} {dose} {freq}, #{qty}.",
    "Refill {drug} {dose} {freq} #{qty} with no refills.",
    "Urine drug screen on {date} was consistent with the prescribed medications.",
    "Request {n} sessions of physical therapy 2 times a week for {weeks} weeks for the {part}.",
    "Request authorization for an MRI of the {part}.",
    "She will continue her home exercise program daily.",
    "CURES report reviewed and consistent.",
    "Start a trial of {drug} {dose} {freq}.",
    "Return to clinic in {weeks} weeks.",
    "Work status: modified duty with no lifting over {lift} pounds.",
)


def progress_notes(chars: int, seed: int = 12) -> str:
    """Dated progress notes of a worker in chronic care, `chars` long: headings, medication lists,
    examinations and plans, the pain scores, doses, angles and dates varying from visit to visit."""
    rng = random.Random(seed)
    day = dt.date(2016, 3, 7)
    notes: list[str] = []
    size = 0
    while size < chars:
        day += dt.timedelta(days=rng.randint(3, 10))
        part = rng.choice(_PARTS)
        regimen = [(name, rng.choice(doses), rng.choice(_FREQUENCIES)) for name, doses in rng.sample(_DRUGS, rng.randint(3, 5))]
        without = rng.randint(5, 10)
        exam = " ".join(
            template.format(
                deg=rng.randrange(20, 90, 5),
                deg2=rng.randrange(10, 60, 5),
                side=rng.choice(["left", "right"]),
                result=rng.choice(["positive", "negative"]),
                grade=rng.choice(["4", "4+", "5"]),
                root=rng.choice(["4", "5"]),
            )
            for template in rng.sample(_EXAM, rng.randint(3, 6))
        )
        lines = [
            "PRIMARY TREATING PHYSICIAN'S PROGRESS REPORT (PR-2)",
            f"Date of service: {day:%m/%d/%Y}",
            "",
            "Subjective:",
            f"The patient returns for follow-up of {part} pain. Pain is rated {without}/10 without medication and "
            f"{max(0, without - rng.randint(0, 5))}/10 with medication. {rng.choice(_FUNCTION)} "
            + rng.choice(["He denies side effects.", "She reports constipation.", "No nausea or sedation."]),
            "",
            "Current medications:",
            *(f"- {name} {dose} {freq}" for name, dose, freq in regimen),
            "",
            "Objective:",
            exam,
            "",
            "Assessment:",
            *(f"{n}. {d}" for n, d in enumerate(rng.sample(_DIAGNOSES, rng.randint(2, 4)), 1)),
            "",
            "Plan:",
        ]
        for template in rng.sample(_PLANS, rng.randint(3, 6)):
            name, dose, freq = rng.choice(regimen)
            lines.append(
                template.format(
                    drug=name,
                    dose=dose,
                    freq=freq,
                    qty=rng.choice([30, 60, 90, 120]),
                    date=f"{day - dt.timedelta(days=rng.randint(1, 30)):%m/%d/%Y}",
                    n=rng.choice([6, 8, 12]),
                    weeks=rng.choice([3, 4, 6]),
                    part=part,
                    lift=rng.choice([10, 20, 25]),
                )
            )
        note = "\n".join(lines) + "\n\n"
        notes.append(note)
        size += len(note)
    return "".join(notes)[:chars]


def _large_record(megabytes: float) -> None:
    from imr.casefile import load_case
    from imr.clinical import extract_facts
    from imr.clinical.text import split_sentences
    from imr.review import review_case

    example = EXAMPLES / "opioid-norco.yaml"
    review_case(load_case(example))  # loading done: what follows is the record's own cost
    case = load_case(example)
    text = progress_notes(int(megabytes * 1_000_000))
    case.records[-1].text = text
    sentences = [s.text for s in split_sentences(text)]
    start, cpu = time.perf_counter(), time.process_time()
    review_case(case)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    facts = len(extract_facts(case).facts)
    print(
        f"one record of {len(text):,} characters ({len(sentences):,} sentences, {len(set(sentences)):,} distinct; "
        f"{facts:,} facts): reviewed in {cpu:.2f} s CPU, {wall:.2f} s wall"
    )


# ---------------------------------------------------------------- start-up


def _startup(env: dict[str, str], *, first_run: bool = False) -> tuple[float, float]:
    """Best CPU and best wall seconds of the whole command, each over STARTUP_RUNS runs (`first_run`:
    each with imr.memo's stores empty, as a first command or the first after an upgrade)."""
    example = str(EXAMPLES / "benzodiazepine-alprazolam.yaml")
    cpus, walls = [], []
    for _ in range(STARTUP_RUNS):
        if first_run:
            env = {**env, "IMR_CACHE_DIR": tempfile.mkdtemp(prefix="imr-bench-")}
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "imr", "review", example, "--json"], check=True, capture_output=True, env=env)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if first_run:
            shutil.rmtree(env["IMR_CACHE_DIR"])
    return min(cpus), min(walls)


def _startup_figures() -> None:
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as kept:
        # imr.memo's stores in a folder of their own, filled by the first run as by a user's first command
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "IMR_CACHE_DIR": kept}
        cached = {**env, "PYTHONPYCACHEPREFIX": cache}
        cached.pop("PYTHONDONTWRITEBYTECODE", None)
        _startup(cached)  # writes the bytecode cache and imr's stores
        for label, run_env, first_run in (
            ("with a bytecode cache (an installed package)", cached, False),
            ("as this shell runs it", env, False),
            ("with a bytecode cache, imr.memo's stores empty (a first run: it fills them)", cached, True),
            ("with a bytecode cache, imr.memo off (IMR_CACHE_DIR empty)", {**cached, "IMR_CACHE_DIR": ""}, False),
        ):
            cpu, wall = _startup(run_env, first_run=first_run)
            print(f"imr review start-up, whole command on one case, {label}: {cpu:.2f} s CPU, {wall:.2f} s wall; target < 1")
    if env.get("PYTHONDONTWRITEBYTECODE"):
        print("  (PYTHONDONTWRITEBYTECODE is set here: every start compiles imr's modules from source)")


# ---------------------------------------------------------------- throughput


def _throughput() -> None:
    start = time.perf_counter()
    from imr.review import review_case

    cases = _padded_cases()
    review_case(cases[0])
    first = time.perf_counter() - start
    for case in cases:  # the remaining lazy loading (item vocabularies compile on first use)
        review_case(case)
    rates, cpu_rates = [], []
    for _ in range(ROUNDS):
        start, cpu = time.perf_counter(), time.process_time()
        for case in cases:
            review_case(case)
        rates.append(len(cases) / (time.perf_counter() - start))
        cpu_rates.append(len(cases) / max(time.process_time() - cpu, 1e-9))
    print(f"cases: {len(cases)} example cases, latest record padded to {RECORD_CHARS} characters")
    print(f"first review (imports and loading included): {first:.2f} s")
    print(
        f"steady state: {statistics.median(rates):.1f} cases/s wall clock (median of {ROUNDS} rounds; min {min(rates):.1f}) on one core; target >= 50"
    )
    # CPU time is what one core gives when the machine is shared; wall clock counts the waiting too
    print(f"steady state: {statistics.median(cpu_rates):.1f} cases per CPU-second")
    print(f"load average while measuring: {os.getloadavg()[0]:.1f}")
    from imr.clinical import extract_facts

    start = time.perf_counter()
    for _ in range(ROUNDS):
        for case in cases:
            extract_facts(case)
    facts_share = (time.perf_counter() - start) / (ROUNDS * len(cases)) * statistics.median(rates)
    print(f"share of the time spent extracting clinical facts: {100 * facts_share:.0f}%")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--record-mb", type=float, default=1.0, help="size of the large record in MB (default 1)")
    parser.add_argument("--only", default="throughput,large,startup", help="which parts to run (comma-separated)")
    args = parser.parse_args()
    parts = set(args.only.split(","))
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    if "throughput" in parts:
        _throughput()
    if "large" in parts:
        _large_record(args.record_mb)
    if "startup" in parts:
        _startup_figures()


if __name__ == "__main__":
    main()
