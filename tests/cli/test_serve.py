"""`imr serve` tells where it serves and, on a database with no account yet, how to make the first."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _first_lines(data_dir: Path) -> tuple[list[str], int]:
    """Start `imr serve` on a free port; what it printed once it answers /healthz, and the port."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMR_")} | {"IMR_DATA_DIR": str(data_dir)}
    server = subprocess.Popen(
        [sys.executable, "-m", "imr", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                    assert answer.status == 200
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise AssertionError(
                        f"imr serve did not answer: {server.stderr.read() if server.poll() is not None else ''}"
                    ) from None
                time.sleep(0.2)
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=30)
    return out.splitlines(), port


def test_serve_prints_its_url_and_how_to_create_the_first_account(tmp_path: Path) -> None:
    lines, port = _first_lines(tmp_path)
    assert lines[0].startswith(f"imr is serving on http://127.0.0.1:{port}/")
    assert f"http://127.0.0.1:{port}/docs" in lines[0]
    assert "No accounts yet" in lines[1] and lines[2].strip() == "imr users add NAME --role admin"
    assert f"http://127.0.0.1:{port}/login" in lines[3]
    # Once an account exists, the hint is gone.
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMR_")} | {"IMR_DATA_DIR": str(tmp_path)}
    made = subprocess.run(
        [sys.executable, "-m", "imr", "users", "add", "ada", "--role", "admin", "--password-stdin"],
        input="a long enough password\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    lines, port = _first_lines(tmp_path)
    assert lines[0].startswith(f"imr is serving on http://127.0.0.1:{port}/") and not any("No accounts" in line for line in lines)
