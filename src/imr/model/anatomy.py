"""One anatomy: canonical body parts in a hierarchy (data/anatomy.yaml), and where a finding sits.

A `Site` is where a request or a finding is: the canonical part, an optional detail as written
("L4-5", "medial meniscus") and the side. `site_relation` says whether a finding's site is in scope
of a request's site, and if not, why ("other body part", "other side"), in the words a reviewer uses.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from imr.memo import data_yaml

Side = Literal["left", "right", "bilateral"]
DATA = Path(__file__).parent / "data" / "anatomy.yaml"


SIDES: tuple[Side, ...] = ("left", "right", "bilateral")


def as_side(value: str | None) -> Side | None:
    """A side as read from text ('left', 'right', 'bilateral'); anything else is no side."""
    return next((side for side in SIDES if side == value), None)


class Site(BaseModel):
    """Where a request or a finding is: canonical part, detail as written, side."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    part: str
    detail: str | None = None
    side: Side | None = None

    def describe(self) -> str:
        words = [self.side or "", self.part, f"({self.detail})" if self.detail else ""]
        return " ".join(w for w in words if w)


class Anatomy:
    """The part hierarchy, read once."""

    def __init__(
        self, parents: dict[str, str | None], refers: dict[str, tuple[str, ...]], joint_regions: tuple[frozenset[str], ...] = ()
    ) -> None:
        self.parents = parents
        self.refers = refers
        self.joint_regions = joint_regions

    @property
    def parts(self) -> frozenset[str]:
        return frozenset(self.parents)

    def lineage(self, part: str) -> tuple[str, ...]:
        """The part and every part that contains it, nearest first."""
        chain: list[str] = []
        current: str | None = part
        while current is not None and current not in chain:
            chain.append(current)
            current = self.parents.get(current)
        return tuple(chain)

    def region(self, part: str) -> str:
        return self.lineage(part)[-1]

    def contains(self, outer: str, inner: str) -> bool:
        return outer in self.lineage(inner)

    def supplying(self, limb: str) -> tuple[str, ...]:
        """The spinal regions whose nerve roots supply a limb (lower extremity -> lumbar spine)."""
        return tuple(p for p, limbs in self.refers.items() if limb in limbs and self.region(p) == "spine" and p != "spine")

    def related(self, a: str, b: str, *, referral: bool = True) -> bool:
        """Whether a finding on `b` concerns a request on `a`: same part, one inside the other, parts of one
        chapter's region, or (with `referral`) `b` in the limb that the spinal region `a` supplies."""
        if self.contains(a, b) or self.contains(b, a):
            return True
        if any(set(self.lineage(a)) & group and set(self.lineage(b)) & group for group in self.joint_regions):
            return True
        if not referral:
            return False
        # one way: a spinal (or head) request reads the limb it supplies; a knee request never reads the back
        return any(self.contains(limb, b) for p in self._referring(a) for limb in self.refers.get(p, ()))

    def _referring(self, part: str) -> tuple[str, ...]:
        # a part inherits its parents' referral up to, not including, the region: the SI joint is the
        # lumbar spine's, but the cervical spine does not reach the legs through "spine"
        chain = self.lineage(part)
        return chain if len(chain) == 1 else chain[:-1]


@cache
def anatomy() -> Anatomy:
    data = data_yaml(DATA)
    parts = data["parts"]
    parents = {name: (spec or {}).get("parent") for name, spec in parts.items()}
    unknown = {p for p in parents.values() if p is not None and p not in parents}
    if unknown:
        raise ValueError(f"anatomy.yaml: unknown parent(s) {sorted(unknown)}")
    refers = {name: tuple((spec or {}).get("refers_to") or ()) for name, spec in parts.items()}
    groups = tuple(frozenset(group) for group in data.get("joint_regions") or ())
    unknown |= {p for group in groups for p in group if p not in parents}
    if unknown:
        raise ValueError(f"anatomy.yaml: unknown part(s) {sorted(unknown)}")
    return Anatomy(parents, refers, groups)


def is_part(name: str) -> bool:
    return name in anatomy().parents


def site_relation(request: Site | None, finding: Site | None, *, referral: bool = True) -> str | None:
    """None when the finding is in scope of the request; else the reason it is set aside.

    `referral` lets a neurological finding of a limb count for the spinal region that supplies it (and
    back); care, imaging and surgery of the knee never count for the lumbar spine.
    A finding with no site, or a request with none (a drug, a whole-person service), is in scope: the
    caller weighs an unlocated finding by itself. Sides differ only when both are stated and neither
    is bilateral."""
    if request is None or finding is None:
        return None
    book = anatomy()
    if (
        request.part in book.parents
        and finding.part in book.parents
        and not book.related(request.part, finding.part, referral=referral)
    ):
        return f"other body part ({finding.part})"
    if request.side and finding.side and "bilateral" not in (request.side, finding.side) and request.side != finding.side:
        return f"other side ({finding.side})"
    return None
