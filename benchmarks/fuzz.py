"""Fuzz the readers of untrusted input: letters (text and PDF), case files (read, then reviewed) and
packets (their pages' text, and their PDF bytes).

Each input is a real seed (the bundled example letters and case files, the test packets and a few
synthetic ones) with a few random mutations: long runs of spaces, dots, newlines or one long word, a
repeated or deleted chunk, control characters, NUL bytes, truncation, YAML anchors and aliases, deep
nesting, wrong scalar types. Every input runs in a worker process under a time limit; the figures are
the inputs run, the crashes (any exception other than imr's own `ImrError`, a one-line refusal), the
runs over the slow limit, the timeouts (killed), and the workers' peak memory (each worker's address
space is capped, so a runaway allocation is a MemoryError, a crash, not a frozen machine).

Input number i is drawn from its own generator, seeded with (seed, i): a run of `--count` inputs from
`--start` is one shard of the full run, and shards run one after another or side by side give the
same inputs, so a long run can be split, resumed, or one input reproduced (`--start i --count 1`).

    python benchmarks/fuzz.py                                  # 100,000 inputs (about 45 min on an idle core)
    python benchmarks/fuzz.py --count 3000                     # a few thousand, for a figure in minutes
    python benchmarks/fuzz.py --start 50000 --count 50000      # the second half of the 100,000
    python benchmarks/fuzz.py --count 200 --json               # what the test runs
    python benchmarks/fuzz.py --merge shard-*.json             # several shards' --json reports added up
    python benchmarks/fuzz.py --kind case --count 56000        # only the case files among them (about 20,000)
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import os
import resource
import sys
import time
import traceback
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from imr.examples import EXAMPLE_CASES, EXAMPLE_LETTERS, EXAMPLE_SERVICE  # noqa: E402

SEED_LETTERS = ROOT / "tests" / "fixtures" / "letters" / "seed"
SYNTHETIC_LETTERS = ROOT / "tests" / "fixtures" / "letters" / "synthetic"
PACKETS = ROOT / "tests" / "fixtures" / "packets"
SYNTHETIC_PACKETS = range(1, 7)  # seeds of `imr.packets.synth` packets, beside the test packets
# Kinds of input and how often each is drawn; PDFs are slow to read, so fewer of them.
WEIGHTS = {"letter": 0.4, "case": 0.36, "pdf": 0.04, "packet": 0.16, "packet-pdf": 0.04}
SUFFIX = {"letter": "txt", "case": "yaml", "pdf": "pdf", "packet": "txt", "packet-pdf": "pdf"}
PAGE_BREAK = b"\x0c"  # between the pages of a packet's text (a form feed, as pdftotext writes)
MEMORY_CAP = 2 * 1024**3


# ---------------------------------------------------------------- seeds and mutations


def _packet_pdfs() -> list[bytes]:
    """The typed test packets (the scanned ones have no text layer to mutate) and a few synthetic ones."""
    from imr.packets.synth.generator import make_packet, render_packet

    typed = [p.read_bytes() for p in sorted(PACKETS.glob("packet-1[1-4].pdf"))]
    return typed + [render_packet(make_packet(seed)) for seed in SYNTHETIC_PACKETS]


def _packet_text(pdf: bytes) -> bytes:
    """A packet's pages as text, split by PAGE_BREAK: what the text path reads after the PDF reader."""
    import tempfile

    from imr.packets.pages import read_pages

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "packet.pdf"
        path.write_bytes(pdf)
        return PAGE_BREAK.join(page.text.encode("utf-8") for page in read_pages(path, ocr=False))


def seeds() -> dict[str, list[bytes]]:
    letters = sorted({*EXAMPLE_LETTERS.glob("*.txt"), *SEED_LETTERS.glob("*.txt"), *SYNTHETIC_LETTERS.glob("*.txt")})
    cases = sorted({*EXAMPLE_CASES.glob("*.yaml"), EXAMPLE_SERVICE / "case.yaml"})
    pdfs = sorted(EXAMPLE_LETTERS.glob("*.pdf"))
    packets = _packet_pdfs()
    return {
        "letter": [p.read_bytes() for p in letters],
        "case": [p.read_bytes() for p in cases],
        "pdf": [p.read_bytes() for p in pdfs],
        "packet": [_packet_text(pdf) for pdf in packets],
        "packet-pdf": packets,
    }


def _position(rng: random.Random, data: bytes) -> int:
    return rng.randrange(len(data) + 1)


def _insert(rng: random.Random, data: bytes, piece: bytes) -> bytes:
    at = _position(rng, data)
    return data[:at] + piece + data[at:]


def _run(rng: random.Random) -> bytes:
    unit = rng.choice([b" ", b".", b"\n", b"a", b"-", b",", b"\t", b"0", b"ab ", b", and ", b"; ", b"Norco 10/325 mg. "])
    return unit * (rng.choice([10, 100, 1000, 10_000, 100_000]) // max(1, len(unit) // 2))


def _yaml_trouble(rng: random.Random, data: bytes) -> bytes:
    choice = rng.randrange(5)
    if choice == 0:
        return b"base: &b {x: 1}\nother: *b\n" + data
    if choice == 1:
        return data.replace(b"\n", b"\n" + b"  " * rng.randrange(1, 40), 1)
    if choice == 2:
        return data + b"\nextra: " + b"[" * rng.choice([10, 100, 10_000]) + b"\n"
    if choice == 3:
        return data.replace(b": ", b": !!python/object:os.system ", 1)
    return data.replace(b"2016", rng.choice([b"2016-13-45", b"yes", b"~", b"1e309", b"[]", b"{}"]), 1)


def _record_trouble(rng: random.Random, data: bytes) -> bytes:
    """A valid case file whose record or request text carries the trouble (what the engine reads)."""
    import yaml

    try:
        case = yaml.safe_load(data)
        target = rng.choice(case.get("records") or case["requests"])
        text = target["text"].encode("utf-8")
        target["text"] = _insert(rng, text, _run(rng) if rng.random() < 0.7 else text * rng.choice([2, 10, 50])).decode(
            "utf-8", "replace"
        )
        return yaml.safe_dump(case, sort_keys=False, allow_unicode=True).encode("utf-8")
    except Exception:  # noqa: BLE001 - an earlier mutation broke the file: leave it broken
        return data


def mutate(rng: random.Random, kind: str, data: bytes) -> tuple[bytes, list[str]]:
    """`data` with one to four random mutations, and what they were (for the crash report)."""
    done: list[str] = []
    for _ in range(rng.randint(1, 4)):
        choice = rng.randrange(10 if kind != "case" else 13)
        if choice == 0:
            data, what = _insert(rng, data, _run(rng)), "long run"
        elif choice == 1 and data:
            start = _position(rng, data)
            chunk = data[start : start + rng.randint(1, 400)]
            data, what = _insert(rng, data, chunk * rng.choice([1, 2, 10, 500])), "repeated chunk"
        elif choice == 2 and data:
            start = _position(rng, data)
            data, what = data[:start] + data[start + rng.randint(1, 2000) :], "deleted chunk"
        elif choice == 3:
            data, what = _insert(rng, data, bytes(rng.randrange(256) for _ in range(rng.randint(1, 20)))), "random bytes"
        elif choice == 4:
            data, what = (
                _insert(
                    rng, data, rng.choice([b"\x00", b"\x0c", b"\r", b"\xef\xbb\xbf", "\u202e".encode(), "é".encode("latin-1")])
                ),
                "control",
            )
        elif choice == 5 and data:
            data, what = data[: _position(rng, data)], "truncated"
        elif choice == 6 and data:
            at = _position(rng, data)
            data, what = data[:at] + bytes([rng.randrange(256)]) + data[at + 1 :], "flipped byte"
        elif choice == 7:
            lines = data.split(b"\n")
            rng.shuffle(lines) if rng.random() < 0.2 else lines.insert(rng.randrange(len(lines) + 1), rng.choice(lines))
            data, what = b"\n".join(lines), "lines moved"
        elif choice == 8:
            word = rng.choice(
                [
                    b"Upheld",
                    b"Overturned",
                    b"ISSUE AT DISPUTE:",
                    b"IMR ISSUES, DECISIONS AND RATIONALES",
                    b"Page 1 of 3",
                    b"CM16-0000001",
                    b"Claims Administrator guideline:",
                    b"was the original request",
                    b"medically necessary",
                ]
            )
            data, what = _insert(rng, data, b"\n" + word + b"\n"), "keyword"
        elif choice == 9:
            data, what = _insert(rng, data, b"x" * rng.choice([1000, 50_000, 300_000])), "long word"
        elif choice == 10:
            data, what = _yaml_trouble(rng, data), "yaml"
        else:
            data, what = _record_trouble(rng, data), "record text"
        done.append(what)
    return data, done


# ---------------------------------------------------------------- the worker


def run_one(kind: str, data: bytes, scratch: Path) -> None:
    """Read one input the way imr reads a user's file: a letter parsed, a case file read and reviewed,
    a packet drawn up into a case file. (A packet's case is not reviewed here: its records reach the
    engine as a case file's records do, and the case files' record mutations fuzz that.)"""
    if kind in ("letter", "pdf"):
        from imr.letters.parse import parse_letter_bytes

        parse_letter_bytes(data, source="fuzzed letter")
        return
    if kind == "case":
        from imr.casefile import parse_text
        from imr.errors import CaseFileError
        from imr.review import review_case

        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise CaseFileError("fuzzed case: not UTF-8") from None
        review_case(parse_text(text, source="fuzzed case.yaml"))
        return
    from imr.packets.intake import Intake, case_data, read_packet
    from imr.packets.pages import Page
    from imr.packets.split import split_pages

    if kind == "packet":
        texts = data.decode("utf-8", "replace").split(PAGE_BREAK.decode())
        intake = Intake(documents=split_pages([Page("fuzzed.pdf", n, text, "text") for n, text in enumerate(texts, 1)]))
        intake.data = case_data(intake)
    else:
        # the text layer only: OCR of a page whose text layer a mutation broke is Tesseract's time, not
        # imr's text handling, and runs in seconds a page by design
        path = scratch / "fuzzed.pdf"
        path.write_bytes(data)
        intake = read_packet([path], ocr=False)
    intake.case()


def worker(connection: Connection, scratch_root: Path) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))
    from imr.errors import ImrError

    sys.setrecursionlimit(5000)
    scratch = scratch_root / str(os.getpid())  # removed with the root by the parent, also after a kill
    scratch.mkdir()
    while True:
        message = connection.recv()
        if message is None:
            return
        kind, data = message
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            run_one(kind, data, scratch)
            outcome, detail = "ok", ""
        except ImrError:
            outcome, detail = "refused", ""
        except BaseException as error:  # noqa: BLE001 - a crash is what the fuzzer is looking for
            outcome = "crash"
            detail = f"{error.__class__.__name__}: {str(error)[:200]}\n{''.join(traceback.format_tb(error.__traceback__)[-3:])}"
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        connection.send((outcome, seconds, cpu, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, detail))


class Worker:
    def __init__(self, scratch_root: Path) -> None:
        context = multiprocessing.get_context("spawn")
        self.connection, theirs = context.Pipe()
        self.process = context.Process(target=worker, args=(theirs, scratch_root), daemon=True)
        self.process.start()

    def run(self, kind: str, data: bytes, kill_after: float) -> tuple[str, float, float, int, str]:
        self.connection.send((kind, data))
        if not self.connection.poll(kill_after):
            return "timeout", kill_after, kill_after, 0, ""
        try:
            return self.connection.recv()
        except EOFError:
            return "crash", 0.0, 0.0, 0, f"worker died (exit {self.process.exitcode})"

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()


# ---------------------------------------------------------------- the run


@dataclass
class Report:
    inputs: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    seconds_by_kind: dict[str, float] = field(default_factory=dict)
    refused: int = 0
    crashes: list[dict] = field(default_factory=list)
    over_limit: list[dict] = field(default_factory=list)  # the run's CPU time over the limit, or killed
    over_limit_wall: int = 0  # the wall clock over the limit: on a busy machine, waits for a core count too
    timeouts: int = 0
    slowest_seconds: float = 0.0
    slowest_cpu_seconds: float = 0.0  # the worker's CPU time: what a busy machine does not stretch
    peak_memory_mb: float = 0.0
    seconds: float = 0.0

    def summary(self, *, brief: bool = False) -> dict:
        figures = {
            "inputs": self.inputs,
            "by_kind": self.by_kind,
            "seconds_by_kind": {k: round(v, 1) for k, v in self.seconds_by_kind.items()},
            "refused_with_imr_error": self.refused,
            "crashes": len(self.crashes),
            "runs_over_limit": len(self.over_limit),
            "runs_over_limit_wall_clock": self.over_limit_wall,
            "timeouts": self.timeouts,
            "slowest_seconds": round(self.slowest_seconds, 2),
            "slowest_cpu_seconds": round(self.slowest_cpu_seconds, 2),
            "peak_memory_mb": round(self.peak_memory_mb, 1),
            "seconds": round(self.seconds, 1),
        }
        if brief:
            return figures
        return {**figures, "crash_examples": self.crashes[:20], "slow_examples": self.over_limit[:20]}


def draw(
    index: int, seed: int, pool: dict[str, list[bytes]], only: frozenset[str] | None = None
) -> tuple[str, bytes, list[str]] | None:
    """Input number `index`: its kind, its bytes and its mutations, the same whatever else is run;
    None when its kind is not among `only` (drawn no further: the kind is the generator's first draw)."""
    rng = random.Random(f"{seed}:{index}")
    kinds, weights = zip(*[(k, w) for k, w in WEIGHTS.items() if pool[k]])
    kind = rng.choices(kinds, weights)[0]
    if only is not None and kind not in only:
        return None
    data, mutations = mutate(rng, kind, rng.choice(pool[kind]))
    return kind, data, mutations


def fuzz(
    start: int,
    count: int,
    *,
    seed: int,
    limit: float,
    kill_after: float,
    out: Path | None,
    progress: int = 0,
    only: frozenset[str] | None = None,
) -> Report:
    import tempfile

    pool = seeds()
    report = Report()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="imr-fuzz-") as scratch:
        current = Worker(Path(scratch))
        # load the parser, the engine and the packet reader before timing anything
        for kind in ("letter", "case", "packet"):
            current.run(kind, pool[kind][0], 600)
        try:
            for index in range(start, start + count):
                drawn = draw(index, seed, pool, only)
                if drawn is None:
                    continue  # another kind: not run, not counted
                kind, data, mutations = drawn
                outcome, seconds, cpu, maxrss_kb, detail = current.run(kind, data, kill_after)
                report.inputs += 1
                report.by_kind[kind] = report.by_kind.get(kind, 0) + 1
                report.seconds_by_kind[kind] = report.seconds_by_kind.get(kind, 0.0) + seconds
                report.slowest_seconds = max(report.slowest_seconds, seconds)
                report.slowest_cpu_seconds = max(report.slowest_cpu_seconds, cpu)
                report.peak_memory_mb = max(report.peak_memory_mb, maxrss_kb / 1024)
                note = {
                    "index": index,
                    "kind": kind,
                    "mutations": mutations,
                    "bytes": len(data),
                    "seconds": round(seconds, 2),
                    "cpu_seconds": round(cpu, 2),
                }
                if outcome == "refused":
                    report.refused += 1
                if outcome in ("crash", "timeout"):
                    report.crashes.append({**note, "error": detail or outcome}) if outcome == "crash" else None
                    report.timeouts += outcome == "timeout"
                    _keep(out, index, kind, data)
                    current.stop()  # a worker that crashed or hung is not trusted with the next input
                    current = Worker(Path(scratch))
                report.over_limit_wall += seconds > limit
                if cpu > limit or outcome == "timeout":
                    report.over_limit.append(note)
                    _keep(out, index, kind, data)
                if progress and report.inputs % progress == 0:
                    report.seconds = time.perf_counter() - started
                    # where to resume (--start) if the run is stopped, with the figures so far
                    print(f"through input {index:,}: {json.dumps(report.summary(brief=True))}", file=sys.stderr, flush=True)
        finally:
            current.stop()
            report.seconds = time.perf_counter() - started
    return report


def _keep(out: Path | None, index: int, kind: str, data: bytes) -> None:
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{index:06d}-{kind}.{SUFFIX[kind]}").write_bytes(data)


def merge(paths: list[Path]) -> dict:
    """The figures of several shards' --json reports as one run's."""
    total: dict = {"shards": len(paths)}
    for path in paths:
        shard = json.loads(path.read_text())
        for key, value in shard.items():
            if key in ("slowest_seconds", "slowest_cpu_seconds", "peak_memory_mb"):
                total[key] = max(total.get(key, 0), value)
            elif isinstance(value, dict):
                into = total.setdefault(key, {})
                for kind, count in value.items():
                    into[kind] = round(into.get(kind, 0) + count, 1)
            elif isinstance(value, list):
                total.setdefault(key, []).extend(value)
            else:
                total[key] = round(total.get(key, 0) + value, 1)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--start", type=int, default=0, help="number of the first input (default 0)")
    parser.add_argument("--count", "--n", type=int, default=100_000, help="inputs to run (default 100,000)")
    parser.add_argument("--seed", type=int, default=15, help="random seed (the same seed gives the same inputs)")
    parser.add_argument(
        "--limit", type=float, default=5.0, help="CPU seconds over which a run counts as slow (the wall clock is reported beside)"
    )
    parser.add_argument("--kill-after", type=float, default=60.0, help="seconds after which a run is killed (a timeout)")
    parser.add_argument("--out", type=Path, default=None, help="keep every crashing or slow input in this folder")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--progress", type=int, default=0, metavar="N", help="every N inputs, the figures so far on stderr")
    parser.add_argument("--merge", type=Path, nargs="+", metavar="JSON", help="add up the --json reports of shards; run nothing")
    parser.add_argument(
        "--kind",
        action="append",
        choices=sorted(WEIGHTS),
        help="run only the inputs of this kind (repeatable): of the --count numbers from --start, the others are skipped",
    )
    args = parser.parse_args()
    if args.merge:
        print(json.dumps(merge(args.merge), indent=2))
        return
    report = fuzz(
        args.start,
        args.count,
        seed=args.seed,
        limit=args.limit,
        kill_after=args.kill_after,
        out=args.out,
        progress=args.progress,
        only=frozenset(args.kind) if args.kind else None,
    ).summary()
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(
        f"inputs {args.start:,} to {args.start + args.count - 1:,}: {report['inputs']:,} ({', '.join(f'{k} {v:,}' for k, v in report['by_kind'].items())}) in {report['seconds']:,.0f} s"
    )
    print(f"refused with a one-line ImrError: {report['refused_with_imr_error']:,}")
    print(
        f"crashes: {report['crashes']}   runs over {args.limit:g} s of CPU: {report['runs_over_limit']}"
        f" (over {args.limit:g} s of wall clock: {report['runs_over_limit_wall_clock']})   timeouts: {report['timeouts']}"
    )
    print(
        f"slowest run: {report['slowest_seconds']} s ({report['slowest_cpu_seconds']} s CPU)   peak worker memory: {report['peak_memory_mb']} MB"
    )
    for example in report["crash_examples"] + report["slow_examples"]:
        print(json.dumps(example))


if __name__ == "__main__":
    main()
