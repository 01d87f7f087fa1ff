"""What the MTUS Drug Formulary says about a drug request, in the recommendation's words.

From January 1, 2018 every drug recommendation says the drug's formulary status (from
`imr.drugs.formulary`), the Drug List version in force (the guideline sources), what the formulary
requires for this prescription and whether the request shows it. A requirement the record does not
meet (a compound's or a brand's documented patient-specific reason) is added to what is missing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from imr.drugs.formulary import Dispensing, FormularyFinding, assess
from imr.memo import pattern as _kept_pattern

if TYPE_CHECKING:
    from imr.casefile import CaseFile
    from imr.guidelines import RuleBook
    from imr.model import DisputedItem

_TOPICAL_WORDS = _kept_pattern(r"\b(?:cream|gel|ointment|lotion|compound(?:ed)?|topical|transdermal cream)\b", re.I)
# Searched over every record: each opens with a look-ahead for the letters its alternatives start with,
# so that the alternatives are tried only there (a third less time over a long record, same matches).
_COMPOUND_REASON = _kept_pattern(
    r"(?=fda|com|can|una|ora|int)"
    r"(?:\b(?:fda[- ]approved|commercially available)\b|(?:cannot|unable to) tolerate oral|oral (?:medications? )?(?:are |is )?not tolerated|intoleran\w* (?:of|to) oral)",
    re.I,
)
# a brand name in a request is usually shorthand; the rule of 9792.27.7 is for a brand ordered as such
_BRAND_ONLY = _kept_pattern(r"\b(?:brand(?:[- ]name)?(?: only)?|daw|dispense as written|do not substitute|no generic)\b", re.I)
_BRAND_REASON = _kept_pattern(
    r"(?=bra|gen|all|int|rea)"
    r"(?:\bbrand(?:[- ]name)? (?:\w+ ){0,2}medically necessary\b|generic\w* (?:\w+ ){0,4}(?:failed|not tolerated|caused|ineffective)|(?:allergic|allergy|intoleran\w*|reaction) to (?:the )?generic)",
    re.I,
)
_STATUS_WORDS = {
    "exempt": "Exempt",
    "non-exempt": "Non-Exempt",
    "unlisted": "Unlisted",
    "unknown": "of a status imr does not know",
}


@dataclass
class FormularyRemark:
    text: str
    missing: list[str] = field(default_factory=list)
    finding: FormularyFinding | None = None


def drug_list_in_force(book: RuleBook, on: dt.date) -> str | None:
    versions = [s for s in book.sources.values() if s.chapter == "MTUS Drug Formulary" and s.in_force(on)]
    return versions[0].title if versions else None


def _is_compound(item: DisputedItem) -> bool:
    return "/" in (item.generic or "") and bool(_TOPICAL_WORDS.search(item.text)) or "compound" in item.text.lower()


def _brand_requested(item: DisputedItem) -> bool:
    named = bool(item.brand) and bool(item.generic) and (item.brand or "").lower() != (item.generic or "").lower()
    return named and bool(_BRAND_ONLY.search(item.text))


def formulary_remark(
    item: DisputedItem, on: dt.date | None, case: CaseFile, book: RuleBook, quantities: dict[str, Any]
) -> FormularyRemark | None:
    """The formulary paragraph of a drug recommendation (None before 2018 or for a non-drug item)."""
    if item.kind != "drug" or on is None:
        return None
    texts = [item.text] + [r.text for r in case.records]
    dispensing = Dispensing(
        on=on,
        injury_date=case.injury_date,
        days_supply=quantities.get("days_supply"),
        compounded=_is_compound(item),
        compound_necessity_documented=any(_COMPOUND_REASON.search(t) for t in texts),
        brand_requested=_brand_requested(item),
        brand_reason_documented=any(_BRAND_REASON.search(t) for t in texts),
    )
    finding = assess(item.generic, item.drug_class, dispensing)
    if not finding.applies:
        return None
    drug = item.generic or item.text
    version = drug_list_in_force(book, on)
    head = f"MTUS Drug Formulary ({version}, in force on {on:%B %-d, %Y})" if version else "MTUS Drug Formulary"
    if finding.route == "compounded drug":
        sentences = [f"{head}: a compounded drug always needs prospective review ({', '.join(finding.sections)})."]
    elif finding.status == "unknown":
        sentences = [
            f"{head}: the status of {drug} on the MTUS Drug List is not known to imr (the drug-by-drug list was not "
            "available); if it is Non-Exempt or Unlisted it needs prospective review, which this request received."
        ]
    elif finding.status == "exempt":
        sentences = [f"{head}: {drug} is Exempt; it needs no prospective review when prescribed in accordance with the MTUS."]
    else:
        sentences = [
            f"{head}: {drug} is {_STATUS_WORDS[finding.status]} and needs prospective review ({finding.sections[0]}), which this request received."
        ]
        if finding.status == "non-exempt":
            sentences.append(
                "A Special Fill (the single initial visit within 7 days of the injury) or a Perioperative Fill (4 days "
                "before to 4 days after surgery) would allow a limited supply without review only for a drug the Drug List flags."
            )
    missing = []
    for need in finding.requirements:
        met = need not in finding.unmet
        if need == "prescription in accordance with the MTUS":
            continue
        sentences.append(f"The formulary requires {need}: {'documented' if met else 'not documented'}.")
        if not met:
            missing.append(f"MTUS Drug Formulary: {need}")
    return FormularyRemark(text=" ".join(sentences), missing=missing, finding=finding)
