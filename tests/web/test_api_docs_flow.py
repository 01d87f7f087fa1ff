"""The API example flow of docs/cases.md (curl against `imr serve`), run as written."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.docs_flow import docs_flow
from imr.examples import EXAMPLE_SERVICE

DOCS = Path(__file__).parents[2] / "docs"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_the_api_flow_in_the_docs_runs(tmp_path: Path) -> None:
    work = tmp_path / "examples"
    shutil.copytree(EXAMPLE_SERVICE, work)
    port = free_port()
    env = {**os.environ, "IMR_DATA_DIR": str(tmp_path / "data"), "IMR_URL": f"http://127.0.0.1:{port}"}
    env.pop("IMR_DATABASE_URL", None)
    lines = docs_flow("api").splitlines()
    serve_at = next(n for n, line in enumerate(lines) if line.startswith("imr serve"))
    setup, calls = "\n".join(lines[:serve_at]), "\n".join(lines[serve_at + 1 :])
    run = dict(cwd=work, env=env, capture_output=True, text=True, timeout=300)
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", setup], **run)
    assert done.returncode == 0, done.stderr[-2000:]
    server = subprocess.Popen(["imr", "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{env['IMR_URL']}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", calls], **run)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (work / "letter.pdf").read_bytes().startswith(b"%PDF")
    published = (work / "published.txt").read_text()
    assert "CM26-0000001" in published
    for identifier in ("Garcia", "Okafor", "Valley Packing", "GSC-2023-558812"):
        assert identifier not in published
    out = done.stdout
    assert '"name": "Dr. Omar Haddad"' in out and "conflict of interest" in out
    assert re.search(r'"[0-9a-f]{64}"', out)  # the content hash of the signed version
