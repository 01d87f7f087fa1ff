"""Synthetic IMR packets with known ground truth: the case facts and every document's kind and pages.

Real packets are never public, so imr is measured on packets made here: an IMR application, a UR
determination in one of three layouts, a DWC Form RFA, and medical records (progress reports as SOAP,
PR-2 and narrative, consultations, imaging, EMG/NCS, operative reports, therapy notes, drug screens,
fax covers), each rendered to PDF with reportlab. `scan.py` turns a typed packet into a scanned one.

Everything random comes from one `random.Random(seed)`, so a seed names a packet exactly.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import textwrap
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).parent / "data"

PAGE_WIDTH, PAGE_HEIGHT = 612.0, 792.0  # US letter, points
MARGIN = 54.0
FONTS = (("Helvetica", "Helvetica-Bold"), ("Times-Roman", "Times-Bold"), ("Courier", "Courier-Bold"))


@cache
def _data(name: str) -> dict[str, Any]:
    return yaml.safe_load((DATA / f"{name}.yaml").read_text(encoding="utf-8"))


@dataclass
class Document:
    """One document of the packet: its kind, date of service, author and the lines to print."""

    kind: str
    date: dt.date
    author: str | None
    lines: list[str]
    font: tuple[str, str] = FONTS[0]
    page_footer: bool = True
    pages: list[int] = field(default_factory=list)  # filled when rendered


@dataclass
class Packet:
    seed: int
    documents: list[Document]
    case: dict[str, Any]

    def truth(self, file: str) -> dict[str, Any]:
        """The ground truth, as written beside the PDF."""
        return {
            "seed": self.seed,
            "file": file,
            "case": self.case,
            "documents": [
                {"kind": d.kind, "pages": d.pages, "date": d.date.isoformat(), "author": d.author} for d in self.documents
            ],
        }


def _us(date: dt.date) -> str:
    return date.strftime("%m/%d/%Y")


def _long(date: dt.date) -> str:
    return f"{date.strftime('%B')} {date.day}, {date.year}"


class _Maker:
    """Draws one packet's people, dates, requests and documents from a seeded generator."""

    def __init__(self, seed: int, *, with_ur: bool = True) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.with_ur = with_ur
        people, clinical = _data("people"), _data("clinical")
        rng = self.rng
        self.people, self.clinical = people, clinical
        self.sex = rng.choice(["female", "male"])
        self.first = rng.choice(people["first_names"][self.sex])
        self.last = rng.choice(people["last_names"])
        self.age = rng.randint(24, 64)
        self.injury = dt.date(2013, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 9))
        self.claim = rng.choice(
            [
                "{:04d}{:06d}".format(rng.randint(1000, 9999), rng.randint(0, 999999)),
                "{}{:07d}-{:03d}".format(rng.choice("ABCDEFGHJKLMNPRSTW"), rng.randint(0, 9999999), rng.randint(1, 999)),
                "{:05d}-{:02d}-{:04d}".format(rng.randint(10000, 99999), rng.randint(10, 99), rng.randint(0, 9999)),
            ]
        )
        self.region_name = rng.choice(sorted(clinical["regions"]))
        self.region = clinical["regions"][self.region_name]
        self.side = {"shoulder": "right", "knee": "left"}.get(self.region_name) or rng.choice(["right", "left"])
        self.physician = self._doctor("treating")
        self.specialty = rng.choice(people["specialties"]["treating"])
        self.practice = rng.choice(people["practices"])
        self.employer = rng.choice(people["employers"])
        self.admin = rng.choice(people["claims_administrators"])
        self.ur_company = rng.choice(people["ur_companies"])
        self.city = rng.choice(people["cities"])
        # The timeline: treatment since the injury, the RFA at the last visit, then UR, then IMR.
        span = rng.randint(120, 900)
        self.rfa_date = self.injury + dt.timedelta(days=span)
        self.ur_date = self.rfa_date + dt.timedelta(days=rng.randint(2, 6))
        self.received = self.ur_date + dt.timedelta(days=rng.randint(8, 35))
        self.expedited = rng.random() < 0.12
        # born so that the worker is `age` on the day the application is received
        self.dob = self.received.replace(year=self.received.year - self.age, day=1) - dt.timedelta(days=rng.randint(1, 360))
        self.meds = ", ".join(
            rng.sample(
                [
                    "Norco 10/325 mg",
                    "naproxen 550 mg",
                    "omeprazole 20 mg",
                    "gabapentin 300 mg",
                    "cyclobenzaprine 7.5 mg",
                    "tramadol 50 mg",
                ],
                3,
            )
        )
        self._requests()

    def _doctor(self, role: str) -> str:
        people = self.people
        return f"{self.rng.choice(people['physician_first'])} {self.rng.choice(people['physician_last'])}, {self.rng.choice(people['credentials'][role])}"

    def _fill(self, text: str) -> str:
        return text.replace("{side}", self.side)

    def _requests(self) -> None:
        rng = self.rng
        pool = [dict(r) for r in self.region["requests"]] + [dict(r) for r in rng.sample(self.clinical["drug_requests"], 4)]
        chosen = rng.sample(pool, rng.randint(1, 4))
        decisions = []
        for request in chosen:
            options = ["non-certified", "non-certified", "certified"] + (["modified"] * 2 if request.get("modify") else [])
            decisions.append(rng.choice(options))
        if all(d == "certified" for d in decisions):  # there is always something in dispute
            decisions[0] = "modified" if chosen[0].get("modify") else "non-certified"
        self.items = []
        bases = self.clinical["bases"]
        for request, decision in zip(chosen, decisions, strict=True):
            item = {"text": self._fill(request["text"]), "basis": bases[request["basis"]], "decision": decision}
            if decision == "modified":
                item["authorized"] = self._fill(request["modify"]["authorized"])
                item["remaining"] = self._fill(request["modify"]["remaining"])
            self.items.append(item)

    # --- the facts every template may use ---------------------------------------------------------

    def context(self, date: dt.date) -> dict[str, str]:
        rng, region = self.rng, self.region
        diagnoses = [d["text"] for d in region["diagnoses"]]
        he = "She" if self.sex == "female" else "He"
        return {
            "patient": f"{self.first} {self.last}",
            "patient_first": self.first,
            "patient_last_first": f"{self.last}, {self.first}",
            "dob": _us(self.dob),
            "doi": _us(self.injury),
            "claim": self.claim,
            "employer": self.employer,
            "admin": self.admin,
            "ur_company": self.ur_company,
            "physician_full": self.physician,
            "practice": self.practice,
            "specialty": self.specialty,
            "npi": str(rng.randint(1000000000, 1999999999)),
            "age": str(self.age),
            "sex_word": "woman" if self.sex == "female" else "man",
            "pronoun": he,
            "dos": _us(date),
            "dos_long": _long(date),
            "complaint": self._fill(region["complaint"]),
            "pain": str(rng.randint(4, 9)),
            "pain_without": str(rng.randint(7, 10)),
            "exam": self._fill(region["exam"]),
            "function_line": rng.choice(_data("documents")["function_lines"]).format(pronoun=he),
            "diagnosis_list": "; ".join(f"{d['text']} ({d['icd']})" for d in region["diagnoses"]),
            "diagnosis_numbered": "\n".join(f"{i}. {d}" for i, d in enumerate(diagnoses, 1)),
            "diagnosis_first": diagnoses[0],
            "plan": self._plan(),
            "mechanism_clause": rng.choice(region["mechanism"]),
            "meds": self.meds,
            "referrer": self.physician,
            "consultant_full": self._doctor("treating"),
            "consultant_specialty": rng.choice(self.people["specialties"]["consultant"]),
            "consult_plan": "Continue conservative care. Consider the requested treatment if symptoms persist.",
            "imaging_center_upper": rng.choice(self.people["imaging_centers"]).upper(),
            "imaging_exam": self._fill(region["imaging"]["exam"]),
            "imaging_finding": self._fill(region["imaging"]["finding"]),
            "imaging_impression": self._fill(region["imaging"]["impression"]),
            "radiologist_full": self._doctor("radiologist"),
            "emg_limbs": (region.get("emg") or {}).get("limbs", ""),
            "emg_finding": self._fill((region.get("emg") or {}).get("finding", "")),
            "surgeon_full": self._doctor("treating"),
            "assistant": rng.choice(["None", self._doctor("treating")]),
            "surgery_procedure": self._fill(region["surgery"]["procedure"]),
            "therapy_clinic_upper": rng.choice(self.people["therapy_clinics"]).upper(),
            "therapist_full": self._doctor("therapist"),
            "visit": str(rng.randint(2, 8)),
            "visits": "12",
            "therapy_progress": rng.choice(_data("documents")["therapy_progress"]),
            "lab_upper": rng.choice(self.people["labs"]).upper(),
            "lab_director": self._doctor("radiologist"),
            "uds_interpretation": rng.choice(_data("documents")["uds_interpretation"]),
            "received": _us(self.received),
            "received_stamp": self.received.strftime("%b %d %Y").upper(),
            "ur_date": _us(self.ur_date),
            "ur_date_long": _long(self.ur_date),
            "rfa_date": _us(self.rfa_date),
            "rfa_received": _us(self.rfa_date + dt.timedelta(days=1)),
            "signed": _us(self.received - dt.timedelta(days=rng.randint(1, 6))),
            "reviewer": self._doctor("reviewer"),
            "fax_date": _us(date),
            "fax_pages": str(rng.randint(12, 60)),
            "county": self.city,
            "declarant": f"{rng.choice(self.people['physician_first'])} {rng.choice(self.people['physician_last'])}",
            "street": f"{rng.randint(100, 9999)} {rng.choice(['Main', 'Oak', 'Mission', 'Valley', 'Harbor', 'Center'])} {rng.choice(['Street', 'Avenue', 'Blvd.'])}",
            "city": self.city,
            "zip": str(rng.randint(90001, 96162)),
            "area": str(rng.choice([209, 559, 661, 909, 951, 510, 831])),
            "phone": f"{rng.randint(200, 999)}-{rng.randint(1000, 9999)}",
            "fax": f"{rng.randint(200, 999)}-{rng.randint(1000, 9999)}",
            "review_boxes": "[X] Expedited review   [ ] Standard review"
            if self.expedited
            else "[ ] Expedited review   [X] Standard review",
        }

    def _plan(self) -> str:
        asks = " ".join(f"Request authorization for {i['text']}." for i in self.items[: self.rng.randint(1, len(self.items))])
        return f"Continue home exercise program. {asks} Follow up in 4 to 6 weeks."

    # --- blocks the templates name with "@" --------------------------------------------------------

    def block(self, name: str, ctx: dict[str, str]) -> list[str]:
        rng = self.rng
        disputed = [i for i in self.items if i["decision"] != "certified"]
        if name == "letterhead":
            return [f"# {ctx['practice'].upper()}"] + [line.format(**ctx) for line in _data("documents")["letterhead"][1:]]
        if name == "letterhead_ur":
            return [
                f"# {self.ur_company.upper()}",
                "Utilization Review Department",
                f"PO Box {rng.randint(1000, 99999)}, {self.city}, CA",
            ]
        if name == "letterhead_hospital":
            return [f"# {self.city.upper()} COMMUNITY HOSPITAL", "Department of Surgery"]
        if name == "application_items":
            return [f"{n}. {i['text']}" for n, i in enumerate(disputed, 1)]
        if name == "rfa_table":
            lines = ["Diagnosis (Required) | ICD-Code | Service/Good Requested | CPT/HCPCS | Other Information"]
            diagnosis = self.region["diagnoses"][0]
            for item in self.items:
                lines.append(
                    f"{diagnosis['text']} | {diagnosis['icd']} | {item['text']} | {rng.choice(['97110', '72148', '95886', 'J3490', '99213', '-'])} | {rng.choice(['', 'see report', 'per PR-2'])}"
                )
            return lines
        if name == "ur_table":
            lines = ["REQUESTED TREATMENT | DETERMINATION"]
            for n, item in enumerate(self.items, 1):
                decision = {"certified": "CERTIFIED", "non-certified": "NON-CERTIFIED"}.get(item["decision"]) or "MODIFIED"
                lines.append(f"{n}. {item['text']} | {decision}")
                if item["decision"] == "modified":
                    lines.append(f"   Modified to: {item['authorized']}")
                lines.append(f"   Guideline: {item['basis']}")
            return lines
        if name == "ur_rationale":
            return ["## CLINICAL RATIONALE", _data("documents")["ur_rationale"]]
        if name == "ur_rights":
            return [_data("documents")["ur_rights"]]
        if name == "ur_blocks":
            lines = []
            for n, item in enumerate(self.items, 1):
                decision = {"certified": "Certified", "non-certified": "Non-certified"}.get(
                    item["decision"]
                ) or f"Modified; certified: {item['authorized']}"
                lines += [
                    f"Request #{n}: {item['text']}",
                    f"Determination: {decision}",
                    f"Guidelines relied upon: {item['basis']}",
                ]
                if item["decision"] != "certified":
                    lines.append("Rationale: " + _data("documents")["ur_rationale"])
                lines.append("")
            return lines
        if name == "ur_narrative":
            lines = []
            for item in self.items:
                if item["decision"] == "certified":
                    lines.append(f"The request for {item['text']} is certified.")
                elif item["decision"] == "non-certified":
                    lines.append(f"The request for {item['text']} is non-certified. Criteria used: {item['basis']}.")
                else:
                    lines.append(
                        f"The request for {item['text']} has been modified to {item['authorized']}. Criteria used: {item['basis']}."
                    )
                lines.append("")
            return lines
        if name == "ncs_table":
            return ["Nerve | Latency (ms) | Amplitude | Velocity (m/s)"] + [
                f"{nerve} | {rng.uniform(2.5, 5.5):.1f} | {rng.uniform(4, 12):.1f} | {rng.randint(42, 58)}"
                for nerve in ("Median", "Ulnar", "Peroneal", "Tibial")
            ]
        if name == "uds_table":
            return ["Analyte | Result | Cutoff"] + [
                f"{a} | {rng.choice(['Negative', 'Negative', 'Positive'])} | {c} ng/mL"
                for a, c in (("Opiates", 300), ("Oxycodone", 100), ("Benzodiazepines", 200), ("Amphetamines", 500), ("THC", 50))
            ]
        if name == "filler":
            fillers = [f.format(meds=self.meds) for f in _data("documents")["filler"]]
            return rng.sample(fillers, rng.randint(1, len(fillers))) * rng.choice([1, 1, 1, 2])
        raise KeyError(name)

    def document(self, kind: str, date: dt.date, author: str | None, *, style: int | None = None) -> Document:
        styles = _data("documents")["kinds"][kind]
        template = styles[self.rng.randrange(len(styles))] if style is None else styles[style]
        ctx = self.context(date)
        role = {
            "progress_report": "physician_full",
            "rfa": "physician_full",
            "consultation": "consultant_full",
            "electrodiagnostic_report": "consultant_full",
            "imaging_report": "radiologist_full",
            "operative_report": "surgeon_full",
            "therapy_note": "therapist_full",
            "ur_determination": "reviewer",
        }.get(kind)
        if role and author:
            ctx[role] = author
        lines: list[str] = []
        for line in template:
            lines += self.block(line[1:], ctx) if line.startswith("@") else line.format(**ctx).split("\n")
        return Document(kind, date, author, lines, font=self.rng.choice(FONTS), page_footer=self.rng.random() < 0.6)

    def packet(self, *, records: int | None = None) -> Packet:
        rng = self.rng
        docs: list[Document] = []
        if rng.random() < 0.3:
            docs.append(self.document("other", self.received, None, style=0))
        docs.append(self.document("imr_application", self.received, None))
        if self.with_ur:
            reviewer = self._doctor("reviewer")
            docs.append(self.document("ur_determination", self.ur_date, reviewer))
        docs.append(self.document("rfa", self.rfa_date, self.physician, style=0))
        medical: list[Document] = []
        visits = sorted(
            {self.rfa_date - dt.timedelta(days=rng.randint(30, 400)) for _ in range(rng.randint(1, 4))} | {self.rfa_date}
        )
        for visit in visits:
            medical.append(self.document("progress_report", visit, self.physician))

        def before_rfa() -> dt.date:
            return self.injury + dt.timedelta(days=rng.randint(14, max(15, (self.rfa_date - self.injury).days - 7)))

        if rng.random() < 0.5:
            medical.append(self.document("consultation", before_rfa(), self._doctor("treating")))
        if rng.random() < 0.7:
            medical.append(self.document("imaging_report", before_rfa(), self._doctor("radiologist")))
        if self.region.get("emg") and rng.random() < 0.5:
            medical.append(self.document("electrodiagnostic_report", before_rfa(), self._doctor("treating")))
        if rng.random() < 0.25:
            medical.append(self.document("operative_report", before_rfa(), self._doctor("treating")))
        for _ in range(rng.choice([0, 0, 1, 2, 3])):
            medical.append(self.document("therapy_note", before_rfa(), self._doctor("therapist")))
        if rng.random() < 0.4:
            medical.append(self.document("drug_screen", before_rfa(), None))
        if rng.random() < 0.2:
            medical.append(self.document("other", before_rfa(), None, style=1))
        medical.sort(key=lambda d: d.date, reverse=rng.random() < 0.4)
        docs += medical if records is None else medical[:records]
        return Packet(self.seed, docs, self.case_truth())

    def case_truth(self) -> dict[str, Any]:
        requests = []
        for item in self.items:
            if item["decision"] == "non-certified":
                requests.append({"text": item["text"], "ur_basis": item["basis"]})
            elif item["decision"] == "modified":
                requests.append(
                    {
                        "text": item["remaining"],
                        "ur_basis": item["basis"],
                        "original_request": item["text"],
                        "authorized": item["authorized"],
                    }
                )
        return {
            "claim_number": self.claim,
            "injury_date": self.injury.isoformat(),
            "ur_decision_date": self.ur_date.isoformat(),  # the application states it even without the letter
            "received": self.received.isoformat(),
            "expedited": self.expedited,
            "worker": {"age": self.age, "sex": self.sex},
            "requests": requests,
        }


def make_packet(seed: int, *, with_ur: bool = True, records: int | None = None) -> Packet:
    """The packet of one seed (documents and ground truth), not yet rendered; `records` keeps only
    that many medical records (a short packet for a quick OCR test)."""
    return _Maker(seed, with_ur=with_ur).packet(records=records)


# --- rendering ------------------------------------------------------------------------------------


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    average = stringWidth("abcdefghijklmnopqrstuvwxyz ", font, size) / 27
    return textwrap.wrap(text, max(20, int(width / average))) or [""]


def render_packet(packet: Packet) -> bytes:
    """The packet as a typed PDF (a text layer on every page); fills each document's `pages`."""
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=True)
    page_number = 0
    for document in packet.documents:
        regular, bold = document.font
        pages: list[list[tuple[str, str, float]]] = [[]]
        y = PAGE_HEIGHT - MARGIN
        for line in document.lines:
            if line.startswith("# "):
                items = [(bold, line[2:], 13.0)]
            elif line.startswith("## "):
                items = [(bold, line[3:], 11.0)]
            elif " | " in line:
                row = "   ".join(part.strip() for part in line.split(" | "))
                items = [(regular, part, 9.0) for part in _wrap(row, regular, 9.0, PAGE_WIDTH - 2 * MARGIN)]
            else:
                items = [(regular, part, 10.0) for part in _wrap(line, regular, 10.0, PAGE_WIDTH - 2 * MARGIN)]
            for font, text, size in items:
                if y < MARGIN + 40:
                    pages.append([])
                    y = PAGE_HEIGHT - MARGIN - 30
                pages[-1].append((font, text, size))
                y -= size * 1.45
        document.pages = []
        for index, lines in enumerate(pages, 1):
            page_number += 1
            document.pages.append(page_number)
            y = PAGE_HEIGHT - MARGIN
            if index > 1:  # a continuation page repeats who it is about, as practices do
                canvas.setFont(regular, 8)
                canvas.drawString(MARGIN, y, f"Patient: {_patient(document)}   (continued)")
                y -= 30
            for font, text, size in lines:
                canvas.setFont(font, size)
                canvas.drawString(MARGIN, y, text)
                y -= size * 1.45
            if document.page_footer:
                canvas.setFont(regular, 8)
                canvas.drawString(PAGE_WIDTH / 2 - 30, MARGIN / 2, f"Page {index} of {len(pages)}")
            canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _patient(document: Document) -> str:
    for line in document.lines:
        if match := re.search(
            r"(?:Patient|Employee|RE|Injured worker|Patient name|Employee name):\s*([A-Z][a-z]+ [A-Z][a-z]+)", line
        ):
            return match.group(1)
    return ""


def write_packet(
    seed: int, directory: Path, *, with_ur: bool = True, records: int | None = None, scan: str | None = None
) -> tuple[Path, Path]:
    """Render the packet of `seed` to DIRECTORY/packet-SEED[-SCAN].pdf with its truth beside it (.yaml);
    `scan` names a style of `scan.STYLES` (clean300, clean200, skewed300, fax)."""
    packet = make_packet(seed, with_ur=with_ur, records=records)
    directory.mkdir(parents=True, exist_ok=True)
    name = f"packet-{seed}" + (f"-{scan}" if scan else "")
    pdf = directory / f"{name}.pdf"
    data = render_packet(packet)
    if scan:
        from imr.packets.synth.scan import STYLES, scan_pdf

        data = scan_pdf(data, STYLES[scan], seed=seed)
    pdf.write_bytes(data)
    truth = directory / f"{name}.yaml"
    truth.write_text(yaml.safe_dump(packet.truth(pdf.name), sort_keys=False), encoding="utf-8")
    return pdf, truth


def main(argv: list[str] | None = None) -> None:
    """`python -m imr.packets.synth.generator OUT_DIR SEED... [--scan STYLE] [--records N] [--no-ur]`"""
    import argparse

    parser = argparse.ArgumentParser(description="Write synthetic IMR packets (PDF) with their ground truth (YAML).")
    parser.add_argument("out", type=Path)
    parser.add_argument("seeds", type=int, nargs="+")
    parser.add_argument("--scan", choices=["clean300", "clean200", "skewed300", "fax"])
    parser.add_argument("--records", type=int, help="keep only this many medical records")
    parser.add_argument("--no-ur", action="store_true", help="leave out the UR determination")
    args = parser.parse_args(argv)
    for seed in args.seeds:
        pdf, _ = write_packet(seed, args.out, with_ur=not args.no_ur, records=args.records, scan=args.scan)
        print(pdf)


if __name__ == "__main__":
    main()


def big_packet(pages: int, *, seed: int = 0) -> bytes:
    """A packet of at least `pages` pages: one case's forms followed by the records of many visits, as
    a long-running claim's packet is (for memory and speed measurements, not for accuracy)."""
    first = make_packet(seed)
    documents = list(first.documents)
    render_packet(first)
    total, extra = documents[-1].pages[-1], seed
    while total < pages:
        extra += 1
        more = [d for d in make_packet(extra).documents if d.kind not in ("imr_application", "ur_determination", "rfa")]
        render_packet(Packet(extra, more, first.case))  # counts their pages
        total += sum(len(d.pages) for d in more)
        documents += more
    return render_packet(Packet(seed, documents, first.case))
