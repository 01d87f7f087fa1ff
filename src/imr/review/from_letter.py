"""A case rebuilt from a published letter: its clinical case summary, item texts and the claims
administrator's basis only. The letter's outcomes, the reviewer's basis and rationales are never read,
so that re-deciding the letter is a fair test of the engine.
"""

from __future__ import annotations

from typing import Any

from imr.casefile import CaseFile, parse_case
from imr.errors import CaseFileError
from imr.model import Determination, GuidelineCitation
from imr.review.engine import SUMMARY_KIND


def _basis_text(citations: list[GuidelineCitation]) -> str | None:
    parts = []
    for c in citations:
        text = c.source + (f", Section(s): {', '.join(c.sections)}" if c.sections else "")
        parts.append(text + (f", Page(s): {', '.join(str(p) for p in c.pages)}" if c.pages else ""))
    return "; ".join(parts) or None


def case_from_letter(determination: Determination, *, source: str = "letter") -> CaseFile:
    details = determination.case
    # one line of text: letters wrap the summary (the seed layout leaves a blank line after every line)
    summary = " ".join((details.summary or "").split())
    if not summary:
        raise CaseFileError(f"{source}: the letter has no clinical case summary to review from")
    if not determination.issues:
        raise CaseFileError(f"{source}: the letter lists no disputed items")
    requests: list[dict[str, Any]] = []
    for issue in determination.issues:
        item = issue.item
        request: dict[str, Any] = {"text": item.text}
        if item.original_request:
            request["original_request"] = item.original_request
        if item.authorized:
            request["authorized"] = item.authorized
        if basis := _basis_text(issue.claims_administrator_basis):
            request["ur_basis"] = basis
        requests.append(request)
    data = {
        "case_number": details.case_number,
        "received": details.application_received,
        "expedited": details.priority == "Expedited",
        "worker": {"age": details.age, "sex": details.sex},
        "injury_date": details.date_of_injury,
        "ur_decision_date": details.ur_denial_date,
        "requests": requests,
        # the summary carries its dates inline; the record itself is undated
        "records": [{"kind": SUMMARY_KIND, "date": None, "text": summary}],
        "from_letter": True,
    }
    return parse_case(data, source=source)
