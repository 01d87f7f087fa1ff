"""Corpus benchmark: bulk ingest throughput, time to a searchable index, search and precedent latency,
and the kill test (kill the ingest half way, run it again, the counts come out exact).

The letters are made by varying the fixture letters (parsed, varied in drug, outcome, specialty and
year, rendered as text, then given unique case numbers, ages and dates): they exercise the parser and
the writer at volume, for throughput only; their contents mean nothing.

    python benchmarks/bench_corpus.py                 # 100,000 letters, SQLite
    python benchmarks/bench_corpus.py --letters 20000 --skip-kill
    python benchmarks/bench_corpus.py --postgres      # PostgreSQL at 127.0.0.1:5432/test, own schema
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
import uuid
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "letters"

DRUGS = [  # (request wording, generic, class): swapped into drug items to vary the corpus
    ("Xanax 1mg #60", "alprazolam", "benzodiazepine"),
    ("Norco 10/325mg #120", "hydrocodone/acetaminophen", "opioid"),
    ("Gabapentin 600mg #90", "gabapentin", "anti-epilepsy drug"),
    ("Soma 350mg #60", "carisoprodol", "muscle relaxant"),
    ("Omeprazole 20mg #30", "omeprazole", "proton pump inhibitor"),
    ("Tramadol ER 150mg #30", "tramadol", "opioid"),
    ("Cyclobenzaprine 7.5mg #60", "cyclobenzaprine", "muscle relaxant"),
    ("Naproxen 550mg #60", "naproxen", "nsaid"),
    ("Ambien 10mg #30", "zolpidem", "sedative-hypnotic"),
    ("Lidoderm 5% patch #30", "lidocaine", "topical analgesic"),
]
SPECIALTIES = [
    ["Physical Medicine & Rehabilitation"],
    ["Occupational Medicine"],
    ["Family Practice"],
    ["Orthopedic Surgery"],
    ["Pain Management", "Anesthesiology"],
    ["Internal Medicine"],
]
QUERIES = [
    "benzodiazepine long-term",
    "MRI lumbar",
    '"red flag"',
    "physical therapy functional improvement",
    "opioid urine drug screen",
    "acupuncture",
    "knee arthroscopy",
    "gabapentin neuropathic",
    "topical compound",
    "TENS unit",
    "epidural steroid injection",
    "home exercise program",
]


def templates(count: int, seed: int = 7) -> list[str]:
    """Letter texts varied from the fixture letters (rendered by the letters package)."""
    from imr.letters.parse import parse_letter
    from imr.letters.render import render_letter

    rng = random.Random(seed)
    bases = [parse_letter(p) for p in sorted((FIXTURES / "dwc").glob("*.pdf"))]
    bases += [parse_letter(p) for p in sorted((FIXTURES / "seed").glob("*.txt"))]
    texts = []
    for index in range(count):
        letter = bases[index % len(bases)].model_copy(deep=True)
        # a case number for every letter (the seed letters have none) so that each variant is unique
        letter.case.case_number = letter.case.case_number or "CM16-0000000"
        letter.reviewer.specialties = rng.choice(SPECIALTIES)
        for issue in letter.issues:
            if issue.item.kind == "drug":
                wording, generic, drug_class = rng.choice(DRUGS)
                issue.item.text, issue.item.generic, issue.item.drug_class = wording, generic, drug_class
                issue.item.brand = issue.item.strength = issue.item.unit = None
                issue.item.quantity = None
            if rng.random() < 0.11:
                issue.outcome = "Overturned" if issue.outcome == "Upheld" else "Upheld"
        texts.append(render_letter(letter, "text").decode("utf-8"))
    return texts


_CASE = re.compile(r"CM\d\d-\d{7}")
_AGE = re.compile(r"\b(\d\d) year old\b")
_DECIDED = re.compile(r"(Decision Date:\s+)\d\d/\d\d/(\d{4})")


SHARD = 100_000  # letters per zip archive, as a crawl of the DWC site would be split


def make_letters(folder: Path, total: int) -> float:
    """Zip archives (SHARD letters each) of `total` distinct text letters in `folder`; returns seconds taken."""
    started = time.perf_counter()
    rng = random.Random(11)
    bases = templates(min(400, total))
    folder.mkdir(parents=True, exist_ok=True)
    for shard in range(0, total, SHARD):
        with zipfile.ZipFile(folder / f"part-{shard // SHARD:03d}.zip", "w", compression=zipfile.ZIP_STORED) as archive:
            for index in range(shard, min(total, shard + SHARD)):
                text = bases[index % len(bases)]
                year = rng.choice((2014, 2015, 2016, 2017, 2018, 2019))
                text = _CASE.sub(f"CM{year % 100:02d}-{index:07d}", text, count=1)
                text = _AGE.sub(f"{rng.randint(22, 70)} year old", text, count=1)
                text = _DECIDED.sub(
                    lambda m: f"{m.group(1)}{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/{year}", text, count=1
                )
                archive.writestr(f"letters/{index // 1000:04d}/{index:07d}.txt", text)
    return time.perf_counter() - started


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the ingest's pool workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def parse_only_rate(archive: Path, count: int = 1000) -> float:
    """Letters the parser alone reads per CPU-second, on the benchmark's letters."""
    from imr.letters.parse import parse_letter_text

    with zipfile.ZipFile(sorted(archive.glob("*.zip"))[0]) as handle:
        texts = [handle.read(name).decode("utf-8") for name in handle.namelist()[:count]]
    started = time.process_time()
    for text in texts:
        parse_letter_text(text)
    return len(texts) / (time.process_time() - started)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def time_searches(store, rounds: int = 10) -> tuple[float, float]:  # noqa: ANN001
    from imr.corpus.search import search

    rng = random.Random(3)
    timings = []
    for _ in range(rounds):
        for query in QUERIES:
            filters = rng.choice([{}, {"outcome": "Overturned"}, {"drug_class": "opioid"}, {"year": 2016}, {"kind": "imaging"}])
            started = time.perf_counter()
            search(query, limit=20, store=store, **filters)
            timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000, percentile(timings, 0.95) * 1000


def time_precedents(store, rounds: int = 40) -> tuple[float, float]:  # noqa: ANN001
    from imr.corpus.precedents import find_precedents
    from imr.model import DisputedItem

    rng = random.Random(5)
    summary = (
        "The injured worker is a 52 year old with chronic low back pain radiating to the left leg, "
        "numbness in the foot, anxiety and insomnia; urine drug screen consistent; pain 7/10."
    )
    timings = []
    for _ in range(rounds):
        wording, generic, drug_class = rng.choice(DRUGS)
        item = rng.choice(
            [
                DisputedItem(text=wording, kind="drug", generic=generic, drug_class=drug_class),
                DisputedItem(text="MRI of the lumbar spine", kind="imaging", body_part="lumbar spine"),
            ]
        )
        started = time.perf_counter()
        find_precedents(item, summary, 5, store=store)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000, percentile(timings, 0.95) * 1000


def counts_of(url: str) -> tuple[int, int]:
    from imr.corpus.store import CorpusStore

    counts = CorpusStore(url).counts()
    return counts["letters"], counts["items"]


def kill_test(archive: Path, url: str, total: int, workdir: Path) -> tuple[int, int, int]:
    """Ingest in a subprocess, SIGKILL it half way, run again: returns (held at kill, letters, items)."""
    env = {**os.environ, "IMR_DATABASE_URL": url, "IMR_DATA_DIR": str(workdir)}
    command = [sys.executable, "-m", "imr", "corpus", "ingest", str(archive), "--json"]
    run = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    held = 0
    while run.poll() is None:
        time.sleep(0.2)
        held = _letters(url)
        if held >= total // 2:
            os.killpg(run.pid, signal.SIGKILL)
            break
    run.wait()
    held = _letters(url)
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    letters, items = counts_of(url)
    return held, letters, items


def _letters(url: str) -> int:
    if url.startswith("sqlite"):
        try:
            with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=5) as db:
                return db.execute("SELECT count(*) FROM corpus_letters").fetchone()[0]
        except sqlite3.OperationalError:
            return 0
    import psycopg

    schema = url.split("search_path%3D")[1]
    with psycopg.connect("host=127.0.0.1 dbname=test user=postgres") as connection:
        try:
            return connection.execute(f"SELECT count(*) FROM {schema}.corpus_letters").fetchone()[0]
        except psycopg.errors.UndefinedTable:
            return 0


def fresh_url(workdir: Path, name: str, postgres: bool) -> str:
    if not postgres:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{workdir / name}.sqlite3{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{workdir / name}.sqlite3"
    import psycopg

    schema = f"corpus_bench_{name}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect("host=127.0.0.1 dbname=test user=postgres", autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{schema}"


def drop(url: str) -> None:
    if "search_path" in url:
        import psycopg

        from imr.corpus.store import close_engines

        close_engines()
        with psycopg.connect("host=127.0.0.1 dbname=test user=postgres", autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA {url.split('search_path%3D')[1]} CASCADE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/imr-corpus-bench"))
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--skip-kill", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the databases and the letters")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    from imr.corpus.ingest import ingest
    from imr.corpus.store import CorpusStore

    archive = args.workdir / f"letters-{args.letters}"
    if not archive.exists():
        seconds = make_letters(archive, args.letters)
        size = sum(part.stat().st_size for part in archive.glob("*.zip"))
        print(f"made {args.letters:,} text letters in {seconds:.1f} s ({size / 1e6:.0f} MB of zip archives)")
    backend = "PostgreSQL" if args.postgres else "SQLite"
    url = fresh_url(args.workdir, "bench", args.postgres)
    parse_rate = parse_only_rate(archive)
    print(f"parser alone (imr.letters.parse.parse_letter_text, one process): {parse_rate:,.0f} letters per CPU-second")
    cpu_before = cpu_seconds()
    report = ingest([archive], url=url, workers=args.workers)
    cpu = cpu_seconds() - cpu_before
    assert report.failed == 0, report.failures[:3]
    print(
        f"[{backend}] ingest: {report.stored:,} letters ({report.items:,} decisions) in {report.seconds:.1f} s "
        f"= {report.letters_per_second:,.0f} letters/s wall clock on {os.cpu_count()} shared cores (load average "
        f"{os.getloadavg()[0]:.1f}); searchable when it ends (the index is written with every batch)"
    )
    per_core = report.stored / cpu
    print(
        f"[{backend}] ingest CPU: {cpu:.1f} CPU-seconds (writer + workers) = {per_core:,.0f} letters per CPU-second; "
        f"on 2 dedicated cores about {2 * per_core:,.0f} letters/s; of each letter's CPU time the parser takes "
        f"{100 * per_core / parse_rate:.0f}%"
        + (" (the PostgreSQL server's CPU, which computes the tsvector columns, is not counted)" if args.postgres else "")
    )
    store = CorpusStore(url)
    p50, p95 = time_searches(store)
    print(f"[{backend}] search at {report.stored:,} letters: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    p50, p95 = time_precedents(store)
    print(f"[{backend}] precedents at {report.stored:,} letters: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    from imr.corpus.stats import corpus_stats

    started = time.perf_counter()
    stats = corpus_stats(store=store)
    print(
        f"[{backend}] stats ({len(stats.breakdowns)} breakdowns) at {report.stored:,} letters: {time.perf_counter() - started:.1f} s"
    )
    started = time.perf_counter()
    store.optimize()
    print(f"[{backend}] index optimize (merge) {time.perf_counter() - started:.1f} s")
    p50, p95 = time_searches(store)
    print(f"[{backend}] search after optimize: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    if args.postgres is False:
        size = sum(
            Path(f"{args.workdir / 'bench'}.sqlite3{s}").stat().st_size
            for s in ("", "-wal")
            if Path(f"{args.workdir / 'bench'}.sqlite3{s}").exists()
        )
        print(f"[{backend}] database size {size / 1e9:.2f} GB ({size / report.stored / 1e3:.1f} kB per letter)")
    million = 1_000_000 / report.letters_per_second
    print(
        f"extrapolated 1,000,000 letters: {million / 60:.1f} min at the measured wall-clock rate, "
        f"{1_000_000 / (2 * per_core) / 60:.1f} min on 2 dedicated cores at the measured CPU cost (target 15 min)"
    )
    expected = counts_of(url)
    if not args.skip_kill:
        kill_url = fresh_url(args.workdir, "kill", args.postgres)
        held, letters, items = kill_test(archive, kill_url, args.letters, args.workdir)
        verdict = "exact" if (letters, items) == expected else "WRONG"
        print(
            f"[{backend}] kill test: killed with {held:,} letters held; after the rerun {letters:,} letters, "
            f"{items:,} decisions vs {expected[0]:,} / {expected[1]:,} in one run: {verdict}"
        )
        if not args.keep:
            drop(kill_url)
    if not args.keep:
        drop(url)
        if not args.postgres:
            for name in ("bench", "kill"):
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{args.workdir / name}.sqlite3{suffix}").unlink(missing_ok=True)
            shutil.rmtree(args.workdir / "corpus", ignore_errors=True)


if __name__ == "__main__":
    main()
