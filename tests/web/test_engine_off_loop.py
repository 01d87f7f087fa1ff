"""The review engine runs off the server's event loop: while one reviewer's large case is being drafted,
other requests are answered at once."""

from __future__ import annotations

import threading
import time

from fastapi.testclient import TestClient

from tests.web.test_api import _json_case

NOTE = "She has taken Norco 10/325 mg twice daily since 2012 with pain 7/10; start gabapentin. "


def test_a_long_engine_draft_does_not_stall_other_requests(site) -> None:
    case = _json_case(records=[{"date": "2016-12-12", "text": NOTE * 4000}])  # a 350 KB record
    ian, haddad = site["ian"], site["haddad"]
    case_id = ian.post("/api/cases", json=case).json()["id"]
    ian.post(f"/api/cases/{case_id}/eligibility")
    ian.post(f"/api/cases/{case_id}/records-complete", json={"on": "2026-11-20"})
    assert ian.post(f"/api/cases/{case_id}/assignment").status_code == 200
    with TestClient(site.app) as shared:  # one event loop for every request below
        shared.headers["Authorization"] = haddad.headers["Authorization"]
        drafted: dict[str, float] = {}

        def draft() -> None:
            started = time.perf_counter()
            assert shared.post(f"/api/cases/{case_id}/review").status_code == 200
            drafted["seconds"] = time.perf_counter() - started

        worker = threading.Thread(target=draft)
        worker.start()
        time.sleep(0.5)
        waits = []
        while worker.is_alive() and len(waits) < 20:
            started = time.perf_counter()
            assert shared.get("/healthz").status_code == 200
            waits.append(time.perf_counter() - started)
            time.sleep(0.1)
        worker.join()
    assert drafted["seconds"] > 1.0 and waits, "the draft was too quick to show anything"
    assert max(waits) < 1.0, (max(waits), drafted)
