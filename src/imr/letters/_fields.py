"""Small fields the letter parser reads from prose: dates, the worker's age and sex, the date of
injury, diagnoses and medications from the case summary, the reviewer's credentials.

Every pattern is bounded (no unbounded lazy scans across the letter), so a huge letter costs time in
proportion to its length.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from pathlib import Path

import yaml

from imr.model import ReviewerCredentials, Sex

_LAYOUTS = yaml.safe_load((Path(__file__).parent / "data" / "letter_layouts.yaml").read_text(encoding="utf-8"))
_STATES = {state.lower(): state for state in _LAYOUTS["states"]}

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_NUMERIC_DATE = r"(?<![\d/.-])\d{1,2}(?:/\d{1,2}/|-\d{1,2}-)(?:\d{4}|\d{2})(?![\d/-])"
_NAMED_DATE = r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]{0,6}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}\b"
# ISO dates ("2016-11-09") come from letters re-typed by software, not from the DWC's PDFs.
_ISO_DATE = r"(?<![\d/.-])(?:19|20)\d\d-[01]\d-[0-3]\d(?![\d/-])"
DATE = rf"(?:{_NUMERIC_DATE}|{_NAMED_DATE}|{_ISO_DATE})"
_ISO_PARTS = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DATE_PARTS = re.compile(r"(\d{1,2})[/-](\d{1,2})[/-](\d{2,4})")
_NAMED_PARTS = re.compile(r"([A-Za-z]{3})[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")
# Two-digit years: "12/10/11" is 2011, "3/4/98" is 1998 (no IMR letter predates 2013).
_CENTURY_PIVOT = 50


@lru_cache(maxsize=8192)
def parse_date(text: str) -> dt.date | None:
    """'12/10/11', '10-13-16', '06/09/2005', 'January 6, 2010' -> a date; None when not a real date."""
    text = text.strip()
    try:
        if iso := _ISO_PARTS.fullmatch(text):
            return dt.date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        if numeric := _DATE_PARTS.fullmatch(text):
            month, day, year = (int(part) for part in numeric.groups())
            if len(numeric.group(3)) == 2:
                year += 2000 if year < _CENTURY_PIVOT else 1900
            elif len(numeric.group(3)) != 4:
                return None
            return dt.date(year, month, day)
        if named := _NAMED_PARTS.fullmatch(text):
            named_month = _MONTHS.get(named.group(1).lower())
            return dt.date(int(named.group(3)), named_month, int(named.group(2))) if named_month else None
    except ValueError:
        return None
    return None


_AGE = re.compile(
    r"\b(\d{1,3})[\s-]*(?:(?:years?|yrs?)[\s-]+old\b|y/o\b|y\.o\.|yo\b)(?:[\s,]+(?:\w+[\s-]+){0,3}?(male|female|man|woman|gentleman|lady)\b)?",
    re.IGNORECASE,
)
_SEX_WORD = re.compile(r"\b(male|female|man|woman|gentleman|lady)\b", re.IGNORECASE)
_FEMALE_WORDS = {"female", "woman", "lady"}
_SHE = re.compile(r"\b(?:she|her|hers|herself)\b", re.IGNORECASE)
_HE = re.compile(r"\b(?:he|him|his|himself)\b", re.IGNORECASE)
_OLDEST_WORKER = 110


# "The patient is a male, age 61", "a female aged 47"
# (said of the worker: "at age 16 he had surgery" is not an age)
_STATED_AGE = re.compile(
    r"\b(?:male|female|man|woman|gentleman|lady|patient|worker|claimant|employee|applicant),?[ ]+(?:age|aged)[ ]+(\d{1,3})\b(?![/.-]\d)",
    re.IGNORECASE,
)


def age_and_sex(summary: str) -> tuple[int | None, Sex | None]:
    """'a 43 year old female', 'a now 39-year-old male', 'a 50-year-old woman', 'a male, age 61' -> (age, sex)."""
    age: int | None = None
    sex: Sex | None = None
    match = _AGE.search(summary) or _STATED_AGE.search(summary[:1500])
    if match:
        value = int(match.group(1))
        age = value if 0 < value <= _OLDEST_WORKER else None
        if match.re is _AGE and match.group(2):
            sex = _sex_of(match.group(2))
    if sex is None and (word := _SEX_WORD.search(summary[:600])):
        sex = _sex_of(word.group(1))
    if sex is None:
        # Only pronouns: trust them when one set appears and the other never does.
        she, he = len(_SHE.findall(summary[:3000])), len(_HE.findall(summary[:3000]))
        if she >= 2 and he == 0:
            sex = "female"
        elif he >= 2 and she == 0:
            sex = "male"
    return age, sex


def _sex_of(word: str) -> Sex:
    return "female" if word.lower() in _FEMALE_WORDS else "male"


_INJURY_DATE = re.compile(
    rf"(?:date\s+of\s+(?:the\s+)?injury|injury\s+date|DOI)\s*(?:\(DOI\)\s*)?(?:of|on|was|is|:|dated)?\s*(?:on\s+)?({DATE})"
    rf"|\binjur(?:y|ies|ed)\b[^.]{{0,60}}?\b(?:on|dated|of)\s+({DATE})",
    re.IGNORECASE,
)


def injury_date(summary: str) -> dt.date | None:
    """The date of injury as the summary states it ('sustained an industrial injury on 10-13-16')."""
    for match in _cue_matches(_INJURY_DATE, summary[:5000], ("njur", "DOI")):
        found = parse_date(match.group(1) or match.group(2))
        if found:
            return found
    return None


# The 2013 notice states two header dates in a sentence: "An application for Independent Medical Review
# was filed on 9/6/2013 disputing the Utilization Review Denial dated 8/30/2013."
_APPLICATION_FILED = re.compile(
    rf"application\s+for\s+Independent\s+Medical\s+Review\s+was\s+filed\s+on\s+({DATE})", re.IGNORECASE
)
_UR_DENIAL_DATED = re.compile(rf"Utilization\s+Review\s+(?:Denial|Determination|Decision)\s+dated\s+({DATE})", re.IGNORECASE)


def notice_dates(text: str) -> dict[str, dt.date]:
    """The application and UR denial dates the 2013 notice states in prose (its first 6,000 characters)."""
    found: dict[str, dt.date] = {}
    head = text[:6000]
    if "filed" in head and (match := _APPLICATION_FILED.search(head)) and (day := parse_date(match.group(1))):
        found["application_received"] = day
    if "dated" in head and (match := _UR_DENIAL_DATED.search(head)) and (day := parse_date(match.group(1))):
        found["ur_denial_date"] = day
    return found


# The list runs to the end of the sentence: a period followed by a capital, or the end of the text.
_SENTENCE_TAIL = r"(?P<items>[^.]{2,400}?(?:\.\d[^.]{0,400}?)*?)(?=\.\s+[A-Z(\"]|\.?\s*$|\.\s*\n)"
_CUES = yaml.safe_load((Path(__file__).parent / "data" / "summary_cues.yaml").read_text(encoding="utf-8"))
_DIAGNOSES = re.compile(r"\b(?:" + "|".join(_CUES["diagnoses"]) + r")\s*:?\s*" + _SENTENCE_TAIL, re.IGNORECASE)
# "Medications were denied", "medications are not documented": a statement about them, not a list.
_NOT_A_LIST = r"(?!\s*(?:" + "|".join(_CUES["not_a_list"]) + r")\b)"
_MEDICATIONS = re.compile(r"\b(?:" + "|".join(_CUES["medications"]) + r")\s*:?\s*" + _NOT_A_LIST + _SENTENCE_TAIL, re.IGNORECASE)
_LIST_SPLIT = re.compile(r"\s*(?:,|;)\s*(?:and\s+|or\s+)?|\s+and\s+(?=[^,]*$)")
_DIAGNOSIS_SPLIT = re.compile(
    r"\s*(?:,|;)(?!\s*(?:and\s+)?(?:" + "|".join(_CUES["diagnosis_continuations"]) + r")\b)\s*(?:and\s+|or\s+)?"
)
_LAST_AND = re.compile(r"\s+and\s+")
_LIST_NOISE = re.compile(r"^(?:" + "|".join(_CUES["list_noise"]) + r")\s+", re.IGNORECASE)
_MAX_LIST = 30


def diagnoses(summary: str) -> list[str]:
    """'Diagnoses include thoracic radiculopathy, facet syndrome, and sacroiliitis.' -> the three."""
    return _listed(_DIAGNOSES, _DIAGNOSIS_SPLIT, summary, hints=("iagnos",), split_last_and=True)


def medications(summary: str) -> list[str]:
    """'Current medications include Percocet, Soma, Xanax, and Tylenol.' -> the four."""
    return _listed(_MEDICATIONS, _LIST_SPLIT, summary, hints=("edication",))


def _listed(
    cue: re.Pattern[str], splitter: re.Pattern[str], summary: str, *, hints: tuple[str, ...], split_last_and: bool = False
) -> list[str]:
    found: dict[str, str] = {}
    for match in _cue_matches(cue, summary, hints):
        pieces = splitter.split(match.group("items"))
        if split_last_and and len(pieces) > 1:
            # "A, B and C": the last "and" separates items only in a list that has commas
            # ("neck and shoulder strain" alone is one diagnosis).
            pieces[-1:] = _LAST_AND.split(pieces[-1], maxsplit=1)
        for piece in pieces:
            piece = _LIST_NOISE.sub("", piece.strip(" .:;\"'"))
            if piece and len(piece) > 1 and piece.lower() not in found:
                found[piece.lower()] = piece
        if len(found) >= _MAX_LIST:
            break
    return list(found.values())[:_MAX_LIST]


def _cue_matches(cue: re.Pattern[str], summary: str, hints: tuple[str, ...], limit: int = _MAX_LIST) -> list[re.Match[str]]:
    """The cue's matches, tried only at word starts just before a plain substring every cue contains
    ("iagnos", "njur"): scanning the whole summary with a case-blind alternation costs more than
    the rest of the letter together."""
    matches: list[re.Match[str]] = []
    searched_to = 0
    positions = sorted(p for hint in hints for p in _occurrences(summary, hint))
    for position in positions:
        if position < searched_to or len(matches) >= limit:
            continue
        for start in range(max(searched_to, position - _CUE_REACH), position + 1):
            if start and summary[start - 1] not in ' \n("':
                continue
            if match := cue.match(summary, start, position + _CUE_REACH + 1000):
                matches.append(match)
                searched_to = match.end()
                break
    return matches


def _occurrences(text: str, hint: str) -> list[int]:
    found: list[int] = []
    position = text.find(hint)
    while position >= 0 and len(found) < 200:
        found.append(position)
        position = text.find(hint, position + 1)
    return found


# How far before its hint word a cue may start ("was being treated for the diagnoses of").
_CUE_REACH = 24


# The states run to the specialty label, which an extraction may put on the same line.
_LICENSURE = re.compile(
    r"State\(s\)\s+of\s+Licensure\s*:[ ]*(?P<value>(?:(?!Certification)[^\n])*(?:\n(?![^\n]*:)(?:(?!Certification)[^\n])*)*)",
    re.IGNORECASE,
)
_SPECIALTY = re.compile(r"Certification\(s\)\s*/\s*Specialty\s*:[ ]*(?P<value>[^\n]*(?:\n(?![^\n]*:)[^\n]*)*)", re.IGNORECASE)
_CLAUSE_END = r"(?=\s*(?:,|\.|;|$)|\s+and\s+(?:is|has|was)\b|\s+with\b)"
_BOARD = re.compile(rf"Board[\s-]+Certified\s+in\s+(?P<value>[^.,;]{{2,120}}?){_CLAUSE_END}", re.IGNORECASE)
_SUBSPECIALTY = re.compile(rf"sub-?specialty\s+in\s+(?P<value>[^.,;]{{2,120}}?){_CLAUSE_END}", re.IGNORECASE)
# "The expert reviewer is a Licensed Acupuncturist and is licensed to practice in California."
_PROFESSION = re.compile(
    r"reviewer\s+is\s+an?\s+(?:Licensed\s+)?(?P<value>[A-Z][A-Za-z]+(?:\s+(?:of\s+)?[A-Z][A-Za-z]+){0,3})\s+and\s+is\s+licensed"
)
_LICENSED = re.compile(r"licensed\s+(?:to\s+practice\s+)?in\s+(?P<value>[^.;]{2,200}?)(?=\s*(?:\.|;|$))", re.IGNORECASE)
_STATE_SPLIT = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+")


def credentials(text: str) -> ReviewerCredentials:
    """The reviewer's licensure, specialties and board status from 'HOW THE ... WAS MADE' text."""
    states: list[str] = []
    specialties: list[str] = []
    board: bool | None = None
    subspecialty: str | None = None
    # Each pattern is tried only from where its key word appears (a search from the start of the
    # section costs more than the rest of the credentials together).
    if (at := text.find("Licensure")) >= 0 and (match := _LICENSURE.search(text, max(0, at - 12))):
        states = _states(_first_sentence(match.group("value")), keep_unknown=True)
    if (at := text.find("Specialty")) >= 0 and (match := _SPECIALTY.search(text, max(0, at - 20))):
        value = _first_sentence(match.group("value"))
        specialties = [piece for piece in (p.strip(" .") for p in re.split(r"\s*[,;]\s*", value)) if piece]
    prose = " ".join(text.split())
    if (at := prose.find("ertified")) >= 0 and (match := _BOARD.search(prose, max(0, at - 10))):
        board = True
        if not specialties:
            specialties = [match.group("value").strip()]
    if not specialties and (at := prose.find("reviewer is a")) >= 0 and (match := _PROFESSION.match(prose, at)):
        specialties = [match.group("value")]
    if (at := prose.find("specialty")) >= 0 and (match := _SUBSPECIALTY.search(prose, max(0, at - 8))):
        subspecialty = match.group("value").strip()
    if not states and (at := prose.find("icensed")) >= 0 and (match := _LICENSED.search(prose, max(0, at - 2))):
        states = _states(match.group("value"), keep_unknown=False)
    return ReviewerCredentials(licensure_states=states, specialties=specialties, board_certified=board, subspecialty=subspecialty)


_SENTENCE_BREAK = re.compile(r"\.\s+(?=[A-Z])")


def _first_sentence(value: str) -> str:
    """A credential line's value, joined over its wrapped lines, without prose that follows it."""
    return _SENTENCE_BREAK.split(" ".join(value.split()), maxsplit=1)[0]


def _states(value: str, *, keep_unknown: bool) -> list[str]:
    found: list[str] = []
    for piece in _STATE_SPLIT.split(value.strip(" .")):
        piece = piece.strip(" .")
        if not piece:
            continue
        known = _STATES.get(piece.lower().removeprefix("the state of ").removeprefix("state of "))
        if known or keep_unknown:
            name = known or piece
            if name not in found:
                found.append(name)
    return found
