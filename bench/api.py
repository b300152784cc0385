"""Benchmark the API under gunicorn: five endpoints against a bare Flask ceiling, memory and cold start.

Run: .venv/bin/python bench/api.py [--seconds 10] [--rounds 5] [--clients 8] [--db sqlite postgres] [--root DIR]
                                   [--docs]
For each database, starts gunicorn with the flags of the Procfile's web line (2 workers), times the cold start from
launch to the first 200 on /healthz (the app's bytecode compiled first, as a build leaves it), fills 5,000 sessions
and 1,000 stash containers for one user, drives keep-alive clients at each endpoint in --rounds short slices, each
right after a slice at the ceiling (printing the CPU cores gunicorn used meanwhile), then reads the PSS of the
master and its workers from /proc/<pid>/smaps_rollup. An endpoint's share of the ceiling is the median over its
rounds of its rate against the ceiling's just before: this machine's speed drifts by a fifth within a minute (other
tenants of its host), and a ceiling measured once, a minute earlier, moved the shares with it. --root measures
another checkout (an older commit) with this same driver, so before/after runs can be made side by side.
--docs also writes the figures as a table into docs/performance.md, between its two "bench/api.py --docs" markers.
PostgreSQL is BENCH_DATABASE_URL (a database it creates and drops), by default
postgresql+psycopg://postgres@127.0.0.1:5432/test_speed_bench.
"""

import argparse
import asyncio
import json
import os
import random
import re
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
FILL = 5000
STASH = 1000
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test_speed_bench"


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def procfile_flags(root: Path) -> list[str]:
    """Return the gunicorn flags of the Procfile's web line, without the bind and the app."""
    line = next(x for x in (root / "Procfile").read_text().splitlines() if x.startswith("web:"))
    words = shlex.split(re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", line[len("web:"):]))[1:-1]
    flags = []
    while words:
        word = words.pop(0)
        if word == "--bind":
            words.pop(0)
        elif not word.startswith("--bind="):
            flags.append(word)
    return flags


def start_gunicorn(app: str, port: int, env: dict, root: Path, flags: list[str],
                   output=None) -> tuple[subprocess.Popen, float]:
    """Start gunicorn with keep-alive, its output to `output` (a file) if given; return it and the seconds from
    launch to the first 200 on /healthz."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), *flags, "--keep-alive", "30", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", app],
        cwd=root, env=env, stdout=output, stderr=output,
    )
    probe = f"GET {'/healthz' if app != 'bench.ceiling:app' else '/ping'} HTTP/1.0\r\n\r\n".encode()
    while time.perf_counter() - started < 120:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(probe)
                if sock.recv(64).split(b" ")[1:2] == [b"200"]:
                    return process, time.perf_counter() - started
        except (OSError, IndexError):
            pass
        time.sleep(0.01)
    process.kill()
    raise RuntimeError(f"gunicorn for {app} did not start")


def pss_mib(pid: int) -> list[float]:
    """Return the proportional set size in MiB of a process, then of each of its children."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    sizes = []
    for each in [pid, *map(int, children)]:
        for line in Path(f"/proc/{each}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                sizes.append(int(line.split()[1]) / 1024)
    return sizes


def cpu_seconds(pid: int) -> float:
    """Return the CPU seconds (user + system) a process and its children have used so far."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    total = 0
    for each in [pid, *map(int, children)]:
        fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def fresh_postgres(url: str) -> None:
    """Create the benchmark's own PostgreSQL database, dropping an earlier run's."""
    import psycopg
    from sqlalchemy import make_url

    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{parsed.database}"')


def drop_postgres(url: str) -> None:
    """Drop the benchmark's PostgreSQL database."""
    import psycopg
    from sqlalchemy import make_url

    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')


def fill_sessions(database_url: str, email: str) -> None:
    """Insert FILL sessions (8 a day, going back in time) for the user in one statement."""
    from sqlalchemy import create_engine, insert, select, text

    from server.models import PumpSession, User

    now = datetime.now(UTC).replace(microsecond=0)
    engine = create_engine(database_url)
    with engine.begin() as conn:
        user_id = conn.scalar(select(User.id).where(User.email == email))
        rows = []
        for i in range(FILL):
            start = now - timedelta(hours=3 * (i + 1), minutes=random.randint(0, 30))
            rows.append({
                "id": uuid.uuid4(), "user_id": user_id, "started_at": start, "ended_at": start + timedelta(minutes=15),
                "left_ml": random.randint(30, 90), "right_ml": random.randint(30, 90), "mode": "double",
                "request_digest": "bench", "created_at": now, "updated_at": now,
            })
        conn.execute(insert(PumpSession), rows)
        if engine.dialect.name == "postgresql":
            # Statistics, as autovacuum gathers them within its first minute: without them the planner, still
            # expecting an empty table, reads all 5,000 rows and sorts them for a page of 50 (1.2 ms instead of 0.3).
            conn.execute(text("ANALYZE pump_sessions"))
    engine.dispose()


def container_row(user_id: int, i: int, expressed: datetime, now: datetime) -> dict:
    """A 120 mL container expressed at `expressed`: every other one in the freezer, the rest in the fridge."""
    frozen = i % 2 == 0
    return {
        "id": uuid.uuid4(), "user_id": user_id, "label": f"Bag {i}", "entered_volume": 120,
        "entered_unit": "ml", "volume_ml": 120, "remaining_ml": 120, "expressed_at": expressed,
        "location": "freezer" if frozen else "fridge", "location_since": expressed,
        "first_frozen_at": expressed if frozen else None, "condition": "freezer" if frozen else "fridge",
        "expires_at": expressed + timedelta(days=180 if frozen else 4),
        "request_digest": "bench", "created_at": now, "updated_at": now,
    }


def fill_stash(database_url: str, email: str) -> None:
    """Insert STASH open containers for the user (four a day, going back, half in the freezer) in one statement."""
    from sqlalchemy import create_engine, insert, select, text

    from server.models import MilkBatch, User

    now = datetime.now(UTC).replace(microsecond=0)
    engine = create_engine(database_url)
    with engine.begin() as conn:
        user_id = conn.scalar(select(User.id).where(User.email == email))
        rows = []
        for i in range(STASH):
            rows.append(container_row(user_id, i, now - timedelta(hours=6 * (i + 1)), now))
        conn.execute(insert(MilkBatch), rows)
        if engine.dialect.name == "postgresql":
            conn.execute(text("ANALYZE milk_batches"))
    engine.dispose()


async def client_loop(port: int, make_request, seconds: float, latencies: list[float], errors: list[int]) -> None:
    """Send requests on one keep-alive connection until time is up, recording each latency."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        request = make_request()
        started = time.perf_counter()
        writer.write(request)
        status_line = await reader.readline()
        if not status_line:
            # The server closed the keep-alive connection: reconnect and send again.
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            continue
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await reader.readexactly(length)
        latencies.append(time.perf_counter() - started)
        if int(status_line.split()[1]) >= 300:
            errors.append(int(status_line.split()[1]))
    writer.close()


async def drive(port: int, make_request, clients: int, seconds: float, server_pid: int) -> dict:
    """Run `clients` keep-alive connections for `seconds`; return the rate, latencies and server CPU seconds."""
    latencies: list[float] = []
    errors: list[int] = []
    started, cpu_before = time.perf_counter(), cpu_seconds(server_pid)
    await asyncio.gather(*(client_loop(port, make_request, seconds, latencies, errors) for _ in range(clients)))
    elapsed = time.perf_counter() - started
    return {"rps": len(latencies) / elapsed, "latencies": latencies, "errors": len(errors), "elapsed": elapsed,
            "cpu": cpu_seconds(server_pid) - cpu_before}


def summed(slices: list[dict], shares: list[float] | None = None) -> dict:
    """Merge one endpoint's slices: overall rate, percentiles (ms), cores used and the median share of the ceiling."""
    latencies = sorted(x for each in slices for x in each["latencies"])
    elapsed = sum(each["elapsed"] for each in slices)
    return {
        "rps": len(latencies) / elapsed,
        "p50": latencies[len(latencies) // 2] * 1000,
        "p99": latencies[int(len(latencies) * 0.99)] * 1000,
        "errors": sum(each["errors"] for each in slices),
        "cores": sum(each["cpu"] for each in slices) / elapsed,
        "share": statistics.median(shares) if shares else 1.0,
        "shares": shares or [],
    }


def request_bytes(method: str, path: str, token: str | None = None, body: dict | None = None) -> bytes:
    """Build one HTTP/1.1 keep-alive request."""
    payload = json.dumps(body).encode() if body is not None else b""
    headers = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: keep-alive"]
    if token:
        headers.append(f"Authorization: Bearer {token}")
    if body is not None:
        headers += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
    return ("\r\n".join(headers) + "\r\n\r\n").encode() + payload


def measure(name: str, database_url: str, root: Path, flags: list[str], args) -> dict:
    """Serve the API on one database next to the ceiling; return each endpoint's figures, PSS and cold start."""
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(root)}
    subprocess.run([str(BIN / "alembic"), "upgrade", "head"], cwd=root, env=env, check=True, capture_output=True)
    # As a build (and `make run`) leaves it: without bytecode, and with PYTHONDONTWRITEBYTECODE set as here,
    # every start compiles the app's modules again.
    subprocess.run([sys.executable, "-m", "compileall", "-q", "server"], cwd=root, check=True)
    api_port, ceiling_port = free_port(), free_port()
    api, cold_start = start_gunicorn("server:create_app()", api_port, env, root, flags)
    ceiling_process, _ = start_gunicorn("bench.ceiling:app", ceiling_port, env, ROOT, flags)
    try:
        import requests

        base = f"http://127.0.0.1:{api_port}"
        email = "bench@example.com"
        token = requests.post(f"{base}/api/auth/register", timeout=30, json={
            "email": email, "password": "bench-password", "time_zone": "Europe/Berlin"}).json()["token"]
        fill_sessions(database_url, email)
        fill_stash(database_url, email)
        today = datetime.now(UTC).date()

        def create_latest():
            """The session just finished: the newest, so it moves the gap reminder, as after every real session."""
            start = datetime.now(UTC) - timedelta(minutes=16)
            return request_bytes("POST", "/api/sessions", token, {
                "started_at": start.isoformat(), "duration_min": 15, "left_ml": 60, "right_ml": 55})

        def create_earlier():
            """A session logged late, somewhere in the last 30 days: the gap reminder stays as it was."""
            start = datetime.now(UTC) - timedelta(minutes=random.randint(60, 43200))
            return request_bytes("POST", "/api/sessions", token, {
                "started_at": start.isoformat(), "duration_min": 15, "left_ml": 60, "right_ml": 55})

        list_50 = request_bytes("GET", "/api/sessions?limit=50", token)
        stash_50 = request_bytes("GET", "/api/stash?limit=50", token)
        summary = request_bytes(
            "GET", f"/api/summary/daily?from={today - timedelta(days=89)}&to={today}", token)
        ceiling = request_bytes("GET", "/ping")

        results, ceilings = {}, []
        step = args.seconds / args.rounds
        # Reads first, so the sessions that the create phase adds don't inflate what they read.
        for endpoint, make_request in (("list 50 sessions", lambda: list_50),
                                       ("daily summary, 90 days", lambda: summary),
                                       ("stash, 50 of 1,000 containers", lambda: stash_50),
                                       ("create, the new latest session", create_latest),
                                       ("create, an earlier session", create_earlier)):
            slices, shares = [], []
            for _ in range(args.rounds):
                top = asyncio.run(drive(ceiling_port, lambda: ceiling, args.clients, step, ceiling_process.pid))
                slices.append(asyncio.run(drive(api_port, make_request, args.clients, step, api.pid)))
                ceilings.append(top)
                shares.append(slices[-1]["rps"] / top["rps"])
            results[endpoint] = summed(slices, shares)
        results = {"ceiling (bare Flask)": summed(ceilings), **results}
        pss = pss_mib(api.pid)
    finally:
        for process in (api, ceiling_process):
            process.terminate()
            process.wait()
    return {"name": name, "results": results, "pss": pss, "cold_start": cold_start}


DOCS_START, DOCS_END = "<!-- bench/api.py --docs: start -->", "<!-- bench/api.py --docs: end -->"


def markdown(runs: list[dict], args) -> str:
    """Return the runs as the performance page's table: each endpoint's share of the ceiling and p99, memory, start."""
    lines = [
        f"`.venv/bin/python bench/api.py --docs`, {datetime.now(UTC):%d %b %Y}: {args.seconds:g} s per endpoint in "
        f"{args.rounds} slices, {args.clients} keep-alive clients, {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f} at the end.",
        "",
        "| database | endpoint | req/s | share of ceiling | p99 ms | share in each slice |",
        "|---|---|---|---|---|---|",
    ]
    for run in runs:
        for name, r in run["results"].items():
            shares = " ".join(f"{x:.0%}" for x in r["shares"]) or "-"
            lines.append(f"| {run['name']} | {name} | {r['rps']:,.0f} | {r['share']:.0%} | {r['p99']:.1f} | {shares} |")
    lines += ["", "| database | PSS, master + 2 workers | cold start to the first 200 |", "|---|---|---|"]
    lines += [f"| {run['name']} | {sum(run['pss']):.0f} MiB | {run['cold_start']:.2f} s |" for run in runs]
    return "\n".join(lines)


def write_docs(text: str) -> None:
    """Replace the figures between docs/performance.md's markers with `text`."""
    page = ROOT / "docs" / "performance.md"
    body = page.read_text()
    start, end = body.index(DOCS_START) + len(DOCS_START), body.index(DOCS_END)
    page.write_text(f"{body[:start]}\n{text}\n{body[end:]}")


def main() -> None:
    """Measure on each database asked for and print one table per database."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=5, help="slices per endpoint, each after one at the ceiling")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--db", nargs="+", choices=["sqlite", "postgres"], default=["sqlite", "postgres"])
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to serve (default: this one)")
    parser.add_argument("--docs", action="store_true", help="write the figures into docs/performance.md's table")
    args = parser.parse_args()
    root = args.root.resolve()
    if args.docs and root != ROOT:
        parser.error("--docs writes this checkout's figures; leave out --root")
    sys.path.insert(0, str(root))
    flags = procfile_flags(root)

    runs = []
    for db in args.db:
        if db == "sqlite":
            runs.append(measure("SQLite (WAL)", f"sqlite:///{tempfile.mkdtemp(prefix='pumpwell-bench-')}/bench.db",
                                root, flags, args))
        else:
            url = os.environ.get("BENCH_DATABASE_URL", POSTGRES_URL)
            try:
                fresh_postgres(url)
            except Exception as exc:  # noqa: BLE001 - whatever the driver raises, say it and go on with SQLite
                print(f"PostgreSQL at {url} is not reachable ({exc}); measuring SQLite only.")
                continue
            try:
                runs.append(measure("PostgreSQL", url, root, flags, args))
            finally:
                drop_postgres(url)

    print(f"gunicorn {' '.join(flags)}; {FILL} sessions, {args.clients} keep-alive clients, "
          f"{args.seconds:g} s per endpoint in {args.rounds} slices, each after a slice at the ceiling; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} (1 min) at the end; serving {root}")
    for run in runs:
        pss = " + ".join(f"{size:.0f}" for size in run["pss"])
        print(f"\n{run['name']}: PSS of master + workers after the run {sum(run['pss']):.0f} MiB ({pss}), "
              f"cold start to the first 200 on /healthz {run['cold_start']:.2f} s")
        print(f"{'endpoint':<26}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'of ceiling':>12}{'errors':>8}{'cores':>7}"
              "  share in each slice")
        for name, r in run["results"].items():
            print(f"{name:<26}{r['rps']:>9.0f}{r['p50']:>9.1f}{r['p99']:>9.1f}{r['share']:>11.0%}{r['errors']:>8}"
                  f"{r['cores']:>7.2f}  {' '.join(f'{x:.0%}' for x in r['shares'])}")
    if args.docs:
        write_docs(markdown(runs, args))
        print(f"\nWrote the figures into {ROOT / 'docs' / 'performance.md'}.")


if __name__ == "__main__":
    main()
