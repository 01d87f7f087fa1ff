"""`imr cases ...`, `imr reviewers ...`, `imr users ...`: the case service on the command line.

The command line acts as the local operator (role admin, recorded in the audit log as `cli:<OS user>`);
reviewer steps take `--reviewer ID` and act as that registered reviewer. The database is the one the
settings name (IMR_DATABASE_URL, else SQLite in IMR_DATA_DIR).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import typer

from imr.input_files import MAX_USER_FILE_BYTES

cases_app = typer.Typer(
    help="IMR cases: import, eligibility, records, assignment, review, signing, issuing, publishing.", no_args_is_help=True
)
reviewers_app = typer.Typer(help="The expert reviewer registry.", no_args_is_help=True)
users_app = typer.Typer(help="Accounts that sign in to the web app.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit log: who did what to which case, chained by hash.", no_args_is_help=True)

T = TypeVar("T")
CaseRef = typer.Argument(..., help="Case id or case number.")
ReviewerOpt = typer.Option(..., "--reviewer", help="Act as this registered reviewer (id).")
JsonOpt = typer.Option(False, "--json", help="Print JSON.")


@contextmanager
def _database() -> Iterator[Any]:
    from imr.cases import open_database

    database = open_database()
    try:
        yield database
    finally:
        database.dispose()


@contextmanager
def _session() -> Iterator[Any]:
    with _database() as database, database.transaction() as session:
        yield session


def _operator() -> Any:
    from imr.cases import command_line_actor

    return command_line_actor()


def _reviewer(reviewer_id: int) -> Any:
    from imr.cases import Actor
    from imr.cases.access import command_line_actor

    operator = command_line_actor()
    return Actor(username=f"{operator.username}:reviewer{reviewer_id}", role="reviewer", reviewer_id=reviewer_id)


def _print(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, default=str))


def _line(summary: dict[str, Any]) -> str:
    d = summary["deadline"]
    left = f"{d['days_left']:>4} days left" if d["days_left"] is not None else f"{d['status']:>14}"
    flags = (" EXPEDITED" if summary["expedited"] else "") + (" records overdue" if d["records_overdue"] else "")
    return f"{summary['id']:>5}  {summary['case_number']:<16} {summary['state']:<17} due {d['determination_due']} {left}  {d['status']}{flags}"


def _inside_case_folder(case_path: Path, document: str, field: str) -> Path:
    """The document a case file names, which must lie in the case file's folder (or below it): a case
    file from elsewhere must not make the service read, store and serve any file on this machine."""
    from imr.cases.errors import InvalidInput

    folder = case_path.resolve().parent
    relative = Path(document)
    if relative.is_absolute() or relative.drive or ".." in relative.parts:
        raise InvalidInput(
            f"{case_path}: {field}: {document!r} must be a path inside the case file's folder (no absolute path, no '..')"
        )
    where = (folder / relative).resolve()
    if not where.is_relative_to(folder):
        raise InvalidInput(f"{case_path}: {field}: {document!r} leads outside the case file's folder (a link)")
    return where


def _read_text(path: Path, what: str) -> str:
    from imr.cases.errors import InvalidInput

    try:
        if path.stat().st_size > MAX_USER_FILE_BYTES:
            raise InvalidInput(f"{path}: larger than {MAX_USER_FILE_BYTES // (1024 * 1024)} MB")
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput(f"{path}: cannot read {what} ({error.__class__.__name__})") from None


def _with_case(ref: str, action: Callable[[Any, Any], T]) -> T:
    with _session() as session:
        return action(session, ref)


# ---------------------------------------------------------------- cases


def _packet_case(path: Path) -> tuple[Any, list[Any]]:
    """The case file read from an IMR packet (a PDF or a folder of them), and the PDFs to file with it."""
    from imr.cases import service
    from imr.packets import packet_files, read_packet

    files = packet_files([path])
    intake = read_packet(files)
    for problem in intake.problems:
        print(f"imr cases import: {problem}", file=sys.stderr)
    documents = [service.NewDocument(filename=f.name, content=f.read_bytes(), kind="packet") for f in files]
    return intake.case(), documents


@cases_app.command("import")
def import_(
    path: Path = typer.Argument(
        ...,
        help="Case file (YAML or JSON; shape in docs/cases.md), or an IMR packet: a PDF or a folder of PDFs (read as `imr intake` does).",
    ),
    as_json: bool = JsonOpt,
) -> None:
    """File a new case; documents listed in the file are read relative to it. A packet is read into
    the case file and its PDFs are filed with the case."""
    from imr.casefile import load_case
    from imr.cases import service
    from imr.cases.documents import MAX_DOCUMENT_BYTES
    from imr.cases.errors import InvalidInput
    from imr.cases.intake import read_intake
    from imr.cases.views import case_view

    if path.is_dir() or path.suffix.lower() == ".pdf":
        case_file, documents = _packet_case(path)
        filed = f"from a packet: {len(case_file.records)} record(s)"
    else:
        case_file = load_case(path)
        documents = []
        for n, ref in enumerate(read_intake(case_file, source=str(path)).documents):
            where = _inside_case_folder(path, ref.path, f"documents[{n}].path")
            try:
                if where.stat().st_size > MAX_DOCUMENT_BYTES:
                    raise InvalidInput(
                        f"{path}: documents[{n}].path: {ref.path} is larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB"
                    )
                content = where.read_bytes()
            except OSError as error:
                raise InvalidInput(f"{path}: documents[{n}].path: cannot read {ref.path} ({error.__class__.__name__})") from None
            documents.append(service.NewDocument(filename=Path(ref.path).name, content=content, kind=ref.kind, date=ref.date))
        filed = f"{len(documents)} document(s)"
    # one import and one report, whether the case came from a case file or from a packet
    with _session() as session:
        case = service.import_case(session, _operator(), case_file, documents=documents, source=str(path))
        session.flush()
        view = case_view(case)
    if as_json:
        _print(view)
    else:
        typer.echo(f"imported case {view['case_number']} (id {view['id']}): {len(view['items'])} item(s), {filed}")
        typer.echo(_line(view))


@cases_app.command("list")
def list_(state: str = typer.Option(None, help="Only cases in this state."), as_json: bool = JsonOpt) -> None:
    """Every case with its state and deadline."""
    from imr.cases import service
    from imr.cases.views import case_summary

    with _session() as session:
        rows = [case_summary(c) for c in service.list_cases(session, _operator(), state=state, limit=100_000)]
    if as_json:
        _print(rows)
    else:
        for row in rows:
            typer.echo(_line(row))


@cases_app.command("show")
def show(ref: str = CaseRef, as_json: bool = JsonOpt) -> None:
    """One case: parties, items, documents, assignments, deadline, determination."""
    from imr.cases import service
    from imr.cases.views import case_view

    with _session() as session:
        view = case_view(service.load_case(session, _operator(), ref))
    if as_json:
        _print(view)
        return
    typer.echo(_line(view))
    if view["eligibility_reason"]:
        typer.echo(f"  ineligible: {view['eligibility_reason']}")
    for item in view["items"]:
        typer.echo(f"  item: {item['text']} ({item['kind']})")
    for party in view["parties"]:
        typer.echo(f"  {party['role']}: {party['name']}")
    for doc in view["documents"]:
        typer.echo(f"  document: {doc['filename']} {doc['media_type']} {doc['page_count']} page(s) sha256 {doc['sha256'][:12]}")
    for a in view["assignments"]:
        typer.echo(f"  reviewer: {a['reviewer']} (id {a['reviewer_id']}){'' if a['active'] else ' (ended)'}")
    if view["determination"]:
        d = view["determination"]
        typer.echo(
            f"  determination: version {d['number']} {d['status']}"
            + (f" sha256 {d['content_hash'][:12]}" if d["content_hash"] else "")
        )


@cases_app.command("eligibility")
def eligibility(ref: str = CaseRef) -> None:
    """Screen the application (timely, a UR decision on medical necessity, not liability, not a duplicate)."""
    from imr.cases import service

    decision = _with_case(ref, lambda s, r: service.decide_eligibility(s, _operator(), r))
    if decision.eligible:
        typer.echo(f"eligible (application was due by {decision.application_due})")
    else:
        typer.echo("ineligible: " + "; ".join(decision.reasons))


@cases_app.command("records-complete")
def records_complete(
    ref: str = CaseRef,
    on: dt.datetime = typer.Option(None, formats=["%Y-%m-%d"], help="Date the records were complete (default today)."),
) -> None:
    """Mark the medical records complete; the determination clock runs from that date."""
    from imr.cases import service
    from imr.cases.views import case_summary

    summary = _with_case(
        ref, lambda s, r: case_summary(service.complete_records(s, _operator(), r, on=on.date() if on else None))
    )
    typer.echo(_line(summary))


@cases_app.command("extend")
def extend(
    ref: str = CaseRef,
    days: int = typer.Option(..., help="Days to add (at most 3 in all)."),
    reason: str = typer.Option(..., help="The extraordinary circumstances and the AD's approval."),
) -> None:
    """Extend the determination deadline (LC 4610.6(d))."""
    from imr.cases import service
    from imr.cases.views import case_summary

    typer.echo(
        _line(_with_case(ref, lambda s, r: case_summary(service.extend_deadline(s, _operator(), r, days=days, reason=reason))))
    )


@cases_app.command("add-document")
def add_document(
    ref: str = CaseRef,
    path: Path = typer.Argument(..., help="PDF or text record."),
    kind: str = typer.Option(None, help="e.g. progress note, UR decision."),
    date: dt.datetime = typer.Option(None, formats=["%Y-%m-%d"]),
) -> None:
    """File a medical record with the case (stored once by content hash); a PDF is read into the case's
    records as a packet's are, for the reviewer's refreshed draft."""
    from imr.cases import service
    from imr.cases.packets import read_later_records
    from imr.cases.views import document_view

    try:
        content = path.read_bytes()
    except OSError as error:
        raise service.InvalidInput(f"{path}: cannot read ({error.__class__.__name__})") from None
    new = service.NewDocument(filename=path.name, content=content, kind=kind, date=date.date() if date else None)
    read = read_later_records(path.name, content)
    for problem in read.problems:
        print(f"imr cases add-document: {problem}", file=sys.stderr)
    view = _with_case(ref, lambda s, r: document_view(service.add_document(s, _operator(), r, new, read=read)))
    typer.echo(
        f"filed {view['filename']}: {view['media_type']}, {view['page_count']} page(s), sha256 {view['sha256']}"
        + (f"; {len(read.records)} record(s) read" if read.records else "")
    )


def _print_screening(result: dict[str, Any]) -> None:
    if result["chosen"]:
        typer.echo(
            f"assignable: {result['chosen']['name']} (id {result['chosen']['id']}, {result['chosen']['open_cases']} open case(s))"
        )
    for excluded in result["excluded"]:
        typer.echo(f"excluded: {excluded['name']} (id {excluded['id']}): {'; '.join(excluded['reasons'])}")


@cases_app.command("screen")
def screen(ref: str = CaseRef) -> None:
    """Screen every registered reviewer for the case, saying why each excluded one is excluded."""
    from imr.cases import service

    _print_screening(_with_case(ref, lambda s, r: service.screen_reviewers(s, _operator(), r).as_dict()))


@cases_app.command("assign")
def assign(
    ref: str = CaseRef,
    reviewer: int = typer.Option(None, "--reviewer", help="Assign this reviewer (still screened)."),
    add: bool = typer.Option(False, "--add", help="Keep the current reviewer(s): a panel."),
) -> None:
    """Assign the least-loaded qualified, independent reviewer."""
    from imr.cases import service

    result = _with_case(ref, lambda s, r: service.assign(s, _operator(), r, reviewer_id=reviewer, add=add).as_dict())
    typer.echo(f"assigned {result['chosen']['name']} (id {result['chosen']['id']})")
    for excluded in result["excluded"]:
        typer.echo(f"excluded: {excluded['name']} (id {excluded['id']}): {'; '.join(excluded['reasons'])}")


@cases_app.command("due")
def due(
    as_json: bool = JsonOpt,
    check: bool = typer.Option(False, "--check", help="Exit with status 1 when a case is overdue (for a scheduled job)."),
) -> None:
    """Open cases overdue or at risk of missing the statutory deadline, and cases waiting on overdue records."""
    from imr.cases import service
    from imr.cases.views import case_summary

    with _session() as session:
        rows = [case_summary(c) for c, _ in service.due_cases(session, _operator())]
    if as_json:
        _print(rows)
    elif not rows:
        typer.echo("no case is overdue or at risk")
    else:
        for row in rows:
            typer.echo(_line(row))
    if check and any(row["deadline"]["status"] == "overdue" or row["deadline"]["records_overdue"] for row in rows):
        raise typer.Exit(1)


@cases_app.command("review")
def review(
    ref: str = CaseRef, reviewer: int = ReviewerOpt, out: Path = typer.Option(None, "--out", help="Write the draft (JSON) here.")
) -> None:
    """Start the review: the engine's draft per item becomes the open draft."""
    from imr.cases import service

    with _database() as database:
        draft = service.open_review(database, _reviewer(reviewer), ref).content
    text = json.dumps(draft, indent=2)
    if out:
        out.write_text(text + "\n")
        typer.echo(f"draft written to {out}; edit it, then: imr cases edit {ref} {out} --reviewer {reviewer}")
    else:
        typer.echo(text)


@cases_app.command("edit")
def edit(
    ref: str = CaseRef,
    path: Path = typer.Argument(..., help="The edited determination (JSON or YAML)."),
    reviewer: int = ReviewerOpt,
) -> None:
    """Save the reviewer's edited draft."""
    from imr import input_files
    from imr.cases import service
    from imr.model import Determination

    document = input_files.read(path, error=service.InvalidInput)
    determination = input_files.validate(Determination, document, error=service.InvalidInput)
    number = _with_case(ref, lambda s, r: service.save_draft(s, _reviewer(reviewer), r, determination).number)
    typer.echo(f"draft version {number} saved")


@cases_app.command("sign")
def sign(ref: str = CaseRef, reviewer: int = ReviewerOpt) -> None:
    """Sign the open draft: immutable from now on, identified by its SHA-256."""
    from imr.cases import service

    number, digest = _with_case(ref, lambda s, r: (lambda v: (v.number, v.content_hash))(service.sign(s, _reviewer(reviewer), r)))
    typer.echo(f"signed version {number}, sha256 {digest}")


@cases_app.command("correct")
def correct(
    ref: str = CaseRef,
    reviewer: int = ReviewerOpt,
    reason: str = typer.Option(..., help="Why the signed determination is corrected."),
) -> None:
    """Open a correction: a new draft version; the signed one is kept unchanged."""
    from imr.cases import service

    number = _with_case(ref, lambda s, r: service.correct(s, _reviewer(reviewer), r, reason=reason).number)
    typer.echo(f"correction opened as draft version {number}")


@cases_app.command("issue")
def issue(ref: str = CaseRef, out: Path = typer.Option(None, "--out", help="Also write the letter PDF here.")) -> None:
    """Render the Final Determination Letter (PDF) and mark the case issued."""
    from imr.cases import service
    from imr.settings import get_settings

    with _database() as database:
        pdf = service.issue_letter(database, _operator(), ref, organization=get_settings().organization).letter_pdf
    assert pdf is not None  # issuing stores the rendered letter or raises
    if out:
        out.write_bytes(pdf)
    typer.echo(f"issued: {len(pdf)} bytes" + (f", written to {out}" if out else ""))


@cases_app.command("publish")
def publish(
    ref: str = CaseRef, out: Path = typer.Option(None, "--out", help="Write the redacted letter text here (else print it).")
) -> None:
    """Publish the redacted determination (identifying details of the worker, providers and parties removed)."""
    from imr.cases import service
    from imr.settings import get_settings

    with _database() as database:
        report = service.publish_letter(database, _operator(), ref, organization=get_settings().organization)
        with database.transaction() as session:
            text = service.published_copy(service.load_case(session, _operator(), ref, action="publication.read")).text
    replaced = ", ".join(f"{n} {k}" for k, n in sorted(report["replacements"].items())) or "nothing"
    if out:
        out.write_text(text)
        typer.echo(f"published version {report['version']} to {out}; redacted: {replaced}")
    else:
        sys.stdout.write(text)
        typer.echo(f"\n-- redacted: {replaced}", err=True)


# ---------------------------------------------------------------- reviewers and users


@reviewers_app.command("add")
def reviewers_add(path: Path = typer.Argument(..., help="YAML: one reviewer or a list (shape in docs/cases.md).")) -> None:
    """Register reviewers with their credentials and affiliations."""
    from imr import input_files
    from imr.cases.errors import InvalidInput
    from imr.cases.registry import ReviewerIn, add_reviewer

    document = input_files.read(path, error=InvalidInput)
    places = [(n,) for n in range(len(document.data))] if isinstance(document.data, list) else [()]
    # every entry is checked before any is registered
    entries = [input_files.validate(ReviewerIn, document, error=InvalidInput, within=at) for at in places]
    with _session() as session:
        for entry in entries:
            reviewer = add_reviewer(session, _operator(), entry)
            session.flush()
            typer.echo(f"registered {reviewer.name} (id {reviewer.id})")


@reviewers_app.command("list")
def reviewers_list(as_json: bool = JsonOpt) -> None:
    """The registry, with open cases per reviewer."""
    from imr.cases.registry import list_reviewers

    with _session() as session:
        rows = list_reviewers(session, _operator())
    if as_json:
        _print(rows)
        return
    for r in rows:
        typer.echo(
            f"{r['id']:>4}  {r['name']:<28} {', '.join(r['specialties']):<50} licensed {','.join(r['license_states']) or '-'}  {r['open_cases']} open"
        )


@users_app.command("add")
def users_add(
    username: str = typer.Argument(...),
    role: str = typer.Option(..., help="admin, intake, reviewer or auditor."),
    reviewer: int = typer.Option(None, "--reviewer", help="For role reviewer: the registry id."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input."),
) -> None:
    """Create an account (the password is asked for, or read from stdin)."""
    from imr.web.accounts import create_user

    password = (
        sys.stdin.readline().rstrip("\n")
        if password_stdin
        else typer.prompt("password", hide_input=True, confirmation_prompt=True)
    )
    with _session() as session:
        user = create_user(session, _operator(), username, password, role, reviewer_id=reviewer)
        session.flush()
        typer.echo(f"created user {user.username} (id {user.id}, {user.role})")


def _password(password_stdin: bool) -> str:
    return (
        sys.stdin.readline().rstrip("\n")
        if password_stdin
        else typer.prompt("password", hide_input=True, confirmation_prompt=True)
    )


@users_app.command("list")
def users_list(as_json: bool = JsonOpt) -> None:
    """Every account with its role and whether it is active."""
    from imr.web.accounts import list_users

    with _session() as session:
        rows = list_users(session, _operator())
    if as_json:
        _print(rows)
        return
    for u in rows:
        typer.echo(f"{u['id']:>4}  {u['username']:<24} {u['role']:<9} {'active' if u['active'] else 'deactivated'}")


@users_app.command("passwd")
def users_passwd(
    username: str = typer.Argument(...),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input."),
) -> None:
    """Set a user's password (a reset); their sessions end."""
    from imr.web.accounts import reset_password

    password = _password(password_stdin)
    with _session() as session:
        reset_password(session, _operator(), username, password)
    typer.echo(f"password of {username} changed; their sessions have ended")


@users_app.command("deactivate")
def users_deactivate(username: str = typer.Argument(...)) -> None:
    """Deactivate an account: sign-in refused, every session ended (the audit trail keeps the name)."""
    from imr.web.accounts import set_active

    with _session() as session:
        set_active(session, _operator(), username, False)
    typer.echo(f"deactivated {username}")


@users_app.command("activate")
def users_activate(username: str = typer.Argument(...)) -> None:
    """Reactivate a deactivated account."""
    from imr.web.accounts import set_active

    with _session() as session:
        set_active(session, _operator(), username, True)
    typer.echo(f"activated {username}")


@users_app.command("role")
def users_role(
    username: str = typer.Argument(...),
    role: str = typer.Argument(..., help="admin, intake, reviewer or auditor."),
    reviewer: int = typer.Option(None, "--reviewer", help="For role reviewer: the registry id."),
) -> None:
    """Change an account's role; their sessions end."""
    from imr.web.accounts import set_role

    with _session() as session:
        set_role(session, _operator(), username, role, reviewer_id=reviewer)
    typer.echo(f"{username} is now {role}")


# ---------------------------------------------------------------- the audit log


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the audit log's hash chain and every signed determination (content and issued letter);
    print the first broken link and exit 1 if anything was changed, removed or slipped in."""
    from imr.cases.access import require
    from imr.cases.audit_chain import verify

    require(_operator(), "audit.read")
    with _database() as database, database.reading() as session:
        result = verify(session)
    for broken in result.breaks:
        typer.echo(f"imr: audit verify: broken at {broken.where}: {broken.reason}", err=True)
    if result.breaks:
        raise typer.Exit(1)
    typer.echo(f"intact: {result.entries} audit entries chained, {result.signed_versions} signed version(s) match their hashes")


def register(app: typer.Typer) -> None:
    """Register this module's commands on the main app."""
    app.add_typer(cases_app, name="cases")
    app.add_typer(reviewers_app, name="reviewers")
    app.add_typer(users_app, name="users")
    app.add_typer(audit_app, name="audit")
