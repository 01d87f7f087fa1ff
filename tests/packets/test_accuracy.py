"""The issue's accuracy thresholds, kept as regression tests on packets of seeds 7000-7019 (typed) and
7100-7101 (300-dpi scans). Those seeds were not used to build the extractor, but a failure here is
looked into, so they are tuning seeds by the rule of docs/packets.md ("Seeds"): the figures on seeds
never looked into come from `benchmarks/bench_packets.py` on evaluation seeds (90000 and up).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from imr.packets.intake import read_packet
from imr.packets.synth.generator import make_packet, render_packet
from imr.packets.synth.scan import STYLES, scan_pdf
from imr.packets.synth.score import boundary_f1, kind_accuracy, score_packet


def _scores(tmp_path: Path, seeds: range, *, scan: str | None = None, records: int | None = None):
    scores = []
    for seed in seeds:
        packet = make_packet(seed, records=records)
        pdf = render_packet(packet)
        if scan:
            pdf = scan_pdf(pdf, STYLES[scan], seed=seed)
        path = tmp_path / f"packet-{seed}.pdf"
        path.write_bytes(pdf)
        scores.append(score_packet(read_packet([path]), packet.truth(path.name)))
    return scores


def test_typed_packets_meet_the_thresholds(tmp_path: Path) -> None:
    scores = _scores(tmp_path, range(7000, 7020))
    assert sum(s.key_facts for s in scores) / len(scores) >= 0.98
    assert boundary_f1(scores) >= 0.95
    assert kind_accuracy(scores) >= 0.95


@pytest.mark.slow
def test_300_dpi_scans_meet_the_thresholds(tmp_path: Path) -> None:
    scores = _scores(tmp_path, range(7100, 7102), scan="skewed300", records=1)
    assert all(s.key_facts for s in scores)
    assert boundary_f1(scores) >= 0.95
    assert kind_accuracy(scores) >= 0.95
