"""Conservative care tried (what, whether it failed, how long) and first-line treatments tried."""

from __future__ import annotations

import re
from typing import Any

from imr.clinical.finders.base import Cue, DURATION, Mention, SentenceView, lookup
from imr.clinical.text import to_days
from imr.memo import pattern as _kept_pattern


_CARE_CONTEXT = Cue("care_context")
_CARE_DENIED = Cue("care_denied")
_FAILED = Cue("failed")
_CARE_PLANNED = Cue("care_planned")
_CARE_GIVEN = Cue("care_given")
# "additional physical therapy" presupposes therapy already given; "physical therapy note" documents it
_MORE_OF = _kept_pattern(
    r"\b(?:additional|further|continued|more|ongoing|another\s+(?:course|round)\s+of|more\s+sessions\s+of|resume)\s+(?:\w+\s+)?$",
    re.IGNORECASE,
)
_THERAPY_RECORD = _kept_pattern(
    r"\s*(?:initial\s+|updated\s+|daily\s+|progress\s+|re-?)?(?:evaluation|examination|exam|notes?|reports?|progress\s+(?:notes?|reports?)|assessment)s?\b",
    re.IGNORECASE,
)


def conservative_care_mentions(view: SentenceView) -> list[Mention]:
    presupposed = _care_presupposed(view)
    text = view.text
    given = view.may_have("care_context") and bool(_CARE_CONTEXT.search(text))
    if not given and not _CARE_DENIED.search(text):
        return presupposed
    seen = {(m.start, m.end) for m in presupposed}
    failed = bool(_FAILED.search(text))
    duration = DURATION.search(text)
    mentions: list[Mention] = []
    care = list(lookup("therapies", view))
    if given and view.drugs and not any(name == "medication" for _, _, name in care):
        # "treatment to date has included Pamelor, Robaxin and physical therapy": drugs are medication care
        care.append((view.drugs[0].start, view.drugs[0].end, "medication"))
    # where the first plan word and the first word of care given end: found once, not per therapy
    planned_end = min((m.end() for m in (_CARE_PLANNED.search(text),) if m), default=len(text) + 1)
    given_end = min((m.end() for m in (_CARE_GIVEN.search(text),) if m), default=len(text) + 1)
    for start, end, therapy in care:
        if (start, end) in seen:
            continue
        if planned_end <= start and not given_end <= start:
            continue  # "the treatment plan includes a referral to physical therapy": care to come, not tried
        attributes: dict[str, Any] = {"failed": failed}
        drug = next((d.generic for d in view.drugs if d.start == start and d.end == end), None)
        if drug:
            attributes["drug"] = drug
        if duration:
            attributes["duration"] = " ".join(duration.group().split())
            attributes["duration_days"] = to_days(duration.group("n"), duration.group("unit"))
        mentions.append(Mention("conservative_care", therapy, start, end, attributes))
    return presupposed + mentions


def _care_presupposed(view: SentenceView) -> list[Mention]:
    """Care the sentence shows was given without listing it as treatment to date."""
    text = view.text
    mentions = []
    for start, end, therapy in lookup("therapies", view):
        if therapy in ("medication", "activity modification", "home exercise"):
            continue
        if _MORE_OF.search(text, max(0, start - 30), start):
            mentions.append(Mention("conservative_care", therapy, start, end, {"failed": False, "implied_by": "additional"}))
        elif _THERAPY_RECORD.match(text, end):
            mentions.append(Mention("conservative_care", therapy, start, end, {"failed": False, "implied_by": "therapy record"}))
    return mentions


_TRIED = Cue("tried")


def first_line_mentions(view: SentenceView) -> list[Mention]:
    text = view.text
    if not view.may_have("tried") or not _TRIED.search(text):
        return []
    failed = bool(_FAILED.search(text) or re.search(r"did\s+not\s+tolerate|intoleran", text, re.IGNORECASE))
    return [Mention("first_line_tried", what, start, end, {"failed": failed}) for start, end, what in lookup("first_line", view)]
