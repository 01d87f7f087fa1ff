"""The rule language: typed guideline tests, one pydantic model per test, read from the rule files.

A criterion's `test:` (and a rule's `when:`) is one of these shapes, told apart by its key:

    {finding: KIND, value:, mentions: [...], status:, drug_class:, site:, within_days:, history:, about:}
    {absent: KIND, ...the same filters..., silence: met, basis: "why the guideline puts it so"}
    {documented: KIND, ...}            the record addresses KIND either way ("no side effects" documents them)
    {any_finding: [KIND, ...]}
    {quantity: NAME, at_most: N, at_least: N, if_unknown: met, basis: "..."}
    {item: FIELD, in: [...]}   {phase: [acute, subacute, chronic]}
    {all: [...]}   {any: [...]}   {not: TEST}
    {on_drug: requested | class}   {request_mentions: [words]}
    {first_course: [words], prior_visits: [words], basis: "..."}   no earlier course of the therapy (FirstCourse)

Silence is never documentation: `absent` is met by a statement of absence in scope ("no red flags",
"denies bowel or bladder change"), and by silence only where the guideline itself puts it so -- then
`silence: met` must carry its `basis`, and the recommendation says the criterion was met by absence.
The same holds for a quantity's `if_unknown: met`. Kinds and values are checked against
`data/facts.yaml`; `imr schema rules` publishes the JSON Schema of this language.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

from imr.memo import data_yaml

FACTS_FILE = Path(__file__).parent / "data" / "facts.yaml"

Quantity = Literal[
    "use_duration_days",
    "days_supply",
    "requested_sessions",
    "authorized_sessions",
    "authorized_same_treatment",
    "prior_sessions",
    "total_sessions",
    "weeks_since_injury",
    "weeks_since_surgery",
    "age",
    "pain_reduction_percent",
    "requested_duration_weeks",
    "requested_quantity",
    "morphine_equivalent_mg_per_day",
]
PhaseName = Literal["acute", "subacute", "chronic"]
SiteScope = Literal["item", "any"]
HistoryScope = Literal["counts", "excluded"]
AboutScope = Literal["item", "any"]
Scalar = Union[str, int, float, bool]


class FactScope(BaseModel):
    """Which facts of a kind a test reads by default (data/facts.yaml)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    site: SiteScope = "item"
    within_days: int | None = 365
    history: HistoryScope = "excluded"
    before_injury: HistoryScope = "excluded"
    about: AboutScope = "any"
    possible: Literal["counts", "excluded"] = "excluded"
    history_counts_for: tuple[str, ...] = ()
    referral: bool = False
    values: tuple[str, ...] | None = None


class FactCatalogue(BaseModel):
    """The fact kinds rules may test, with their default scopes and treatment families."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kinds: dict[str, FactScope]
    treatment_families: dict[str, tuple[str, ...]]
    not_clinical_evidence: frozenset[str] = frozenset()

    def scope(self, kind: str) -> FactScope:
        if kind in self.kinds:
            return self.kinds[kind]
        family = kind.split(".")[0]
        return self.kinds[family]

    def knows(self, kind: str) -> bool:
        return kind in self.kinds or (kind.split(".")[0] in self.kinds and "." in kind)

    def courses_of(self, treatment: str) -> frozenset[str]:
        """The courses a treatment belongs to (its own name when it is in none)."""
        name = treatment.lower()
        found = {family for family, members in self.treatment_families.items() if name == family or name in members}
        return frozenset(found or {name})


@cache
def fact_catalogue() -> FactCatalogue:
    data = data_yaml(FACTS_FILE)
    defaults = data.get("defaults") or {}
    kinds = {kind: FactScope.model_validate({**defaults, **(spec or {})}) for kind, spec in data["kinds"].items()}
    families = {name: tuple(members) for name, members in (data.get("treatment_families") or {}).items()}
    foreign = frozenset(str(k).lower() for k in data.get("not_clinical_evidence") or ())
    return FactCatalogue(kinds=kinds, treatment_families=families, not_clinical_evidence=foreign)


class _Test(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class _FactFilters(_Test):
    """What narrows the facts a test reads, and how far its scope reaches (defaults: data/facts.yaml)."""

    value: Scalar | None = None
    mentions: tuple[str, ...] | None = Field(
        default=None, min_length=1, description="Words of which the fact's value, text or site must hold one."
    )
    status: str | None = Field(default=None, description="attributes.status, e.g. planned, done.")
    since_decision: bool | None = Field(
        default=None,
        description="true: only facts dated on or after the UR decision (what happened after the part of the "
        "request it authorized was given).",
    )
    objective: bool | None = Field(
        default=None,
        description="true: only findings made on examination (sensory loss, graded weakness, a reflex change, "
        "a provocative test); false: only complaints. A complaint of numbness does not localize a nerve lesion.",
    )
    drug_class: str | None = None
    site: SiteScope | None = None
    within_days: int | None = Field(default=None, ge=1)
    history: HistoryScope | None = None
    about: AboutScope | None = None

    def _check_kind(self, kind: str) -> None:
        catalogue = fact_catalogue()
        if not catalogue.knows(kind):
            raise ValueError(f"unknown fact kind {kind!r} (known: {', '.join(sorted(catalogue.kinds))})")
        allowed = catalogue.scope(kind).values
        if allowed is not None and self.value is not None and str(self.value) not in allowed:
            raise ValueError(f"{kind}: unknown value {self.value!r} (known: {', '.join(allowed)})")

    def scope_of(self, kind: str) -> FactScope:
        base = fact_catalogue().scope(kind)
        update = {k: getattr(self, k) for k in ("site", "history", "about") if getattr(self, k) is not None}
        if self.within_days is not None:
            update["within_days"] = self.within_days
        return base.model_copy(update=update)


class Finding(_FactFilters):
    """Met by a fact of this kind stated as present, in scope."""

    finding: str

    @model_validator(mode="after")
    def _known(self) -> Finding:
        self._check_kind(self.finding)
        return self


class Absent(_FactFilters):
    """Met by a statement of absence in scope; contradicted by the finding; silence is 'not documented'
    unless the guideline itself puts it so (`silence: met` with its `basis`)."""

    absent: str
    silence: Literal["not documented", "met"] = "not documented"
    basis: str | None = None

    @model_validator(mode="after")
    def _known(self) -> Absent:
        self._check_kind(self.absent)
        if self.silence == "met" and not self.basis:
            raise ValueError("'silence: met' needs a 'basis' saying where the guideline puts silence so")
        return self


class Documented(_FactFilters):
    """Met when the record addresses the kind at all, present or absent."""

    documented: str

    @model_validator(mode="after")
    def _known(self) -> Documented:
        self._check_kind(self.documented)
        return self


class AnyFinding(_Test):
    any_finding: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _known(self) -> AnyFinding:
        for kind in self.any_finding:
            Finding(finding=kind)
        return self


class QuantityTest(_Test):
    quantity: Quantity
    at_most: float | None = None
    at_least: float | None = None
    if_unknown: Literal["met"] | None = None
    basis: str | None = None

    @model_validator(mode="after")
    def _bounded(self) -> QuantityTest:
        if self.at_most is None and self.at_least is None:
            raise ValueError(f"quantity {self.quantity!r} needs at_most or at_least")
        if self.if_unknown == "met" and not self.basis:
            raise ValueError("'if_unknown: met' needs a 'basis' saying where the guideline puts an unstated number so")
        return self


class ItemField(_Test):
    item: str
    in_: tuple[Scalar, ...] = Field(alias="in", min_length=1)


class PhaseTest(_Test):
    phase: tuple[PhaseName, ...] = Field(min_length=1)


class OnDrug(_Test):
    on_drug: Literal["requested", "class"]


class RequestMentions(_Test):
    request_mentions: tuple[str, ...] = Field(min_length=1)


class FirstCourse(_Test):
    """Met when the record shows no earlier course of the therapy the request names: no prior visits and
    no earlier such care. Silence can say so only early in the injury (acute or subacute phase), when the
    request itself calls the course initial or a trial, or when the record states that none was given:
    years after an injury, the record's silence about earlier therapy is no evidence there was none."""

    first_course: tuple[str, ...] = Field(min_length=1, description="Words naming the therapy in the record's care.")
    prior_visits: tuple[str, ...] | None = Field(
        default=None, min_length=1, description="Words naming its visits when broader than the therapy's (default: the same)."
    )
    basis: str = Field(min_length=1, description="Where the guideline asks for results only from visits already given.")

    def as_tests(self) -> AllOf:
        care = list(self.first_course)
        return AllOf.model_validate(
            {
                "all": [
                    {
                        "any": [
                            {"phase": ["acute", "subacute"]},
                            {"request_mentions": ["initial", "trial"]},
                            {"absent": "conservative_care", "mentions": care},
                        ]
                    },
                    {
                        "absent": "prior_sessions",
                        "mentions": list(self.prior_visits or care),
                        "silence": "met",
                        "basis": self.basis,
                    },
                    {"absent": "conservative_care", "mentions": care, "silence": "met", "basis": self.basis},
                ]
            }
        )


class AllOf(_Test):
    all: tuple[Test, ...] = Field(min_length=1)


class AnyOf(_Test):
    any: tuple[Test, ...] = Field(min_length=1)


class Not(_Test):
    not_: Test = Field(alias="not")


_TAGS: dict[str, type[_Test]] = {
    "finding": Finding,
    "absent": Absent,
    "documented": Documented,
    "any_finding": AnyFinding,
    "quantity": QuantityTest,
    "item": ItemField,
    "phase": PhaseTest,
    "on_drug": OnDrug,
    "request_mentions": RequestMentions,
    "first_course": FirstCourse,
    "all": AllOf,
    "any": AnyOf,
    "not": Not,
}
_TAG_OF_CLASS: dict[type, str] = {cls: tag for tag, cls in _TAGS.items()}


def _tag(value: Any) -> str | None:
    if isinstance(value, dict):
        keys = [k for k in value if k in _TAGS]
        return keys[0] if len(keys) == 1 else None
    return _TAG_OF_CLASS.get(type(value))


Test = Annotated[
    Union[
        Annotated[Finding, Tag("finding")],
        Annotated[Absent, Tag("absent")],
        Annotated[Documented, Tag("documented")],
        Annotated[AnyFinding, Tag("any_finding")],
        Annotated[QuantityTest, Tag("quantity")],
        Annotated[ItemField, Tag("item")],
        Annotated[PhaseTest, Tag("phase")],
        Annotated[OnDrug, Tag("on_drug")],
        Annotated[RequestMentions, Tag("request_mentions")],
        Annotated[FirstCourse, Tag("first_course")],
        Annotated[AllOf, Tag("all")],
        Annotated[AnyOf, Tag("any")],
        Annotated[Not, Tag("not")],
    ],
    Discriminator(
        _tag,
        custom_error_type="unknown_test",
        custom_error_message=f"a test needs exactly one of {', '.join(sorted(_TAGS))}",
    ),
]

for _model in (AllOf, AnyOf, Not):
    _model.model_rebuild()
