"""CPU cost of each request kind of `load_api.py`: milliseconds of server CPU and of PostgreSQL CPU per request.

    python benchmarks/request_cost.py [--requests 300] [--backend postgresql|sqlite]

Starts `imr serve` (one worker) over a fresh seeded database like `load_api.py`, then sends the
requests of one kind at a time, one after another, and divides the CPU time the server's processes
(and PostgreSQL's: its backends and the ones that ended) used by the number of requests. CPU time, not
wall time, which other work on a shared machine stretches many times over; CPU time still moves
(a core shared with other processes runs slower), so each kind is measured in several rounds and the
least is printed. PostgreSQL's figure counts every backend on the machine, so another user's queries
during the run would add to it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import httpx
from load_api import case_body, cpu_seconds, seed, sign_in, start_server, warm_up

KINDS = ("read case (reviewer)", "read case (intake)", "list cases", "due list", "import case", "file document")


def postgres_cpu_seconds() -> float:
    """User + system CPU of every PostgreSQL process, plus what its ended children used (reaped by the postmaster)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name, fields = stat[stat.index("(") + 1 : stat.rindex(")")], stat.rsplit(")", 1)[1].split()
        if name != "postgres":
            continue
        total += int(fields[11]) + int(fields[12])
        if fields[1] == "1":  # the postmaster: its children's CPU once they ended
            total += int(fields[13]) + int(fields[14])
    return total / tick


def requests_of(
    kind: str, client: httpx.AsyncClient, headers: dict[str, dict[str, str]], cases: list[int], own: list[int]
) -> Callable[[int], httpx.Request]:
    """The n-th request of a kind, as `load_api.one_client` makes it."""
    if kind.startswith("read case"):
        who = "reviewer" if "reviewer" in kind else "intake"
        return lambda n: client.build_request("GET", f"/api/cases/{cases[n % len(cases)]}", headers=headers[who])
    if kind == "list cases":
        return lambda n: client.build_request(
            "GET", "/api/cases", params={"limit": 20, "offset": n % 40}, headers=headers["intake"]
        )
    if kind == "due list":
        return lambda n: client.build_request("GET", "/api/cases/due", headers=headers["reviewer"])
    if kind == "import case":
        return lambda n: client.build_request("POST", "/api/cases", json=case_body(f"COST-{n:06d}"), headers=headers["intake"])
    return lambda n: client.build_request(
        "POST",
        f"/api/cases/{own[n % len(own)]}/documents",
        files={"file": (f"n{n}.txt", f"Progress note {n}: pain 6/10, no change.\n".encode(), "text/plain")},
        headers=headers["intake"],
    )


async def measure(
    base: str, server_pid: int, cases: list[int], count: int, postgres: bool, rounds: int = 3
) -> dict[str, tuple[float, float]]:
    """Per kind: (server CPU ms, PostgreSQL CPU ms) a request, the least of `rounds` rounds."""
    costs = {}
    async with httpx.AsyncClient(base_url=base, timeout=60.0) as client:
        headers = {"intake": await sign_in(client, "load-intake"), "reviewer": await sign_in(client, "load-reviewer")}
        await warm_up(client, headers, cases)
        own = []  # cases the documents are filed to, a few each, as a client files to the case it imported
        for n in range(max(1, count // 10)):
            made = await client.post("/api/cases", json=case_body(f"COST-OWN-{n:04d}"), headers=headers["intake"])
            own.append(made.raise_for_status().json()["id"])
        for kind in KINDS:
            build = requests_of(kind, client, headers, cases, own)
            each = max(1, count // rounds)
            measured = []
            for round_ in range(rounds):
                prepared = [build(round_ * each + n) for n in range(each)]  # the client's work is not timed
                server, database = cpu_seconds(server_pid), postgres_cpu_seconds() if postgres else 0.0
                for request in prepared:
                    (await client.send(request)).raise_for_status()
                server = cpu_seconds(server_pid) - server
                database = postgres_cpu_seconds() - database if postgres else 0.0
                measured.append((server / each * 1000, database / each * 1000))
            costs[kind] = (min(m[0] for m in measured), min(m[1] for m in measured))
    return costs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="requests of each kind")
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds the requests of a kind are split into (the least is printed)"
    )
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="postgresql")
    args = parser.parse_args()
    from imr.cases.testing import fresh_database_url

    with tempfile.TemporaryDirectory(prefix="imr-cost-") as where, fresh_database_url(args.backend, Path(where)) as url:
        cases, _ = seed(url)
        server, base = start_server(Path(where), url, workers=1)
        try:
            load = os.getloadavg()[0]
            costs = asyncio.run(measure(base, server.pid, cases, args.requests, args.backend == "postgresql", args.rounds))
        finally:
            server.terminate()
            server.wait(timeout=60)
    print(
        f"{args.requests} requests of each kind, one at a time, least of {args.rounds} rounds; database {url.split(':')[0]}; load average {load:.1f} → {os.getloadavg()[0]:.1f}"
    )
    print(f"  {'kind':22s} {'server ms':>10s} {'database ms':>12s}")
    for kind, (server_ms, database_ms) in costs.items():
        print(f"  {kind:22s} {server_ms:10.2f} {database_ms:12.2f}")


if __name__ == "__main__":
    main()
