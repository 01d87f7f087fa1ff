"""Imaging and electrodiagnostic studies: modality, body part, date, finding, and whether done or only
planned."""

from __future__ import annotations

import re

from imr.clinical.finders.base import Cue, Mention, PLANNED, SentenceView, lookup, nearest, placed
from imr.memo import pattern as _kept_pattern


_DONE = Cue("imaging_done")
_FINDING = _kept_pattern(
    r"\b(?:revealed|reveals|showed|shows|demonstrated|demonstrates|noted|documented|reported|reports|indicated|indicates|"
    r"was\s+read\s+as|consistent\s+with|significant\s+for|"
    r"with\s+findings\s+of|findings\s+(?:of|include|included)|impression|described\s+(?:\w+\s+)?as)\s*:?\s*(?P<finding>[^;]{3,400})",
    re.IGNORECASE,
)
_NO_LESION = _kept_pattern(r"(?:no|without|negative|normal|unremarkable|within\s+normal\s+limits)\b", re.IGNORECASE)
_NORMAL = _kept_pattern(
    r"\b(?:was|were|is|are)\s+(?:completely\s+|entirely\s+)?(?P<finding>normal|negative|unremarkable|within\s+normal\s+limits)\b",
    re.IGNORECASE,
)


def imaging_mentions(view: SentenceView) -> list[Mention]:
    text = view.text
    body_parts = lookup("body_parts", view)
    hits = lookup("imaging", view)
    mentions: list[Mention] = []
    for index, (start, end, modality) in enumerate(hits):
        limit = hits[index + 1][0] if index + 1 < len(hits) else len(text)
        if index and re.fullmatch(r"\s*\(\s*", text[hits[index - 1][1] : start]):
            continue  # "magnetic resonance imaging (MRI)": the abbreviation repeats the study
        floor = hits[index - 1][1] if index else 0
        part = nearest([b for b in body_parts if floor <= b[0] < limit], start, end, reach=45)
        attributes = placed(view, start, end, part, date_reach=60)
        date = attributes.get("date")
        local = text[max(0, start - 60) : min(limit + 60, len(text))]
        finding = _FINDING.search(text, end, limit) or _NORMAL.search(text, end, min(limit, end + 60))
        if finding:
            attributes["finding"] = " ".join(finding.group("finding").split()).rstrip(" .,")
            attributes["status"] = "done"
            # "showed no meniscus tear": a study done whose finding is the absence of a lesion
            if _NO_LESION.match(attributes["finding"]):
                attributes["normal"] = True
        elif PLANNED.search(text, 0, start) or PLANNED.search(text, end, min(len(text), end + 60)):
            attributes["status"] = "planned"
        elif _DONE.search(local) or date:
            attributes["status"] = "done"
        else:
            attributes["status"] = "unknown"
        # the words next to the study decide; ConText only when they say nothing
        hypothetical = {"planned": True, "done": False}.get(attributes["status"])
        mentions.append(Mention("imaging_done", modality, start, end, attributes, hypothetical=hypothetical))
    return mentions
