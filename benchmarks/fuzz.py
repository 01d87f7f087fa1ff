"""Fuzz the readers of untrusted input: letters (text and PDF) and case files (read, then reviewed).

Each input is a real seed (the bundled example letters and case files) with a few random mutations:
long runs of spaces, dots, newlines or one long word, a repeated or deleted chunk, control characters,
NUL bytes, truncation, YAML anchors and aliases, deep nesting, wrong scalar types. Every input runs
in a worker process under a time limit; the figures are the inputs run, the crashes (any exception
other than imr's own `ImrError`, a one-line refusal), the runs over the slow limit, the timeouts
(killed), and the workers' peak memory (each worker's address space is capped, so a runaway
allocation is a MemoryError, a crash, not a frozen machine).

    python benchmarks/fuzz.py                 # 100,000 inputs (hours on one core)
    python benchmarks/fuzz.py --n 3000        # a few thousand, for a figure in minutes
    python benchmarks/fuzz.py --n 200 --json  # what the test runs
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
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
# Kinds of input and how often each is drawn; PDFs are slow to read, so fewer of them.
WEIGHTS = {"letter": 0.5, "case": 0.45, "pdf": 0.05}
MEMORY_CAP = 2 * 1024**3


# ---------------------------------------------------------------- seeds and mutations


def seeds() -> dict[str, list[bytes]]:
    letters = sorted({*EXAMPLE_LETTERS.glob("*.txt"), *SEED_LETTERS.glob("*.txt"), *SYNTHETIC_LETTERS.glob("*.txt")})
    cases = sorted({*EXAMPLE_CASES.glob("*.yaml"), EXAMPLE_SERVICE / "case.yaml"})
    pdfs = sorted(EXAMPLE_LETTERS.glob("*.pdf"))
    return {
        "letter": [p.read_bytes() for p in letters],
        "case": [p.read_bytes() for p in cases],
        "pdf": [p.read_bytes() for p in pdfs],
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


def run_one(kind: str, data: bytes) -> None:
    """Read (and for a case file, review) one input the way imr reads a user's file."""
    if kind in ("letter", "pdf"):
        from imr.letters.parse import parse_letter_bytes

        parse_letter_bytes(data, source="fuzzed letter")
        return
    from imr.casefile import parse_case
    from imr.errors import CaseFileError
    from imr.review import review_case
    from imr.userdata import load_user_yaml

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise CaseFileError("fuzzed case: not UTF-8") from None
    review_case(parse_case(load_user_yaml(text, source="fuzzed case", error=CaseFileError), source="fuzzed case"))


def worker(connection: Connection) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))
    from imr.errors import ImrError

    sys.setrecursionlimit(5000)
    while True:
        message = connection.recv()
        if message is None:
            return
        kind, data = message
        started = time.perf_counter()
        try:
            run_one(kind, data)
            outcome, detail = "ok", ""
        except ImrError:
            outcome, detail = "refused", ""
        except BaseException as error:  # noqa: BLE001 - a crash is what the fuzzer is looking for
            outcome = "crash"
            detail = f"{error.__class__.__name__}: {str(error)[:200]}\n{''.join(traceback.format_tb(error.__traceback__)[-3:])}"
        seconds = time.perf_counter() - started
        connection.send((outcome, seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, detail))


class Worker:
    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.connection, theirs = context.Pipe()
        self.process = context.Process(target=worker, args=(theirs,), daemon=True)
        self.process.start()

    def run(self, kind: str, data: bytes, kill_after: float) -> tuple[str, float, int, str]:
        self.connection.send((kind, data))
        if not self.connection.poll(kill_after):
            return "timeout", kill_after, 0, ""
        try:
            return self.connection.recv()
        except EOFError:
            return "crash", 0.0, 0, f"worker died (exit {self.process.exitcode})"

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()


# ---------------------------------------------------------------- the run


@dataclass
class Report:
    inputs: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    refused: int = 0
    crashes: list[dict] = field(default_factory=list)
    over_limit: list[dict] = field(default_factory=list)
    timeouts: int = 0
    slowest_seconds: float = 0.0
    peak_memory_mb: float = 0.0
    seconds: float = 0.0

    def summary(self) -> dict:
        return {
            "inputs": self.inputs,
            "by_kind": self.by_kind,
            "refused_with_imr_error": self.refused,
            "crashes": len(self.crashes),
            "runs_over_limit": len(self.over_limit),
            "timeouts": self.timeouts,
            "slowest_seconds": round(self.slowest_seconds, 2),
            "peak_memory_mb": round(self.peak_memory_mb, 1),
            "seconds": round(self.seconds, 1),
            "crash_examples": self.crashes[:5],
            "slow_examples": self.over_limit[:5],
        }


def fuzz(n: int, *, seed: int, limit: float, kill_after: float, out: Path | None) -> Report:
    rng = random.Random(seed)
    pool = seeds()
    kinds, weights = zip(*[(k, w) for k, w in WEIGHTS.items() if pool[k]])
    report = Report()
    started = time.perf_counter()
    current = Worker()
    current.run("letter", pool["letter"][0], 600)  # load the parser and the engine before timing anything
    current.run("case", pool["case"][0], 600)
    try:
        for index in range(n):
            kind = rng.choices(kinds, weights)[0]
            data, mutations = mutate(rng, kind, rng.choice(pool[kind]))
            outcome, seconds, maxrss_kb, detail = current.run(kind, data, kill_after)
            report.inputs += 1
            report.by_kind[kind] = report.by_kind.get(kind, 0) + 1
            report.slowest_seconds = max(report.slowest_seconds, seconds)
            report.peak_memory_mb = max(report.peak_memory_mb, maxrss_kb / 1024)
            note = {"index": index, "kind": kind, "mutations": mutations, "bytes": len(data), "seconds": round(seconds, 2)}
            if outcome == "refused":
                report.refused += 1
            if outcome in ("crash", "timeout"):
                report.crashes.append({**note, "error": detail or outcome}) if outcome == "crash" else None
                report.timeouts += outcome == "timeout"
                _keep(out, index, kind, data)
                current.stop()  # a worker that crashed or hung is not trusted with the next input
                current = Worker()
            if seconds > limit or outcome == "timeout":
                report.over_limit.append(note)
                _keep(out, index, kind, data)
    finally:
        current.stop()
        report.seconds = time.perf_counter() - started
    return report


def _keep(out: Path | None, index: int, kind: str, data: bytes) -> None:
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{index:06d}.{ {'letter': 'txt', 'case': 'yaml', 'pdf': 'pdf'}[kind] }").write_bytes(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="inputs to run (default 100,000)")
    parser.add_argument("--seed", type=int, default=15, help="random seed (the same seed gives the same inputs)")
    parser.add_argument("--limit", type=float, default=5.0, help="seconds over which a run counts as slow")
    parser.add_argument("--kill-after", type=float, default=60.0, help="seconds after which a run is killed (a timeout)")
    parser.add_argument("--out", type=Path, default=None, help="keep every crashing or slow input in this folder")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    report = fuzz(args.n, seed=args.seed, limit=args.limit, kill_after=args.kill_after, out=args.out).summary()
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(
        f"inputs {report['inputs']:,} ({', '.join(f'{k} {v:,}' for k, v in report['by_kind'].items())}) in {report['seconds']:,.0f} s"
    )
    print(f"refused with a one-line ImrError: {report['refused_with_imr_error']:,}")
    print(
        f"crashes: {report['crashes']}   runs over {args.limit:g} s: {report['runs_over_limit']}   timeouts: {report['timeouts']}"
    )
    print(f"slowest run: {report['slowest_seconds']} s   peak worker memory: {report['peak_memory_mb']} MB")
    for example in report["crash_examples"] + report["slow_examples"]:
        print(json.dumps(example))


if __name__ == "__main__":
    main()
