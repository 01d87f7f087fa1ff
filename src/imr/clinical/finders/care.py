"""Conservative care tried (what, whether it failed, how long) and first-line treatments tried."""

from __future__ import annotations

import re
from typing import Any

from imr.clinical.finders.base import Cue, DURATION, Mention, SentenceView, lookup
from imr.clinical.text import to_days


_CARE_CONTEXT = Cue("care_context")
_FAILED = Cue("failed")
_CARE_PLANNED = Cue("care_planned")
_CARE_GIVEN = Cue("care_given")

def conservative_care_mentions(view: SentenceView) -> list[Mention]:
    text = view.text
    if not _CARE_CONTEXT.search(text):
        return []
    failed = bool(_FAILED.search(text))
    duration = DURATION.search(text)
    mentions: list[Mention] = []
    care = list(lookup("therapies", view))
    if view.drugs and not any(name == "medication" for _, _, name in care):
        # "treatment to date has included Pamelor, Robaxin and physical therapy": drugs are medication care
        care.append((view.drugs[0].start, view.drugs[0].end, "medication"))
    for start, end, therapy in care:
        if _CARE_PLANNED.search(text, 0, start) and not _CARE_GIVEN.search(text, 0, start):
            continue  # "the treatment plan includes a referral to physical therapy": care to come, not tried
        attributes: dict[str, Any] = {"failed": failed}
        if duration:
            attributes["duration"] = " ".join(duration.group().split())
            attributes["duration_days"] = to_days(duration.group("n"), duration.group("unit"))
        mentions.append(Mention("conservative_care", therapy, start, end, attributes))
    return mentions


_TRIED = Cue("tried")

def first_line_mentions(view: SentenceView) -> list[Mention]:
    text = view.text
    if not _TRIED.search(text):
        return []
    failed = bool(_FAILED.search(text) or re.search(r"did\s+not\s+tolerate|intoleran", text, re.IGNORECASE))
    return [
        Mention("first_line_tried", what, start, end, {"failed": failed})
        for start, end, what in lookup("first_line", view)
    ]
