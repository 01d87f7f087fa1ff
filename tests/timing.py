"""Timing a text path on a pathological input, in a subprocess: a super-linear path is a test failure
after a time bound, never a frozen test run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


def seconds_to_run(setup: str, timed: str, *, limit: float = 300.0) -> float:
    """CPU seconds `timed` takes after `setup` (both Python source), run in a fresh interpreter: CPU
    time, so that other work on the machine does not count; fails the test if the whole run passes
    `limit` seconds of wall time."""
    code = f"import time\n{setup}\nstarted = time.process_time()\n{timed}\nprint(time.process_time() - started)\n"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}
    try:
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=limit)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"still running after {limit:.0f} s: not linear") from None
    assert done.returncode == 0, done.stderr[-2000:]
    return float(done.stdout.strip().splitlines()[-1])


def assert_linear(
    setup: str, timed: str, *, small: int = 100_000, large: int = 1_000_000, bound: float = 60.0
) -> tuple[float, float]:
    """`timed` (which reads `SIZE`) on `small` and `large` inputs: 10 times the input may take at most
    ~25 times as long (a quadratic path takes 100 times), and the large one at most `bound` seconds."""
    short = seconds_to_run(f"SIZE = {small}\n{setup}", timed)
    long = seconds_to_run(f"SIZE = {large}\n{setup}", timed)
    assert long < bound, f"{large:,} characters took {long:.1f} s"
    assert long < 25 * max(short, 0.05), f"{small:,} -> {short:.2f} s, {large:,} -> {long:.2f} s: grows faster than the input"
    return short, long
