"""Instructions each request kind of `load_api.py` costs the server's Python, counted by callgrind.

    python benchmarks/request_instructions.py [--requests 10] [--kinds "read case (reviewer),list cases"]

A count of instructions does not move with other work on the machine, where CPU time does (a shared
core runs slower): use it to compare two builds. Seeds a fresh PostgreSQL schema like `load_api.py`,
then for each kind runs a Python process under valgrind (callgrind, counting switched on only around
the timed requests) that sends the requests in-process to the app (httpx's ASGI transport: no
sockets, no uvicorn). The count includes that client's own work: `healthz` is printed as the floor.
Needs valgrind (callgrind_control) on PATH; a kind takes about half a minute.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
from load_api import case_body, seed, sign_in, warm_up
from request_cost import KINDS, requests_of

FLOOR = "healthz"


async def _inner(kind: str, count: int, cases: list[int]) -> None:
    """Under callgrind: warm up, switch counting on, send `count` requests of `kind`, switch it off."""
    from imr.settings import get_settings
    from imr.web.app import create_app

    app = create_app(get_settings())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://imr") as client:
            headers = {"intake": await sign_in(client, "load-intake"), "reviewer": await sign_in(client, "load-reviewer")}
            await warm_up(client, headers, cases, os.getpid())
            made = await client.post("/api/cases", json=case_body(f"COUNT-OWN-{os.getpid()}"), headers=headers["intake"])
            own = [made.raise_for_status().json()["id"]]
            if kind == FLOOR:
                prepared = [client.build_request("GET", "/healthz") for _ in range(count + 4)]
            else:
                build = requests_of(kind, client, headers, cases, own)
                prepared = [build(os.getpid() * 100 + n) for n in range(count + 4)]
            for request in prepared[:4]:  # compiled statements, prepared statements, caches
                (await client.send(request)).raise_for_status()
            subprocess.run(["callgrind_control", "-i", "on", str(os.getpid())], capture_output=True, check=True)
            for request in prepared[4:]:
                (await client.send(request)).raise_for_status()
            subprocess.run(["callgrind_control", "-i", "off", str(os.getpid())], capture_output=True, check=True)


def count_instructions(kind: str, count: int, url: str, where: str, cases: list[int]) -> int:
    env = {**os.environ, "IMR_DATA_DIR": where, "IMR_DATABASE_URL": url, "IMR_SECRET_KEY": "count"}
    command = [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        __file__,
        "--inner",
        kind,
        "--requests",
        str(count),
        "--cases",
        ",".join(map(str, cases)),
    ]
    run = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    found = re.search(r"Collected : (\d+)", run.stderr)
    if run.returncode != 0 or found is None:
        raise SystemExit(f"{kind}: the run under valgrind failed: {run.stderr[-800:]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10, help="requests of each kind")
    parser.add_argument("--kinds", default=",".join(KINDS), help="comma-separated kinds (of load_api.py)")
    parser.add_argument("--inner", help=argparse.SUPPRESS)
    parser.add_argument("--cases", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        asyncio.run(_inner(args.inner, args.requests, [int(c) for c in args.cases.split(",")]))
        return
    from imr.cases.testing import fresh_database_url

    with tempfile.TemporaryDirectory(prefix="imr-count-") as where, fresh_database_url("postgresql", Path(where)) as url:
        cases, _ = seed(url)
        print(f"{args.requests} requests of each kind, in-process (client included); millions of instructions a request")
        for kind in [FLOOR, *args.kinds.split(",")]:
            total = count_instructions(kind, args.requests, url, where, cases)
            print(f"  {kind:22s} {total / args.requests / 1e6:6.2f}", flush=True)


if __name__ == "__main__":
    main()
