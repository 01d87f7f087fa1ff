"""Case facts from the forms of a packet: the IMR application, the UR determination and the RFA.

The UR determination lists every requested item with its decision; the items in dispute are the ones
it did not certify (non-certified, denied, or modified: then what it authorized is kept too). Three
layouts are read: a numbered table (item, decision, guideline line), request blocks ("Request #1:",
"Determination:", "Guidelines relied upon:") and prose ("The request for X is non-certified").
Without a UR determination the RFA's requested treatment is the best there is, with no UR basis.
Labels and decision words are data (`data/forms.yaml`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from imr.drugs.lexicon import one_slip_apart
from imr.packets.dates import DATE, first_date, labelled_date, to_date

DATA = Path(__file__).parent / "data"


@cache
def _forms() -> dict[str, Any]:
    return yaml.safe_load((DATA / "forms.yaml").read_text(encoding="utf-8"))


@dataclass
class UrItem:
    text: str
    decision: str  # certified | non-certified | modified
    basis: str | None = None
    authorized: str | None = None


def joined(text: str) -> str:
    """Lines joined into running text: a word broken at a hyphen is mended, spaces collapsed."""
    text = re.sub(r"-\n(?=[a-z])", "-", text)
    text = re.sub(r"\.[:;,]+(?=\s|\S)", ". ", text)  # OCR doubles a full stop into ".:" now and then
    return re.sub(r"[ \t]+", " ", text)


def _decision(word: str) -> str | None:
    word = word.lower().replace(" ", "").replace("-", "")
    for decision, words in _forms()["decisions"].items():
        if any(word.startswith(w.replace(" ", "").replace("-", "")) for w in words):
            return decision
    return None


def _label(text: str, names: list[str]) -> str | None:
    for name in names:
        if match := re.search(rf"(?im)\b{name}\s*[:#.]?\s*(?P<value>[^\n]+)", text):
            return match.group("value").strip()
    return None


# --- the IMR application ---------------------------------------------------------------------------


def injury_date(text: str) -> dt.date | None:
    for label in _forms()["injury_date"]:
        if (date := labelled_date(text, label, reach=30)) is not None:
            return date
    return None


def claim_number(text: str) -> str | None:
    for label in _forms()["claim_number"]:
        if match := re.search(rf"(?im)\b{label}\s*[:#.]?\s*(?P<value>[A-Z0-9][A-Z0-9-]{{4,}}[A-Z0-9])", text):
            return match.group("value")
    return None


def expedited(text: str) -> bool | None:
    """True for an expedited review, False for standard, None when neither box is read as ticked."""
    ticked = _forms()["ticked_box"]
    if re.search(rf"(?i){ticked}\s*expedited", text):
        return True
    if re.search(rf"(?i){ticked}\s*standard", text):
        return False
    return None


def received_date(text: str) -> dt.date | None:
    for label in _forms()["received"]:
        if (date := labelled_date(text, label, reach=30)) is not None:
            return date
    return None


# --- the UR determination --------------------------------------------------------------------------


def ur_decision_date(text: str) -> dt.date | None:
    from imr.packets.split import service_date

    return service_date("ur_determination", text)


def _continued(lines: list[str], start: int, row: re.Pattern[str] | None = None) -> tuple[str, int]:
    """A value that wraps onto following lines: they continue it until a label, a number or a blank
    (or a line that is a `row` of the table the value is in)."""
    stop = re.compile(_forms()["value_stop"])
    value, index = lines[start], start + 1
    while index < len(lines):
        if not lines[index].strip():
            # OCR may leave a blank line inside a wrapped value; a lower-case line after it goes on
            if index + 1 < len(lines) and lines[index + 1].strip()[:1].islower():
                index += 1
            else:
                break
        if stop.match(lines[index].strip()) or (row and row.match(lines[index])):
            break
        previous = value.rstrip()
        if not (
            previous.endswith((",", "-", "/", "(", "and", "of", "for"))
            or lines[index].strip()[:1].islower()
            or len(previous) > 70
        ):
            break
        value = previous + ("" if previous.endswith("-") and lines[index].strip()[:1].islower() else " ") + lines[index].strip()
        index += 1
    return value.strip(), index


def _table_items(text: str) -> list[UrItem]:
    forms = _forms()
    # OCR reads a row number 1 as I, l, |, i, t, ! or [, its dot as a comma or colon, and a column gap as = or |
    row = re.compile(
        rf"^\s*[0-9Il|it!\[\]]{{1,2}}[.),:]\s+(?P<item>.+?)\s+[=|:~—–-]*\s*(?P<decision>{forms['decision_words']})\s*$",
        re.IGNORECASE,
    )
    lines = text.splitlines()
    items: list[UrItem] = []
    index = 0
    while index < len(lines):
        match = row.match(lines[index])
        index += 1
        if not match or (decision := _decision(match.group("decision"))) is None:
            continue
        item = UrItem(match.group("item").strip(), decision)
        while index < len(lines) and not row.match(lines[index]):
            line = lines[index].strip()
            if not line:  # OCR puts a blank line between the rows of a table now and then
                index += 1
                continue
            if re.match(rf"(?i)(?:{forms['modified_to']})\s*[:.]?\s*(?P<v>.+)", line):
                item.authorized, index = _continued(lines, index, row)
                item.authorized = re.sub(rf"(?i)^(?:{forms['modified_to']})\s*[:.]?\s*", "", item.authorized)
                continue
            if re.match(rf"(?i)(?:{forms['basis_label']})\s*[:.]", line):
                value, index = _continued(lines, index, row)
                item.basis = re.sub(rf"(?i)^(?:{forms['basis_label']})\s*[:.]\s*", "", value)
                continue
            break
        items.append(item)
    return items


def _block_items(text: str) -> list[UrItem]:
    forms = _forms()
    lines = [line for line in text.splitlines()]
    # OCR reads the colon after the number as a full stop, a semicolon or a comma now and then
    head = re.compile(rf"(?i)^\s*(?:{forms['request_label']})[.,]?\s*#?\s*\d+\s*[:.;,]\s*(?P<item>.+)$")
    items: list[UrItem] = []
    for index, line in enumerate(lines):
        if not head.match(line):
            continue
        item_text, after = _continued(lines, index)
        item_text = head.match(item_text).group("item").strip()  # type: ignore[union-attr]  # it starts with the line that matched
        block = "\n".join(lines[after : after + 12])
        block = block.split("\n" + next((ln for ln in lines[after:] if head.match(ln)), "\0"))[0]
        block_lines = block.splitlines()
        label = re.compile(rf"(?i)^\s*(?:{forms['decision_label']})\s*[:.]\s*(?P<v>.+)$")
        at = next((i for i, line in enumerate(block_lines) if label.match(line)), None)
        if at is None:
            continue
        decision_text = label.match(_continued(block_lines, at)[0]).group("v")  # type: ignore[union-attr]  # likewise
        if (decision := _decision(decision_text.strip())) is None:
            continue
        item = UrItem(item_text, decision)
        if decision == "modified" and (auth := re.search(rf"(?i)(?:{forms['modified_to']})\s*[:.]?\s*(?P<v>.+)", decision_text)):
            item.authorized = auth.group("v").strip()
        for at, line in enumerate(block_lines):
            if re.match(rf"(?i)\s*(?:{forms['basis_label']})\s*[:.]", line):
                value, _ = _continued(block_lines, at)
                item.basis = re.sub(rf"(?i)^\s*(?:{forms['basis_label']})\s*[:.]\s*", "", value).strip()
                break
        items.append(item)
    return items


def _prose_items(text: str) -> list[UrItem]:
    forms = _forms()
    running = joined(text).replace("\n", " ")
    pattern = re.compile(
        # a sentence ends at a full stop before a capital; a stray OCR dot before a small letter does not end it
        rf"(?i)the request for (?P<item>(?:(?!\.\s+(?-i:[A-Z])).)+?) (?:is|was|has been) (?P<decision>{forms['decision_words']})"
        rf"(?: to (?P<auth>(?:(?!\.\s+(?-i:[A-Z])).)+?))?[.,](?=\s|$)(?:\s*(?:{forms['basis_label']})\s*[:.]?\s*(?P<basis>.+?)\.(?=\s|$))?"
    )
    items = []
    for match in pattern.finditer(running):
        if (decision := _decision(match.group("decision"))) is None:
            continue
        items.append(
            UrItem(
                match.group("item").strip(),
                decision,
                (match.group("basis") or "").strip() or None,
                (match.group("auth") or "").strip() or None,
            )
        )
    return items


@cache
def _decision_words() -> tuple[str, ...]:
    return tuple(w for words in _forms()["decisions"].values() for w in words if " " not in w)


def _decision_slip(token: str) -> str:
    core = token.rstrip(".,;:")
    low = core.lower()
    # Decision words are past participles: a token that is one neither by its ending nor by a mark
    # inside it ("certifies", "modifier", "denies") is a word of its own, not a slip.
    if len(low) < 6 or low in _decision_words() or not (low.endswith("ed") or not low.replace("-", "").isalpha()):
        return token
    word = next((w for w in _decision_words() if one_slip_apart(low, w)), None)
    if word is None:
        return token
    word = word.upper() if core.isupper() else word.capitalize() if core[:1].isupper() else word
    return word + token[len(core) :]


def decision_slips(text: str) -> str:
    """A scanned UR determination with its decision words read as they were printed: OCR's one slip
    in "NON-CERTIFIED" ("NON-CERTIFILED", "CERTIF!ED", "DENlED") would otherwise lose the item. So
    would one in the "request" of a prose sentence ("The requesi for MRI ... is non-certified")."""
    text = re.sub(r"\S{6,}", lambda m: _decision_slip(m.group(0)), text)
    return _REQUEST_SLIP.sub(lambda m: "request" if one_slip_apart(m.group(1).lower(), "request") else m.group(0), text)


# "the request for" with a slip in "request": the words around it say which word it is
_REQUEST_SLIP = re.compile(r"(?<=\bthe )(\S{6,8})(?= for\b)", re.IGNORECASE)


def ur_items(text: str) -> list[UrItem]:
    """Every item the UR determination decided, in its order, with the decision."""
    for reader in (_block_items, _table_items, _prose_items):
        if items := reader(text):
            return items
    return []


# --- the RFA ---------------------------------------------------------------------------------------


def rfa_items(text: str) -> list[str]:
    """The services requested on a DWC Form RFA (its "Requested Treatment" rows)."""
    forms = _forms()
    start = re.search(rf"(?i){forms['rfa_table']}", text)
    if not start:
        return []
    rows = re.compile(forms["rfa_row"])
    items = []
    for line in text[start.end() :].splitlines():
        if re.match(rf"(?i)\s*(?:{forms['rfa_end']})", line):
            break
        if match := rows.search(line):
            items.append(match.group("service").strip())
    return items


# --- the worker ------------------------------------------------------------------------------------


def worker_age_sex(texts: list[str], *, dob_text: str, on: dt.date | None) -> tuple[int | None, str | None]:
    """Age from the date of birth on the forms (at `on`), else from "a 47-year-old woman"; sex likewise."""
    age: int | None = None
    sex: str | None = None
    forms = _forms()
    birth = None
    for label in forms["birth_date"]:
        if (birth := labelled_date(dob_text, label, reach=30)) is not None:
            break
    if birth and on:
        age = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    for text in texts:
        if match := re.search(forms["age_sex"], text, re.IGNORECASE):
            age = age if age is not None else int(match.group("age"))
            word = match.group("sex").lower()
            sex = sex or ("female" if word in forms["female_words"] else "male")
    if sex is None:
        joined_text = " ".join(texts)
        she = len(re.findall(r"\b(?:she|her)\b", joined_text, re.IGNORECASE))
        he = len(re.findall(r"\b(?:he|his|him)\b", joined_text, re.IGNORECASE))
        if she != he and max(she, he) >= 2:
            sex = "female" if she > he else "male"
    return age, sex


def any_date(text: str) -> dt.date | None:
    return first_date(text)


__all__ = ["DATE", "to_date"]
