"""Sign-in throttling, audited sign-ins, absolute session lifetime, server-side sign-out, password
changes and account administration (API and CLI)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text

from imr.web import auth
from tests.web.conftest import PASSWORD
from tests.web.test_pages import CSRF


def _token(client: TestClient, username: str, password: str = PASSWORD):
    return client.post("/api/token", data={"username": username, "password": password})


def _trail(site, actions: tuple[str, ...]) -> list[tuple[str, str, str]]:
    rows = site["aud"].get("/api/audit", params={"limit": 500}).json()
    return [(r["username"], r["action"], r["outcome"]) for r in reversed(rows) if r["action"] in actions]


def test_ten_failures_for_one_user_lock_it_until_the_window_passes(site) -> None:
    for n in range(auth.MAX_FAILURES):  # from different addresses: the user is what is locked
        assert _token(TestClient(site.app, client=(f"10.0.0.{n}", 5000)), "ian", "wrong password!").status_code == 401
    client = TestClient(site.app, client=("10.0.1.1", 5000))
    locked = _token(client, "ian")  # even the right password, while locked
    assert locked.status_code == 429 and "too many failed sign-ins" in locked.json()["detail"]
    assert _token(client, "ada").status_code == 200  # another user is not locked
    trail = _trail(site, ("sign_in", "sign_in.lockout", "sign_in.locked"))
    assert trail.count(("ian", "sign_in", "denied")) == auth.MAX_FAILURES
    assert ("ian", "sign_in.lockout", "denied") in trail and ("ian", "sign_in.locked", "denied") in trail
    assert ("ada", "sign_in", "ok") in trail
    with site.app.state.database.engine.begin() as connection:  # 16 minutes later
        connection.execute(
            text("UPDATE case_sign_in_attempts SET at = :at"),
            {"at": auth.dt.datetime.now(auth.dt.UTC) - auth.FAILURE_WINDOW - auth.dt.timedelta(minutes=1)},
        )
    assert _token(client, "ian").status_code == 200


def test_ten_failures_from_one_address_lock_the_address(site) -> None:
    client = TestClient(site.app)
    for n in range(auth.MAX_FAILURES):
        assert _token(client, f"guess{n}", "wrong password!").status_code == 401
    assert _token(client, "ada").status_code == 429


def test_the_sign_in_page_answers_429_when_locked(site) -> None:
    from imr.web.app import create_app

    app = create_app(site.app.state.settings)
    try:
        browser = TestClient(app, follow_redirects=False)
        token = CSRF.search(browser.get("/login").text).group(1)
        for _ in range(auth.MAX_FAILURES):
            assert (
                browser.post("/login", data={"username": "ian", "password": "nope nope nope", "csrf_token": token}).status_code
                == 401
            )
        answer = browser.post("/login", data={"username": "ian", "password": PASSWORD, "csrf_token": token})
        assert answer.status_code == 429 and "too many failed sign-ins" in answer.text
    finally:
        app.state.database.dispose()


def test_signing_out_revokes_the_token(site) -> None:
    client = TestClient(site.app)
    token = _token(client, "ian").json()["access_token"]
    client.headers["Authorization"] = f"Bearer {token}"
    assert client.get("/api/users/me").status_code == 200
    assert client.post("/api/logout").status_code == 204
    refused = client.get("/api/users/me")
    assert refused.status_code == 401 and "signed out" in refused.json()["detail"]
    assert ("ian", "sign_out", "ok") in _trail(site, ("sign_out",))


def test_a_session_ends_after_its_absolute_lifetime(site, monkeypatch) -> None:
    client = TestClient(site.app)
    token = _token(client, "ian").json()["access_token"]
    authenticator = site.app.state.authenticator
    assert authenticator.lifetime == 12 * 3600  # the default, IMR_SESSION_HOURS
    renewed = authenticator.renew(token)
    later = time.time() + authenticator.lifetime + 1
    monkeypatch.setattr(auth.time, "time", lambda: later)
    # the idle timer is still fresh (the signer's own clock), the session is not
    client.headers["Authorization"] = f"Bearer {renewed}"
    answer = client.get("/api/users/me")
    assert answer.status_code == 401 and "expired" in answer.json()["detail"]


def test_a_user_changes_their_password(site) -> None:
    ian = site["ian"]
    wrong = ian.post(
        "/api/users/me/password", json={"current_password": "not it at all", "new_password": "another long password"}
    )
    assert wrong.status_code == 401
    spaces = ian.post("/api/users/me/password", json={"current_password": PASSWORD, "new_password": " " * 40})
    assert spaces.status_code == 422 and "too short" in spaces.json()["detail"]
    assert (
        ian.post(
            "/api/users/me/password", json={"current_password": PASSWORD, "new_password": "another long password"}
        ).status_code
        == 204
    )
    assert ian.get("/api/users/me").status_code == 401  # the old session ended with the old password
    assert _token(TestClient(site.app), "ian", "another long password").status_code == 200


def test_an_admin_deactivates_an_account_and_changes_a_role(site) -> None:
    ada, ian = site["ada"], site["ian"]
    assert ada.patch("/api/users/ian", json={"active": False}).json()["active"] is False
    assert ian.get("/api/users/me").status_code == 401
    assert _token(TestClient(site.app), "ian").status_code == 401
    assert ada.patch("/api/users/ian", json={"active": True, "role": "auditor"}).json()["role"] == "auditor"
    assert _token(TestClient(site.app), "ian").json()["role"] == "auditor"
    assert ada.patch("/api/users/ian", json={"role": "overlord"}).status_code == 422
    own = ada.patch("/api/users/ada", json={"active": False})
    assert own.status_code == 403 and "another admin must" in own.json()["detail"]
    assert ian.patch("/api/users/ada", json={"active": False}).status_code == 401  # the role change ended ian's session
    assert site["aud"].patch("/api/users/ada", json={"active": False}).status_code == 403
    assert ("ada", "user.deactivate", "ok") in _trail(site, ("user.deactivate",))


def test_passwords_of_spaces_are_refused(site) -> None:
    answer = site["ada"].post("/api/users", json={"username": "eve", "password": " " * 20, "role": "auditor"})
    assert answer.status_code == 422 and "not counting spaces" in answer.json()["detail"]


def test_users_on_the_command_line(tmp_path: Path) -> None:
    env = {**os.environ, "IMR_DATA_DIR": str(tmp_path)}
    env.pop("IMR_DATABASE_URL", None)

    def imr(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "imr", *args], env=env, input=stdin, capture_output=True, text=True, timeout=120
        )

    assert imr("users", "add", "eve", "--role", "intake", "--password-stdin", stdin="a long enough password\n").returncode == 0
    spaces = imr("users", "passwd", "eve", "--password-stdin", stdin=" " * 30 + "\n")
    assert spaces.returncode == 2 and "too short" in spaces.stderr
    assert imr("users", "passwd", "eve", "--password-stdin", stdin="a different password\n").returncode == 0
    assert imr("users", "role", "eve", "auditor").returncode == 0
    assert imr("users", "deactivate", "eve").returncode == 0
    listed = imr("users", "list")
    assert "eve" in listed.stdout and "auditor" in listed.stdout and "deactivated" in listed.stdout
    missing = imr("users", "deactivate", "nobody")
    assert missing.returncode == 2 and missing.stderr == "imr: error: no user nobody\n"
