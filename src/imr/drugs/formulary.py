"""The MTUS Drug Formulary (8 CCR 9792.27.1 ff.): a drug's status and what the formulary requires.

`status_of(generic, drug_class, on)` gives the drug's status on a date from `data/formulary.yaml`
(Exempt / Non-Exempt / Unlisted where a public source states it, "unknown" otherwise).
`assess(drug, dispensing)` applies the formulary's rules to one prescription:

- Exempt drugs need no prospective review when prescribed in accordance with the MTUS (9792.27.10),
  but a brand-name drug ordered over an available generic needs a documented patient-specific reason
  and prospective review (9792.27.7), and an off-label use the MTUS does not recommend needs review
  (9792.27.5);
- Non-Exempt drugs need prospective review, except a Special Fill (a drug the list flags, prescribed at
  the single initial treatment visit within 7 days of the injury, the day after the injury being day
  one, for no more than the listed supply; 9792.27.12) or a Perioperative Fill (from 4 days before to
  4 days after surgery, the day of surgery being day zero, for no more than the listed supply;
  9792.27.13);
- Unlisted drugs need prospective review (9792.27.10);
- compounded drugs always need prospective review and documented patient-specific medical necessity
  over FDA-approved or OTC-monograph alternatives, whatever their ingredients (9792.27.9).

The formulary applies to outpatient drugs dispensed on or after January 1, 2018 (9792.27.2).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from imr.errors import ImrError
from imr.memo import data_yaml

FORMULARY_FILE = Path(__file__).parent / "data" / "formulary.yaml"
SPECIAL_FILL_DAYS_AFTER_INJURY = 7  # 8 CCR 9792.27.12(a)(1)
PERIOPERATIVE_WINDOW_DAYS = 4  # 8 CCR 9792.27.13(a)(1): 4 days before to 4 days after, surgery = day 0

Status = Literal["exempt", "non-exempt", "unlisted", "unknown"]


class FormularyError(ImrError):
    """The formulary data file is invalid."""


class FormularyEntry(BaseModel):
    """One row of what imr knows of the MTUS Drug List."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    generic: str | None = None
    drug_class: str | None = Field(default=None, alias="class")
    status: Literal["exempt", "non-exempt", "unlisted"]
    from_: dt.date = Field(alias="from")
    to: dt.date | None = None
    special_fill_days: int | None = None
    perioperative_fill_days: int | None = None
    source: str
    note: str | None = None

    def holds_on(self, on: dt.date) -> bool:
        return self.from_ <= on and (self.to is None or on <= self.to)


class Formulary(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    formulary_from: dt.date
    entries: list[FormularyEntry]


@lru_cache(maxsize=2)
def load_formulary(path: Path = FORMULARY_FILE) -> Formulary:
    try:
        data = data_yaml(path)
        formulary = Formulary.model_validate(data)
    except (OSError, yaml.YAMLError) as error:
        raise FormularyError(f"{path}: cannot read the formulary ({error.__class__.__name__})") from None
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise FormularyError(f"{path}: invalid field {where}: {first['msg']}") from None
    for index, entry in enumerate(formulary.entries):
        if (entry.generic is None) == (entry.drug_class is None):
            raise FormularyError(f"{path}: entries[{index}]: give exactly one of 'generic' or 'class'")
    return formulary


@dataclass(frozen=True)
class DrugStatus:
    status: Status
    entry: FormularyEntry | None = None


def status_of(generic: str | None, drug_class: str | None, on: dt.date, formulary: Formulary | None = None) -> DrugStatus:
    """The drug's formulary status on `on`: an entry for the generic wins over one for its class."""
    formulary = formulary or load_formulary()
    wanted = (generic or "").lower()
    by_generic = [e for e in formulary.entries if e.generic and e.generic.lower() == wanted and e.holds_on(on)]
    by_class = [
        e for e in formulary.entries if e.drug_class and e.drug_class.lower() == (drug_class or "").lower() and e.holds_on(on)
    ]
    for found in (by_generic, by_class):
        if found:
            return DrugStatus(found[0].status, found[0])
    return DrugStatus("unknown")


@dataclass(frozen=True)
class Dispensing:
    """One prescription as the formulary sees it (None: the record does not say)."""

    on: dt.date
    injury_date: dt.date | None = None
    initial_visit: bool | None = None
    surgery_date: dt.date | None = None
    days_supply: float | None = None
    compounded: bool = False
    compound_necessity_documented: bool = False
    brand_requested: bool = False
    generic_available: bool | None = None
    brand_reason_documented: bool = False
    off_label: bool = False
    mtus_recommends_use: bool | None = None


@dataclass
class FormularyFinding:
    """What the formulary requires for a prescription and whether the request shows it."""

    applies: bool
    status: Status = "unknown"
    prospective_review: bool | None = None  # None: depends on a status imr does not know
    route: str = ""
    requirements: list[str] = field(default_factory=list)
    unmet: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)


def in_special_fill_window(injury_date: dt.date, on: dt.date) -> bool:
    """Prescribed within 7 days of the injury (the day after the injury is day one)."""
    return 0 <= (on - injury_date).days <= SPECIAL_FILL_DAYS_AFTER_INJURY


def in_perioperative_window(surgery_date: dt.date, on: dt.date) -> bool:
    """From 4 days before to 4 days after the surgery (the day of surgery is day zero)."""
    return abs((on - surgery_date).days) <= PERIOPERATIVE_WINDOW_DAYS


def _within(supply: float | None, limit: int | None) -> bool:
    return supply is not None and limit is not None and supply <= limit


def assess(
    generic: str | None, drug_class: str | None, dispensing: Dispensing, formulary: Formulary | None = None
) -> FormularyFinding:
    formulary = formulary or load_formulary()
    if dispensing.on < formulary.formulary_from:
        return FormularyFinding(applies=False)
    finding = FormularyFinding(applies=True)
    if dispensing.compounded:
        finding.status = "unlisted"  # the regulation keeps compounds apart from "unlisted"; the route is the same
        finding.prospective_review = True
        finding.route = "compounded drug"
        finding.sections.append("8 CCR 9792.27.9")
        need = "documented patient-specific medical necessity for the compound over FDA-approved or OTC-monograph alternatives"
        finding.requirements.append(need)
        if not dispensing.compound_necessity_documented:
            finding.unmet.append(need)
        return finding
    known = status_of(generic, drug_class, dispensing.on, formulary)
    finding.status = known.status
    entry = known.entry
    if known.status == "exempt":
        finding.prospective_review = False
        finding.route = "exempt"
        finding.sections.append("8 CCR 9792.27.10")
        finding.requirements.append("prescription in accordance with the MTUS")
    elif known.status == "non-exempt":
        finding.prospective_review = True
        finding.route = "prospective review"
        finding.sections.append("8 CCR 9792.27.10")
        if (
            entry
            and dispensing.initial_visit
            and dispensing.injury_date
            and in_special_fill_window(dispensing.injury_date, dispensing.on)
            and _within(dispensing.days_supply, entry.special_fill_days)
        ):
            finding.prospective_review = False
            finding.route = "special fill"
            finding.sections.append("8 CCR 9792.27.12")
        elif (
            entry
            and dispensing.surgery_date
            and in_perioperative_window(dispensing.surgery_date, dispensing.on)
            and _within(dispensing.days_supply, entry.perioperative_fill_days)
        ):
            finding.prospective_review = False
            finding.route = "perioperative fill"
            finding.sections.append("8 CCR 9792.27.13")
    elif known.status == "unlisted":
        finding.prospective_review = True
        finding.route = "prospective review"
        finding.sections.append("8 CCR 9792.27.10")
    if dispensing.brand_requested and dispensing.generic_available is not False:
        finding.prospective_review = True
        finding.route = "brand over generic"
        finding.sections.append("8 CCR 9792.27.7")
        need = "a documented patient-specific reason for the brand-name drug over its generic equivalent"
        finding.requirements.append(need)
        if not dispensing.brand_reason_documented:
            finding.unmet.append(need)
    if dispensing.off_label and dispensing.mtus_recommends_use is not True:
        finding.prospective_review = True
        finding.sections.append("8 CCR 9792.27.5")
        finding.requirements.append(
            "support for the off-label use under the Medical Evidence Search Sequence (the MTUS does not recommend it)"
        )
    return finding
