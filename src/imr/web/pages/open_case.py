"""Opening a case from a form: parties, disputed items, dates and priority typed in, the records
uploaded beside them; no case file to write.

The form becomes the same case file `imr cases import` reads (`imr.casefile.parse_case`) and is filed
by the same service function (`imr.cases.service.import_case`), so a case opened here and one imported
from YAML are alike in every respect. Each mistake is reported next to its field and the form comes
back filled in as it was sent (only the chosen files must be chosen again: a browser never refills a
file input).
"""

from __future__ import annotations

import datetime as dt
import re
import typing
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData, UploadFile

from imr.casefile import CaseFile, parse_case
from imr.cases import service
from imr.cases.access import require
from imr.cases.clock import california_today
from imr.cases.errors import InvalidInput, StepRefused
from imr.cases.intake import party_roles
from imr.errors import CaseFileError
from imr.model import Sex
from imr.web.pages.casepage import MAX_UPLOAD_BYTES, done
from imr.web.pages.render import page
from imr.web.pages.routing import PageRoute
from imr.web.pages.session import PageSession, form_session

router = APIRouter(route_class=PageRoute)

# Rows the form offers; a case with more parties or documents adds them on the case page or by file.
# where a party's organization goes in the case file: a provider's practice, an attorney's firm
ORGANIZATION_FIELD = {"requesting_provider": "practice", "attorney": "firm"}
PARTY_ROWS = ("injured_worker", "employer", "claims_administrator", "ur_organization", "requesting_provider", "attorney")
DOCUMENT_ROWS = 4
CASE_NUMBER_LENGTH = 40  # the column's width (cases.case_number)
CLAIM_NUMBER_LENGTH = 60  # the column's width (cases.claim_number)
SEXES: tuple[str, ...] = typing.get_args(Sex)


@dataclass
class OpenCaseForm:
    """What the form was sent with (to fill it in again) and what is wrong with it, by field name."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def text(self, name: str) -> str:
        return self.values.get(name, "").strip()

    def date(self, name: str, label: str, *, required: bool = False) -> dt.date | None:
        value = self.text(name)
        if not value:
            if required:
                self.errors[name] = f"{label} is required"
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.errors[name] = f"{label}: {value!r} is not a date (YYYY-MM-DD)"
            return None


def blank_form() -> dict[str, Any]:
    """The template context of an empty form: the party rows with their roles chosen."""
    values = {f"party_role_{n}": role for n, role in enumerate(PARTY_ROWS)}
    return form_context(OpenCaseForm(values=values))


def form_context(form: OpenCaseForm) -> dict[str, Any]:
    return {
        "form": form.values,
        "errors": form.errors,
        "party_rows": range(len(PARTY_ROWS)),
        "document_rows": range(DOCUMENT_ROWS),
        "party_roles": party_roles(),
        "sexes": SEXES,
        "today": california_today(),
    }


# ---------------------------------------------------------------- the form as a case file


def _worker(form: OpenCaseForm) -> dict[str, Any]:
    worker: dict[str, Any] = {}
    age = form.text("worker_age")
    if age:
        if not age.isdigit() or not 0 <= int(age) <= 120:
            form.errors["worker_age"] = f"age: {age!r} is not an age in years (0 to 120)"
        else:
            worker["age"] = int(age)
    sex = form.text("worker_sex")
    if sex:
        if sex not in SEXES:
            form.errors["worker_sex"] = f"sex must be one of: {', '.join(SEXES)}"
        else:
            worker["sex"] = sex
    return worker


def _parties(form: OpenCaseForm) -> list[dict[str, Any]]:
    roles = party_roles()
    parties = []
    for n in range(len(PARTY_ROWS)):
        role, name, organization = form.text(f"party_role_{n}"), form.text(f"party_name_{n}"), form.text(f"party_org_{n}")
        if role == "injured_worker" and not name:
            form.errors[f"party_name_{n}"] = "the injured worker's name is required"
            continue
        if not name and not organization:
            continue  # an unused row
        if role not in roles:
            form.errors[f"party_role_{n}"] = f"unknown role {role!r}"
            continue
        if not name:
            form.errors[f"party_name_{n}"] = f"a name is needed for {roles[role]['label']}"
            continue
        party: dict[str, Any] = {"role": role, "name": name}
        if organization:
            # the practice or firm is screened for conflicts like a party; the case file names it by role
            party[ORGANIZATION_FIELD.get(role, "practice")] = organization
        parties.append(party)
    return parties


def _items(form: OpenCaseForm) -> list[dict[str, str]]:
    items = [{"text": line.strip()} for line in form.values.get("items", "").splitlines() if line.strip()]
    if not items:
        form.errors["items"] = "list at least one disputed item, one a line, as the UR decision names it"
    return items


def case_file_of(form: OpenCaseForm) -> dict[str, Any]:
    """The case file the form describes (the shape of docs/cases.md); mistakes go to `form.errors`."""
    today = california_today()
    number = form.text("case_number")
    if len(number) > CASE_NUMBER_LENGTH:
        form.errors["case_number"] = f"case number is longer than {CASE_NUMBER_LENGTH} characters"
    elif number.isdigit():
        form.errors["case_number"] = "a case number of digits only would read as a case id; use the DWC form (CM17-0000001)"
    claim = form.text("claim_number")
    if len(claim) > CLAIM_NUMBER_LENGTH:
        form.errors["claim_number"] = f"claim number is longer than {CLAIM_NUMBER_LENGTH} characters"
    received = form.date("received", "the date the application was received", required=True)
    if received and received > today:
        form.errors["received"] = f"the application cannot be received in the future ({received}; today is {today} in California)"
    ur_date = form.date("ur_decision_date", "UR decision date")
    injury = form.date("injury_date", "date of injury")
    if received and ur_date and ur_date > received:
        form.errors["ur_decision_date"] = "the UR decision comes before the application for its review"
    later = ur_date or received
    if injury and later and injury > later:
        form.errors["injury_date"] = "the injury comes before the UR decision and the application"
    priority = form.text("priority") or "standard"
    if priority not in ("standard", "expedited"):
        form.errors["priority"] = "priority is standard or expedited"
    data: dict[str, Any] = {
        "case_number": number or None,
        "received": received,
        "expedited": priority == "expedited",
        "injury_date": injury,
        "ur_decision_date": ur_date,
        "claim_number": claim or None,
        "worker": _worker(form),
        "parties": _parties(form),
        "requests": _items(form),
    }
    organization = form.text("ur_organization")
    if organization or ur_date:
        data["ur_decision"] = {k: v for k, v in {"date": ur_date, "organization": organization or None}.items() if v}
    return {key: value for key, value in data.items() if value is not None}


def _field_of(message: str) -> str:
    """The form field a case-file error is about ('form: invalid field parties.0.name: ...')."""
    found = re.search(r"invalid field ([\w.]+)", message)
    where = found.group(1) if found else ""
    if (party := re.match(r"parties\.(\d+)\.(\w+)", where)) is not None:
        return f"party_{'role' if party.group(2) == 'role' else 'name'}_{party.group(1)}"
    if where.startswith("requests"):
        return "items"
    if where.startswith("worker."):
        return "worker_" + where.split(".")[1]
    return where.split(".")[0] if where else "form"


@dataclass(frozen=True)
class Upload:
    row: int
    document: service.NewDocument


def documents_of(form: OpenCaseForm, raw: FormData) -> list[Upload]:
    """The uploaded records, each with the kind and date typed beside it."""
    found = []
    for n in range(DOCUMENT_ROWS):
        upload = raw.get(f"doc_file_{n}")
        if not isinstance(upload, UploadFile) or not upload.filename:
            continue
        content = upload.file.read(MAX_UPLOAD_BYTES + 1)
        if len(content) > MAX_UPLOAD_BYTES:
            form.errors[f"doc_file_{n}"] = f"{upload.filename}: larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB"
            continue
        if not content:
            form.errors[f"doc_file_{n}"] = f"{upload.filename}: the file is empty"
            continue
        date = form.date(f"doc_date_{n}", "document date")
        found.append(
            Upload(
                n,
                service.NewDocument(
                    filename=upload.filename, content=content, kind=form.text(f"doc_kind_{n}") or None, date=date
                ),
            )
        )
    return found


# ---------------------------------------------------------------- the route


async def posted_form(request: Request) -> FormData:
    return await request.form()  # parsed once: the CSRF check has read it already


@router.post("/cases/open")
def open_case(request: Request, raw: FormData = Depends(posted_form), session: PageSession = Depends(form_session)) -> Response:
    require(session.actor, "cases.write")  # before any of the form is judged
    form = OpenCaseForm(values={k: v for k, v in raw.items() if isinstance(v, str) and k != "csrf_token"})
    data = case_file_of(form)
    uploads = documents_of(form, raw)
    case_file: CaseFile | None = None
    if not form.errors:
        try:
            case_file = parse_case(data, source="form")
        except CaseFileError as error:
            form.errors[_field_of(str(error))] = str(error).removeprefix("form: ")
    if case_file is not None and not form.errors:
        try:
            with request.app.state.database.transaction() as db:
                case = service.import_case(db, session.actor, case_file, documents=[u.document for u in uploads], source="form")
                db.flush()
                case_id = case.id
            return done(case_id, "opened")
        except StepRefused as error:  # the case number is on file already
            form.errors["case_number"] = str(error)
        except InvalidInput as error:  # a document that is neither PDF nor text
            message = str(error)
            row = next((u.row for u in uploads if message.startswith(u.document.filename + ":")), None)
            form.errors[f"doc_file_{row}" if row is not None else "form"] = message
        except CaseFileError as error:
            form.errors[_field_of(str(error))] = str(error).removeprefix("form: ")
    if uploads:
        form.errors.setdefault("documents", "nothing was filed: choose the files again after correcting the form")
    return page(request, "import.html", {"session": session, **form_context(form)}, status_code=422)
