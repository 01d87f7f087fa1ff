"""How well a packet was read, against its ground truth: the case facts, the document boundaries and
kinds, and the OCR character error rate. Used by the tests and by `benchmarks/bench_packets.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from imr.packets.intake import Intake


@dataclass
class PacketScore:
    requests: bool  # every disputed item (text, basis, original/authorized) right, and nothing else
    injury_date: bool
    ur_decision_date: bool
    boundaries_found: int  # documents whose first and last page are right
    boundaries_true: int
    boundaries_read: int
    kinds_right: int  # among documents whose boundaries are right

    @property
    def key_facts(self) -> bool:
        return self.requests and self.injury_date and self.ur_decision_date


def score_packet(intake: Intake, truth: dict[str, Any]) -> PacketScore:
    case = intake.case().model_dump(mode="json", exclude_none=True)
    expected = truth["case"]
    requests = [{k: v for k, v in r.items() if v is not None} for r in expected["requests"]]
    true_spans = {(d["pages"][0], d["pages"][-1]): d["kind"] for d in truth["documents"]}
    read_spans = {(d.page_numbers[0], d.page_numbers[-1]): d.kind for d in intake.documents}
    found = set(true_spans) & set(read_spans)
    return PacketScore(
        requests=case["requests"] == requests,
        injury_date=case.get("injury_date") == expected["injury_date"],
        ur_decision_date=case.get("ur_decision_date") == expected["ur_decision_date"],
        boundaries_found=len(found),
        boundaries_true=len(true_spans),
        boundaries_read=len(read_spans),
        kinds_right=sum(true_spans[s] == read_spans[s] for s in found),
    )


def boundary_f1(scores: list[PacketScore]) -> float:
    found = sum(s.boundaries_found for s in scores)
    precision = found / max(1, sum(s.boundaries_read for s in scores))
    recall = found / max(1, sum(s.boundaries_true for s in scores))
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def kind_accuracy(scores: list[PacketScore]) -> float:
    return sum(s.kinds_right for s in scores) / max(1, sum(s.boundaries_found for s in scores))


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, one row at a time with numpy (insertions by a running minimum)."""
    if not a or not b:
        return len(a) + len(b)
    bs = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    index = np.arange(len(b) + 1)
    row = index.copy()
    for i, ch in enumerate(a, 1):
        code = ord(ch)
        substitute = row[:-1] + (bs != code)
        delete = row[1:] + 1
        best = np.empty_like(row)
        best[0] = i
        best[1:] = np.minimum(substitute, delete)
        row = np.minimum.accumulate(best - index) + index
    return int(row[-1])


def character_error_rate(read: str, truth: str) -> float:
    """Edits per character of the true text, whitespace runs counted as one space."""
    read, truth = _normal(read), _normal(truth)
    return edit_distance(read, truth) / max(1, len(truth))
