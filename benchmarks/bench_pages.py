"""How long the workbench pages take to render over a database of many cases.

    python benchmarks/bench_pages.py [--cases 300] [--repeat 10]

Seeds a fresh SQLite database (temporary directory) with the example reviewers, one user per role and
`--cases` copies of imr/examples/service/case.yaml (a third assigned to Dr. Haddad and opened for review, a
tenth of those signed), then times the pages in-process (FastAPI's test client, no network): the queue
of intake (every case) and of the reviewer, the dashboard, and the case page of a case in review
(records, marked evidence, checklist). Prints the median and the slowest time per page.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path

import yaml
from fastapi.testclient import TestClient

from imr.casefile import parse_case
from imr.cases import command_line_actor, service
from imr.cases.testing import add_example_reviewers
from imr.settings import Settings
from imr.web.app import create_app
from imr.web.accounts import create_user
from imr.examples import EXAMPLE_SERVICE

EXAMPLES = EXAMPLE_SERVICE
PASSWORD = "benchmark password"


def seed(app, cases: int) -> int:  # type: ignore[no-untyped-def]
    """The example case `cases` times; returns the id of one case in review."""
    admin = command_line_actor()
    example = yaml.safe_load((EXAMPLES / "case.yaml").read_text())
    with app.state.database.transaction() as session:
        ids = add_example_reviewers(session, admin)
        for name, role, reviewer in (("ian", "intake", None), ("haddad", "reviewer", ids["Dr. Omar Haddad"])):
            create_user(session, admin, name, PASSWORD, role, reviewer_id=reviewer)
    reviewer = command_line_actor("reviewer", ids["Dr. Omar Haddad"])
    in_review = 0
    for n in range(cases):
        data = {**example, "case_number": f"CM17-{n:07d}", "claim_number": f"CLAIM-{n}", "documents": []}
        with app.state.database.transaction() as session:
            case = service.import_case(session, admin, parse_case(data))
            session.flush()
            case_id = case.id
            if n % 3:
                continue
            service.decide_eligibility(session, admin, case_id)
            service.complete_records(session, admin, case_id)
            service.assign(session, admin, case_id, reviewer_id=ids["Dr. Omar Haddad"])
        service.open_review(app.state.database, reviewer, case_id)
        in_review = case_id
        if n % 30 == 0:
            with app.state.database.transaction() as session:
                draft = service.latest_version(service.load_case(session, reviewer, case_id))
                decided = service.parse_determination(draft.content)
                for issue in decided.issues:
                    issue.outcome = issue.outcome or "Upheld"
                    issue.rationale = issue.rationale or "Not supported by the MTUS."
                service.save_draft(session, reviewer, case_id, decided)
            with app.state.database.transaction() as session:
                service.sign(session, reviewer, case_id)
    return in_review


def signed_in(app, username: str) -> TestClient:  # type: ignore[no-untyped-def]
    client = TestClient(app, follow_redirects=False)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    return client


def timed(client: TestClient, path: str, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        answer = client.get(path)
        times.append(time.perf_counter() - started)
        if answer.status_code != 200:
            raise SystemExit(f"{path}: HTTP {answer.status_code}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as where:
        app = create_app(Settings(data_dir=Path(where), database_url=f"sqlite:///{where}/imr.sqlite3", secret_key="bench"))
        started = time.perf_counter()
        case_id = seed(app, args.cases)
        print(f"seeded {args.cases} cases in {time.perf_counter() - started:.1f} s")
        intake, reviewer = signed_in(app, "ian"), signed_in(app, "haddad")
        reviewer.get(f"/cases/{case_id}")  # the first page loads the review engine's pipeline once per process
        for label, client, path in (
            ("queue (intake, all cases)", intake, "/queue"),
            ("queue (reviewer, own cases)", reviewer, "/queue"),
            ("dashboard (intake)", intake, "/dashboard"),
            ("case page in review", reviewer, f"/cases/{case_id}"),
        ):
            times = timed(client, path, args.repeat)
            print(f"{label:30s} median {statistics.median(times) * 1000:7.1f} ms   max {max(times) * 1000:7.1f} ms")
        app.state.database.dispose()


if __name__ == "__main__":
    main()
