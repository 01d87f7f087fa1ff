"""`imr eval`: re-decide published letters from their summaries and measure agreement.

Each letter becomes a case through `case_from_letter` (summary, item texts, claims-administrator basis:
never the outcome, reviewer basis or rationale); the engine decides it; its outcomes and citations are
compared with the published ones. Every agreement figure is shown beside the always-Upheld baseline
(most IMR decisions uphold the denial, so a useful engine has to beat that, and above all catch the
overturned items).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from imr.errors import ImrError
from imr.letters import LETTER_SUFFIXES
from imr.guidelines import RuleBook, load_rulebook
from imr.model import Determination, GuidelineCitation
from imr.review.engine import decision_path, review_case_with_notes
from imr.review.from_letter import case_from_letter
from imr.review.split import half_of

NO_CITATION = "(no citation)"


@dataclass
class ItemResult:
    letter: str
    case_number: str | None
    item: str
    kind: str
    chapter: str
    published: str | None
    engine: str | None
    confidence: float | None
    published_sources: list[str]
    engine_sources: list[str]
    published_pages: list[int]
    engine_pages: list[int]
    same_chapter: bool | None
    pages_overlap: bool | None
    abstain_reason: str | None = None
    missing: list[str] = field(default_factory=list)
    half: str = "-"
    path: str = "abstain"  # how the engine reached its recommendation (data/confidence.yaml)

    @property
    def confidence_band(self) -> str:
        """Bands for checking that confidence means something: agreement should rise with it."""
        if self.confidence is None or self.engine is None:
            return "abstain"
        for low, high in ((0.85, 1.0), (0.7, 0.85), (0.5, 0.7)):
            if self.confidence >= low:
                return f"{low:.2f}-{high:.2f}"
        return "0.00-0.50"

    @property
    def agrees(self) -> bool:
        return self.engine is not None and self.engine == self.published


@dataclass
class Figures:
    items: int = 0
    decided: int = 0
    abstains: int = 0
    agree: int = 0
    baseline_agree: int = 0  # always-Upheld, over the same items
    published_overturned: int = 0
    engine_overturned: int = 0
    overturned_agree: int = 0  # engine and reviewer both Overturned
    confidence_sum: float = 0.0  # over decided items: mean confidence beside observed agreement

    def add(self, r: ItemResult) -> None:
        self.items += 1
        self.baseline_agree += r.published == "Upheld"
        self.published_overturned += r.published == "Overturned"
        if r.engine is None:
            self.abstains += 1
            return
        self.decided += 1
        self.agree += r.agrees
        self.engine_overturned += r.engine == "Overturned"
        self.overturned_agree += r.engine == "Overturned" and r.published == "Overturned"
        self.confidence_sum += r.confidence or 0.0

    def as_dict(self) -> dict[str, Any]:
        ratio = lambda a, b: round(a / b, 3) if b else None  # noqa: E731
        return {
            **asdict(self),
            "agreement": ratio(self.agree, self.items),
            "agreement_when_decided": ratio(self.agree, self.decided),
            "baseline_agreement": ratio(self.baseline_agree, self.items),
            "overturned_precision": ratio(self.overturned_agree, self.engine_overturned),
            "overturned_recall": ratio(self.overturned_agree, self.published_overturned),
            "abstain_rate": ratio(self.abstains, self.items),
            "mean_confidence": ratio(self.confidence_sum, self.decided),
        }


@dataclass
class EvalReport:
    results: list[ItemResult] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)

    def overall(self) -> Figures:
        figures = Figures()
        for r in self.results:
            figures.add(r)
        return figures

    def grouped(self, key: str) -> dict[str, Figures]:
        groups: dict[str, Figures] = defaultdict(Figures)
        for r in self.results:
            groups[getattr(r, key)].add(r)
        return dict(sorted(groups.items()))

    def confusion(self) -> dict[str, dict[str, int]]:
        counts: Counter[tuple[str, str]] = Counter((str(r.published), str(r.engine or "abstain")) for r in self.results)
        rows = ("Upheld", "Overturned")
        cols = ("Upheld", "Overturned", "abstain")
        return {p: {e: counts[(p, e)] for e in cols} for p in rows}

    def overturned(self) -> dict[str, int]:
        over = [r for r in self.results if r.published == "Overturned"]
        return {
            "published": len(over),
            "caught": sum(r.engine == "Overturned" for r in over),
            "missed": sum(r.engine == "Upheld" for r in over),
            "abstained": sum(r.engine is None for r in over),
        }

    def citations(self) -> dict[str, Any]:
        judged = [r for r in self.results if r.engine is not None and r.published_sources]
        paged = [r for r in judged if r.published_pages]
        return {
            "items_with_published_citation": len(judged),
            "same_chapter": sum(bool(r.same_chapter) for r in judged),
            "items_with_published_pages": len(paged),
            "pages_overlap": sum(bool(r.pages_overlap) for r in paged),
        }

    def misses(self) -> list[ItemResult]:
        return [r for r in self.results if r.engine is not None and not r.agrees]

    def to_json(self) -> dict[str, Any]:
        return {
            "overall": self.overall().as_dict(),
            "by_kind": {k: f.as_dict() for k, f in self.grouped("kind").items()},
            "by_chapter": {k: f.as_dict() for k, f in self.grouped("chapter").items()},
            "by_confidence": {k: f.as_dict() for k, f in self.grouped("confidence_band").items()},
            "by_half": {k: f.as_dict() for k, f in self.grouped("half").items()},
            "by_path": {k: f.as_dict() for k, f in self.grouped("path").items()},
            "confusion": self.confusion(),
            "overturned": self.overturned(),
            "citations": self.citations(),
            "abstains": [
                {"letter": r.letter, "item": r.item, "reason": r.abstain_reason} for r in self.results if r.engine is None
            ],
            "misses": [
                {
                    "letter": r.letter,
                    "item": r.item,
                    "published": r.published,
                    "engine": r.engine,
                    "confidence": r.confidence,
                    "missing": r.missing,
                }
                for r in self.misses()
            ],
            "unreadable": [{"letter": p, "error": e} for p, e in self.unreadable],
        }


def _norm(source: str) -> str:
    text = re.sub(r"\b(19|20)\d\d\b", "", source.lower())
    text = re.sub(r"\b(guidelines?|medical|treatment|citation|non-mtus|the)\b", " ", text)
    return " ".join(re.findall(r"[a-z]+", text))


def chapter_of(citation: GuidelineCitation, book: RuleBook) -> str:
    """The guideline chapter a letter's citation names, matched against the known editions."""
    wanted = _norm(citation.source)
    best = None
    for source in book.sources.values():
        for name in (source.cite_as, source.title):
            norm = _norm(name)
            if norm and (norm in wanted or wanted in norm) and (best is None or len(norm) > best[0]):
                best = (len(norm), source.chapter or source.title)
    if best:
        return best[1]
    if not citation.mtus:
        return "Non-MTUS (other)"
    return citation.source


def _published_chapter(citations: list[GuidelineCitation], book: RuleBook) -> str:
    return chapter_of(citations[0], book) if citations else NO_CITATION


def _parse(letter: Path | Determination) -> tuple[str, Determination]:
    if isinstance(letter, Determination):
        return (letter.case.case_number or "letter"), letter
    from imr.letters.parse import parse_letter

    return str(letter), parse_letter(Path(letter))


def evaluate(letters: Iterable[Path | str | Determination], *, rulebook: RuleBook | None = None) -> EvalReport:
    book = rulebook or load_rulebook()
    report = EvalReport()
    for letter in letters:
        name = str(letter) if not isinstance(letter, Determination) else None
        try:
            name, published = _parse(Path(letter) if isinstance(letter, str) else letter)
            case = case_from_letter(published, source=name)
            decided, notes = review_case_with_notes(case, rulebook=book)
        except ImrError as error:
            report.unreadable.append((name or "letter", str(error)))
            continue
        for theirs, ours, note in zip(published.issues, decided.issues, notes, strict=True):
            published_pages = sorted({p for c in theirs.reviewer_basis for p in c.pages})
            engine_pages = sorted({p for c in ours.reviewer_basis for p in c.pages})
            published_chapter = _published_chapter(theirs.reviewer_basis, book)
            engine_chapters = {chapter_of(c, book) for c in ours.reviewer_basis}
            report.results.append(
                ItemResult(
                    letter=name,
                    case_number=published.case.case_number,
                    item=theirs.item.text,
                    kind=ours.item.kind,
                    chapter=published_chapter,
                    published=theirs.outcome,
                    engine=ours.outcome,
                    confidence=ours.confidence,
                    published_sources=[c.source for c in theirs.reviewer_basis],
                    engine_sources=[c.source for c in ours.reviewer_basis],
                    published_pages=published_pages,
                    engine_pages=engine_pages,
                    same_chapter=(published_chapter in engine_chapters)
                    if theirs.reviewer_basis and ours.reviewer_basis
                    else None,
                    pages_overlap=bool(set(published_pages) & set(engine_pages)) if published_pages else None,
                    abstain_reason=ours.abstain_reason,
                    missing=list(ours.missing or []),
                    half=half_of(published.case.case_number) if published.case.case_number else "-",
                    path=decision_path(note) or "abstain",
                )
            )
    return report


def expand(paths: Iterable[str | Path]) -> list[Path]:
    """Letters named on the command line: files, and every .txt/.pdf in a directory and its subfolders."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in LETTER_SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.exists():
            found.append(path)
        else:
            raise ImrError(f"{path}: no such letter or directory")
    return found


def format_table(report: EvalReport) -> str:
    """The report as plain-text tables (each figure beside the always-Upheld baseline)."""
    lines: list[str] = []

    def figures_table(title: str, groups: dict[str, Figures]) -> None:
        lines.append(title)
        lines.append(
            f"  {'group':40} {'items':>5} {'agree':>5} {'abst':>4} {'engine%':>7} {'upheld%':>7}"
            f" {'ovt':>4} {'said':>4} {'right':>5} {'prec%':>6} {'recall%':>7} {'conf':>5}"
        )
        for name, f in groups.items():
            d = f.as_dict()
            pct = lambda v: "-" if v is None else f"{100 * v:.1f}"  # noqa: E731
            conf = "-" if d["mean_confidence"] is None else f"{d['mean_confidence']:.2f}"
            lines.append(
                f"  {name[:40]:40} {f.items:>5} {f.agree:>5} {f.abstains:>4} {pct(d['agreement']):>7} {pct(d['baseline_agreement']):>7}"
                f" {f.published_overturned:>4} {f.engine_overturned:>4} {f.overturned_agree:>5}"
                f" {pct(d['overturned_precision']):>6} {pct(d['overturned_recall']):>7} {conf:>5}"
            )
        lines.append("")

    lines.append(
        "Columns: engine% agreement, upheld% the always-Upheld baseline over the same items; ovt published Overturned,"
        " said engine Overturned, right both; prec%/recall% of Overturned; conf the mean confidence of decided items"
        " (calibration: it should sit near engine% in each confidence band).\n"
    )
    figures_table("Agreement with the published outcomes", {"all items": report.overall()})
    if len(report.grouped("half")) > 1:
        figures_table("By half of the published letters (the fixed development/validation split)", report.grouped("half"))
    figures_table("By item kind", report.grouped("kind"))
    figures_table("By guideline chapter the reviewer cited", report.grouped("chapter"))
    figures_table("Calibration: by the engine's confidence", report.grouped("confidence_band"))
    figures_table("By how the recommendation was reached (the calibration table's keys)", report.grouped("path"))
    lines.append("Confusion (rows: published, columns: engine)")
    lines.append(f"  {'':12} {'Upheld':>8} {'Overturned':>11} {'abstain':>8}")
    for row, cols in report.confusion().items():
        lines.append(f"  {row:12} {cols['Upheld']:>8} {cols['Overturned']:>11} {cols['abstain']:>8}")
    o = report.overturned()
    lines.append(
        f"\nOverturned items: {o['published']} published, {o['caught']} caught, {o['missed']} missed, {o['abstained']} abstained"
    )
    c = report.citations()
    lines.append(
        f"Citations: same chapter as the reviewer in {c['same_chapter']}/{c['items_with_published_citation']}; "
        f"pages overlap in {c['pages_overlap']}/{c['items_with_published_pages']}"
    )
    if report.unreadable:
        lines.append(f"Unreadable letters: {len(report.unreadable)}")
        lines += [f"  {p}: {e}" for p, e in report.unreadable]
    misses = report.misses()
    if misses:
        lines.append(f"\nMisses ({len(misses)})")
        for r in misses:
            lines.append(
                f"  {Path(r.letter).name}: {r.item[:60]!r} published {r.published}, engine {r.engine} (confidence {r.confidence})"
            )
    abstains = [r for r in report.results if r.engine is None]
    if abstains:
        lines.append(f"\nAbstains ({len(abstains)})")
        for r in abstains:
            lines.append(f"  {Path(r.letter).name}: {r.item[:60]!r}: {r.abstain_reason}")
    return "\n".join(lines)
