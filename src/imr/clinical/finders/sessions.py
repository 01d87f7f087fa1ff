"""Sessions of a therapy: attended ("has completed 12 sessions of physical therapy") or only requested
or authorized (`requested_sessions`, never counted as attended)."""

from __future__ import annotations

import re
from typing import Any

from imr.clinical.finders.base import Cue, Mention, PLANNED, REQUESTED, SentenceView, lookup, nearest, vocabulary_patterns
from imr.clinical.text import NUMBER, to_number
from imr.memo import pattern as _kept_pattern


_SESSIONS = _kept_pattern(
    rf"(?P<qual>at\s+least\s+|approximately\s+|about\s+|over\s+|more\s+than\s+|less\s+than\s+|fewer\s+than\s+|a\s+total\s+of\s+|up\s+to\s+|total\s+of\s+)?"
    rf"(?<![\w/#.-])(?P<n>{NUMBER})(?![\d/-])(?!\s*(?:/|%|mg|times))\s+(?:(?!(?:for|of|to|on|in|at|and|or)\b)[\w'-]+\s+){{0,3}}?(?:sessions?|visits?|treatments?|appointments?)\b",
    re.IGNORECASE,
)
# "7 physical therapy reports dated ...": the therapy named between the count and the noun
_THERAPY_NOTES = _kept_pattern(
    rf"(?<![\w/#.-])(?P<n>{NUMBER})\s+(?P<between>(?:[\w'-]+\s+){{1,3}}?)(?:progress\s+|daily\s+)?(?:reports|notes)\b",
    re.IGNORECASE,
)
_SESSIONS_AFTER = _kept_pattern(
    r"(?:x|times|for\s+a\s+total\s+of)\s*(?P<n>\d{1,3})\s+(?:sessions?|visits?|treatments?)", re.IGNORECASE
)
_COMPLETED = Cue("completed")
# "attended 8 of 12 authorized visits": 8 attended, 12 authorized
_N_OF_M = _kept_pattern(
    rf"(?<![\w/#.-])(?P<n>{NUMBER})\s+(?:out\s+)?of\s+(?:the\s+|a\s+total\s+of\s+|his\s+|her\s+)?(?P<m>{NUMBER})\s+(?:[\w'-]+\s+){{0,3}}?(?:sessions?|visits?|treatments?)\b",
    re.IGNORECASE,
)


_SESSIONS_AUTHORIZED = Cue("sessions_authorized")
_REQUEST_BEFORE = _kept_pattern(
    r"\b(?:request(?:ed|s)?|requesting|for|recommend\w*|additional|further|another|more|plan\w*|order\w*)\s+(?:\w+\s+){0,2}$",
    re.IGNORECASE,
)


def session_mentions(view: SentenceView) -> list[Mention]:
    text = view.text
    therapies = [t for t in lookup("therapies", view) if t[2] in vocabulary_patterns()["session_therapies"]]
    if not therapies:
        return []  # a count of sessions means nothing without the therapy it counts
    mentions: list[Mention] = []
    parts = [(m.start("m"), m.end("m")) for m in _N_OF_M.finditer(text)] if " of " in text else []
    for m in _N_OF_M.finditer(text) if parts else ():
        count, therapy = to_number(m.group("n")), nearest(therapies, m.start(), m.end(), reach=40)
        if count is not None and therapy is not None:
            mentions.append(
                Mention(
                    "prior_sessions",
                    int(count),
                    m.start("n"),
                    m.end(),
                    {"therapy": therapy, "status": "completed", "of": to_number(m.group("m"))},
                )
            )
    for pattern in (_SESSIONS, _SESSIONS_AFTER, _THERAPY_NOTES):
        for m in pattern.finditer(text):
            if any(a <= m.start("n") < b for a, b in parts):
                continue  # the "12" of "8 of 12 visits" is what was authorized, not attended
            if pattern is _THERAPY_NOTES and not any(m.start("between") <= t[0] and t[1] <= m.end("between") for t in therapies):
                continue
            if any(d.start <= m.start("n") < d.end for d in view.dates):
                continue
            count = to_number(m.group("n"))
            if count is None or count > 200:
                continue
            therapy = nearest(therapies, m.start(), m.end(), reach=40)
            if therapy is None:
                continue
            attributes: dict[str, Any] = {"therapy": therapy}
            qualifier = m.groupdict().get("qual")
            if qualifier:
                attributes["qualifier"] = " ".join(qualifier.lower().split())
            hypothetical = None
            near = text[max(0, m.start() - 50) : min(len(text), m.end() + 30)]
            requested_here = bool(_REQUEST_BEFORE.search(text, max(0, m.start() - 40), m.start()))
            anywhere_requested = bool(PLANNED.search(text) or REQUESTED.search(text))
            if _COMPLETED.search(near) and not requested_here:
                attributes["status"] = "completed"
            elif _SESSIONS_AUTHORIZED.search(text) and not requested_here:
                attributes["status"], hypothetical = "authorized", True  # authorized is not yet attended
            elif requested_here or anywhere_requested:
                attributes["status"], hypothetical = "requested", True
            elif _COMPLETED.search(text):
                attributes["status"] = "completed"
            else:
                attributes["status"] = "unknown"
            # a count requested or authorized but not yet attended is not a prior session: its own kind,
            # so that nothing adding up sessions already given can count it by mistake
            kind = "requested_sessions" if hypothetical else "prior_sessions"
            mentions.append(Mention(kind, int(count), m.start("n"), m.end(), attributes, hypothetical=hypothetical))
    return mentions
