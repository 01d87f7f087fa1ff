"""Load test of the case API: `imr serve` on loopback, N concurrent clients reading and writing.

    python benchmarks/load_api.py [--seconds 60] [--clients 200] [--workers 2] [--think 1.0] [--backend postgresql|sqlite]

Starts `imr serve --workers N` (uvicorn worker processes) on 127.0.0.1 on a free port over a fresh
database (a throw-away schema on the local PostgreSQL, the production database, by default; or SQLite
in a temporary directory), seeds cases, then runs the clients (async, on uvloop) for the given time:
reading cases, lists and the due list, importing cases and filing documents. Bounded: fixed duration,
a timeout per request, one kept-alive connection per client. At the end it checks every acknowledged write
against the database (no lost write) and prints requests/s, latency percentiles, errors (any non-2xx
answer or transport failure), the server's CPU (all its processes) and the machine's load average
before and after (the machine is shared: other work takes CPU from the server). Exit status 1 on an
error or a lost write.

Client model. Issue 15's target (200 clients, p99 < 500 ms, 0 errors, 0 lost writes, on 2 cores) is
measured with a think time: each client pauses before each request, exponentially with a mean of
`--think` seconds (1 s by default), as a person at the workbench reads a page before the next click.
200 such clients offer about 200 requests/s whatever the server does. `--think 0` is the closed loop
(each client sends its next request the moment it has an answer): it measures the most the server
can do, and its latency is the queue of 200 waiting clients: about 200 / (requests a second), so a
p99 under 500 ms would need over 400 requests/s, some 2.5 ms of CPU a request, PostgreSQL's and the
clients' own included. Both modes send the same mix of requests.

The clients speak HTTP/1.1 themselves (`Connection`: a request's bytes written, the status line, the
headers and a Content-Length or chunked body read back), not through httpx: on the same 2 cores as the
server, httpx's own CPU (2.9 ms a request: its request and response models, header normalisation, the
connection pool) was CPU the server did not get. They send the same requests (method, path, query,
bearer token, JSON or multipart body) and check the same answers (a status over 299 or a transport
failure is an error; an import's case id and a filing's content hash are kept for the lost-write check).
Sign-in, the warm-up and the start-up check still use httpx (they are not timed).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import functools
import json
import os
import random
import socket
import statistics
import uuid
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import orjson
import uvloop
import yaml
from imr.examples import EXAMPLE_SERVICE

EXAMPLES = EXAMPLE_SERVICE
PASSWORD = "load test password"
SEED_CASES = 40


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    imported: dict[int, str] = field(default_factory=dict)  # case id -> case number acknowledged
    filed: list[tuple[int, str]] = field(default_factory=list)  # (case id, sha256) acknowledged


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _processes(pid: int) -> list[int]:
    """A process and its descendants (uvicorn's worker processes), from Linux /proc."""
    found = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return found
    for child in children:
        found += _processes(int(child))
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children (Linux /proc), to tell server cost from client cost."""
    total = 0.0
    for each in _processes(pid):
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


@functools.lru_cache(maxsize=1)
def _example_case() -> str:
    return json.dumps(yaml.safe_load((EXAMPLES / "case.yaml").read_text()), default=str)


def case_body(number: str) -> dict:
    # parsed once: the clients share the machine with the server, and their CPU is not the server's
    case = json.loads(_example_case())
    case["case_number"] = number
    case["claim_number"] = f"CLAIM-{number}"  # one claim per case, so that no case is a duplicate of another
    case.pop("documents", None)
    return json.loads(json.dumps(case, default=str))


def overdue_body(number: str) -> dict:
    """A case received a year before the bundled example (which is current work): long overdue whatever
    today is, so that every seeded case is on the due list, as in a backlog."""
    case = case_body(number)
    case.update(received="2025-11-17", ur_decision_date="2025-11-04")
    case["ur_decision"]["date"] = "2025-11-04"
    return case


def seed(url: str) -> tuple[list[int], int]:
    """Reviewers, two users and SEED_CASES overdue cases assigned to one reviewer; (case ids, reviewer id)."""
    from imr.casefile import parse_case
    from imr.cases import command_line_actor, open_database, service
    from imr.cases.testing import add_example_reviewers
    from imr.web.accounts import create_user

    database = open_database(url)
    admin = command_line_actor()
    with database.transaction() as session:
        haddad = add_example_reviewers(session, admin)["Dr. Omar Haddad"]
        create_user(session, admin, "load-intake", PASSWORD, "intake")
        create_user(session, admin, "load-reviewer", PASSWORD, "reviewer", reviewer_id=haddad)
    case_ids = []
    for n in range(SEED_CASES):
        with database.transaction() as session:
            case = service.import_case(session, admin, parse_case(overdue_body(f"LOAD-SEED-{n:04d}")))
            session.flush()
            service.decide_eligibility(session, admin, case.id)
            service.complete_records(session, admin, case.id, on=dt.date(2025, 11, 20))
            service.assign(session, admin, case.id, reviewer_id=haddad)
            case_ids.append(case.id)
    database.dispose()
    return case_ids, haddad


async def sign_in(client: httpx.AsyncClient, username: str) -> dict[str, str]:
    answer = await client.post("/api/token", data={"username": username, "password": PASSWORD})
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


class TransportError(Exception):
    """The connection failed or the answer was not HTTP."""


class Connection:
    """One client's kept-alive HTTP/1.1 connection: a request at a time, its answer read whole."""

    def __init__(self, host: str, port: int, timeout: float = 30.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def _connect(self) -> None:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)

    async def send(self, request: bytes) -> tuple[int, bytes]:
        """Send `request` (the whole message) and return the answer's status and body."""
        try:
            async with asyncio.timeout(self.timeout):
                # the server closes a connection kept idle past its keep-alive: open a new one then
                if self._writer is None or self._reader is None or self._reader.at_eof() or self._writer.is_closing():
                    self.close()
                    await self._connect()
                assert self._reader is not None and self._writer is not None
                self._writer.write(request)
                return await self._answer(self._reader)
        except (OSError, TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as error:
            self.close()
            raise TransportError(error.__class__.__name__) from error

    async def _answer(self, reader: asyncio.StreamReader) -> tuple[int, bytes]:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length, chunked, close = None, False, False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
            elif name == b"connection":
                close = value.strip().lower() == b"close"
        if chunked:
            body = bytearray()
            while size := int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16):
                body += await reader.readexactly(size + 2)
                del body[-2:]
            await reader.readuntil(b"\r\n")  # the end of an empty trailer
            content = bytes(body)
        elif length is not None:
            content = await reader.readexactly(length)
        else:
            content, close = await reader.read(), True
        if close:
            self.close()
        return status, content

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None


def http_request(
    method: str, target: str, host: str, headers: dict[str, str], body: bytes = b"", content_type: str | None = None
) -> bytes:
    """An HTTP/1.1 request's bytes, kept alive."""
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}", "Accept: */*", *(f"{k}: {v}" for k, v in headers.items())]
    if content_type is not None:
        lines.append(f"Content-Type: {content_type}")
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def multipart_file(filename: str, content: bytes, media_type: str) -> tuple[bytes, str]:
    """A multipart/form-data body with one file field named `file` (as a browser or httpx sends it)."""
    boundary = uuid.uuid4().hex
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\nContent-Type: {media_type}\r\n\r\n'
    return head.encode() + content + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


async def one_client(
    number: int,
    connection: Connection,
    host: str,
    headers: dict[str, dict[str, str]],
    cases: list[int],
    until: float,
    tally: Tally,
    think: float = 0.0,
) -> None:
    rng = random.Random(number)
    own_case: int | None = None
    sequence = 0
    # one request at a time on the client's own connection, until the time is up; with a think time,
    # a pause before each request (the first too, so that the clients do not all start at once)
    while time.monotonic() < until:
        if think > 0:
            await asyncio.sleep(min(rng.expovariate(1 / think), max(0.0, until - time.monotonic())))
            if time.monotonic() >= until:
                break
        roll = rng.random()
        sequence += 1
        if roll < 0.40:
            kind = "read case (reviewer)"
            request = http_request("GET", f"/api/cases/{rng.choice(cases)}", host, headers["reviewer"])
        elif roll < 0.55:
            kind = "read case (intake)"
            request = http_request("GET", f"/api/cases/{rng.choice(cases)}", host, headers["intake"])
        elif roll < 0.70:
            kind = "list cases"
            request = http_request("GET", f"/api/cases?limit=20&offset={rng.randrange(0, 40)}", host, headers["intake"])
        elif roll < 0.75:
            kind = "due list"
            request = http_request("GET", "/api/cases/due", host, headers["reviewer"])
        elif roll < 0.90 or own_case is None:
            kind = "import case"
            number_text = f"LOAD-{number:03d}-{sequence:06d}"
            body = orjson.dumps(case_body(number_text))
            request = http_request("POST", "/api/cases", host, headers["intake"], body, "application/json")
        else:
            kind = "file document"
            content = f"Progress note {number}-{sequence}: pain 6/10, no change.\n".encode()
            body, media_type = multipart_file(f"n{sequence}.txt", content, "text/plain")
            request = http_request("POST", f"/api/cases/{own_case}/documents", host, headers["intake"], body, media_type)
        started = time.perf_counter()
        try:
            status, answer = await connection.send(request)
        except TransportError as error:
            tally.errors.append(f"{kind}: {error}")
            continue
        took = time.perf_counter() - started
        tally.latencies.append(took)
        tally.by_kind.setdefault(kind, []).append(took)
        tally.statuses[f"{kind} {status}"] += 1
        if status >= 300:
            tally.errors.append(f"{kind}: HTTP {status} {answer[:120].decode(errors='replace')}")
            continue
        if kind == "import case":
            own_case = orjson.loads(answer)["id"]
            tally.imported[own_case] = number_text
        elif kind == "file document":
            tally.filed.append((own_case, orjson.loads(answer)["sha256"]))


def lost_writes(url: str, tally: Tally) -> list[str]:
    """Acknowledged writes that the database does not hold."""
    from sqlalchemy import select

    from imr.cases import open_database
    from imr.cases.models import Case, CaseDocument

    database = open_database(url)
    lost = []
    with database.reading() as session:
        numbers = dict(session.execute(select(Case.id, Case.case_number)).all())
        documents = set(session.execute(select(CaseDocument.case_id, CaseDocument.sha256)).all())
    database.dispose()
    for case_id, number in tally.imported.items():
        if numbers.get(case_id) != number:
            lost.append(f"case {case_id} ({number})")
    lost += [f"document {sha[:12]} of case {case_id}" for case_id, sha in tally.filed if (case_id, sha) not in documents]
    return lost


async def warm_up(client: httpx.AsyncClient, headers: dict[str, dict[str, str]], cases: list[int], number: int = 0) -> None:
    """One request of each kind before the clock starts: the server loads the item vocabulary and
    compiles its queries on first use, which is start-up cost, not throughput."""
    made = await client.post("/api/cases", json=case_body(f"LOAD-WARM-UP-{number}"), headers=headers["intake"])
    made.raise_for_status()
    files = {"file": ("warm.txt", b"Warm-up note.\n", "text/plain")}
    for request in (
        client.build_request("POST", f"/api/cases/{made.json()['id']}/documents", files=files, headers=headers["intake"]),
        client.build_request("GET", f"/api/cases/{cases[0]}", headers=headers["reviewer"]),
        client.build_request("GET", "/api/cases", headers=headers["intake"]),
        client.build_request("GET", "/api/cases/due", headers=headers["reviewer"]),
    ):
        (await client.send(request)).raise_for_status()


async def run(
    base: str, clients: int, seconds: float, cases: list[int], workers: int = 1, think: float = 0.0
) -> tuple[Tally, float]:
    async with httpx.AsyncClient(base_url=base, timeout=30.0) as client:
        headers = {"intake": await sign_in(client, "load-intake"), "reviewer": await sign_in(client, "load-reviewer")}
    # every worker process warms up: connections of their own, several at once, spread over the workers
    warmers = [httpx.AsyncClient(base_url=base, timeout=60.0) for _ in range(4 * workers)]
    try:
        await asyncio.gather(*(warm_up(c, headers, cases, n) for n, c in enumerate(warmers)))
    finally:
        await asyncio.gather(*(c.aclose() for c in warmers))
    tally = Tally()
    address = base.removeprefix("http://")
    host, port = address.rsplit(":", 1)
    pool = [Connection(host, int(port)) for _ in range(clients)]
    try:
        started = time.monotonic()
        until = started + seconds
        await asyncio.gather(*(one_client(n, pool[n], address, headers, cases, until, tally, think) for n in range(clients)))
        elapsed = time.monotonic() - started
    finally:
        for connection in pool:
            connection.close()
    return tally, elapsed


def settle(pid: int, quiet: float = 0.05, most: float = 120.0) -> None:
    """Wait until the server has finished starting: its processes used under `quiet` seconds of CPU
    in half a second. A worker answers before its engine's fork server has loaded the rule book
    (reviewing an example case: some 2.5 s of CPU, in every worker), which would otherwise be
    measured as the first seconds' load."""
    deadline = time.monotonic() + most
    used = cpu_seconds(pid)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = cpu_seconds(pid)
        if now - used < quiet:
            return
        used = now


def start_server(where: Path, url: str, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    """`imr serve --workers N` on a free loopback port over `url`, answering; (process, base URL)."""
    port = free_port()
    env = {**os.environ, "IMR_DATA_DIR": str(where), "IMR_DATABASE_URL": url, "IMR_SECRET_KEY": "load-test"}
    log = where / "server.log"
    command = [sys.executable, "-m", "imr", "serve", "--port", str(port), "--workers", str(workers)]
    with log.open("w") as server_log:
        server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=server_log)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                settle(server.pid)
                return server, base
        except httpx.HTTPError:
            time.sleep(0.25)
    server.terminate()
    server.wait(timeout=60)
    raise SystemExit(f"the server did not start: {log.read_text()[-1500:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2, help="server worker processes (imr serve --workers)")
    parser.add_argument(
        "--backend",
        choices=["sqlite", "postgresql"],
        default="postgresql",
        help="a fresh schema on the local PostgreSQL (production) or a fresh SQLite file (the embedded default)",
    )
    parser.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="mean pause of a client before each request, seconds (exponential); 0: each client sends its next "
        "request as soon as it has an answer (a closed loop with no think time)",
    )
    args = parser.parse_args()
    from imr.cases.testing import fresh_database_url

    with tempfile.TemporaryDirectory(prefix="imr-load-") as where, fresh_database_url(args.backend, Path(where)) as url:
        cases, _ = seed(url)
        server, base = start_server(Path(where), url, args.workers)
        try:
            load_before = os.getloadavg()[0]
            client_cpu = time.process_time()
            server_cpu = cpu_seconds(server.pid)
            tally, elapsed = uvloop.run(run(base, args.clients, args.seconds, cases, args.workers, args.think))
            client_cpu = time.process_time() - client_cpu
            server_cpu = cpu_seconds(server.pid) - server_cpu
        finally:
            server.terminate()
            server.wait(timeout=60)
        lost = lost_writes(url, tally)
    latencies = sorted(tally.latencies)
    count = len(latencies)
    pct = lambda q: latencies[min(count - 1, int(q * count))] * 1000 if count else float("nan")  # noqa: E731
    mode = f"think time {args.think:g} s (mean, exponential)" if args.think > 0 else "no think time (closed loop)"
    print(f"clients {args.clients}, {mode}, {elapsed:.1f} s, workers {args.workers}, database {url.split(':')[0]}")
    print(f"requests {count}, {count / elapsed:.1f} requests/s")
    print(
        f"cpu: server {server_cpu:.1f} s ({server_cpu / max(count, 1) * 1000:.1f} ms a request), clients {client_cpu:.1f} s; load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
    )
    print(
        f"latency ms: p50 {pct(0.50):.1f}  p90 {pct(0.90):.1f}  p99 {pct(0.99):.1f}  max {latencies[-1] * 1000 if count else float('nan'):.1f}  mean {statistics.fmean(latencies) * 1000 if count else float('nan'):.1f}"
    )
    print(f"writes acknowledged: {len(tally.imported)} cases, {len(tally.filed)} documents; lost writes: {len(lost)}")
    print(f"errors: {len(tally.errors)}")
    for line, n in Counter(tally.errors).most_common(5):
        print(f"  {n} x {line}")
    for status, n in sorted(tally.statuses.items()):
        print(f"  {status}: {n}")
    for kind, values in sorted(tally.by_kind.items()):
        values.sort()
        print(
            f"  {kind:22s} p50 {values[len(values) // 2] * 1000:7.1f} ms  p99 {values[min(len(values) - 1, int(0.99 * len(values)))] * 1000:7.1f} ms"
        )
    if tally.errors or lost:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
