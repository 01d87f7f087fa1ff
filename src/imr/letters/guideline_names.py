"""One name per guideline: the spellings letters use for the same guideline edition, merged.

`guideline_name(source)` maps "MTUS Low Back Disorders 2019", "MTUS ACOEM Low Back Disorders, 2019"
and "MTUS (ACOEM Practice Guidelines) Low Back Disorders, 2019" to the last of them, "MTUS Chronic Pain
Treatment Guidelines" to "MTUS Chronic Pain Medical Treatment Guidelines", "ODG" to "Official Disability
Guidelines (ODG)". The edition year is kept: two editions are two guidelines. The spellings are data
(data/citation_sources.yaml: same_guideline, acoem_mtus_titles).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

_DATA = yaml.safe_load((Path(__file__).parent / "data" / "citation_sources.yaml").read_text(encoding="utf-8"))


def _key(text: str) -> str:
    # case, punctuation and connectives do not tell two guidelines apart
    text = re.sub(r"\s*&\s*|\band\b", " ", text.lower())
    return " ".join(re.findall(r"[a-z0-9]+", text))


_ALIASES = {_key(name): group[0] for group in _DATA["same_guideline"] for name in group}
_TITLES = {_key(title): title for title in _DATA["acoem_mtus_titles"]}
_MODERN = re.compile(
    r"^(?P<mtus>(?:the\s+)?(?:CA\s+|California\s+)?MTUS\b)?\s*[:,]?\s*"
    r"(?:\(?\s*ACOEM(?:\s+(?:Occupational\s+Medicine\s+)?Practice\s+Guidelines)?\s*\)?\s*[:,]?\s*)?"
    r"(?P<title>.+?)(?:\s+Guidelines)?\s*,?\s*\(?(?P<year>(?:19|20)\d\d)\)?\.?$",
    re.IGNORECASE,
)


@lru_cache(maxsize=4096)
def guideline_name(source: str) -> str:
    """The one name of the guideline a citation's source spells (the spelling itself when unknown)."""
    text = " ".join(source.split()).strip(" ,.;")
    if (alias := _ALIASES.get(_key(text))) is not None:
        return alias
    match = _MODERN.match(text)
    if match and (title := _TITLES.get(_key(match.group("title"))) or _TITLES.get(_key(match.group("title") + " Guideline"))):
        said_mtus = bool(match.group("mtus"))
        return (
            f"MTUS (ACOEM Practice Guidelines) {title}, {match.group('year')}"
            if said_mtus
            else f"ACOEM Practice Guidelines, {title}, {match.group('year')}"
        )
    return text
