"""Benchmark the API under gunicorn: requests/s and latency of three endpoints against a bare Flask ceiling.

Run: .venv/bin/python bench/api.py [--seconds 10] [--clients 8]
Starts gunicorn (2 workers, gthread) on a temporary SQLite database, fills 5,000 sessions for one user,
then drives keep-alive clients at each endpoint in turn and prints a table.
"""

import argparse
import asyncio
import json
import os
import random
import socket
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


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(app: str, port: int, env: dict) -> subprocess.Popen:
    """Start gunicorn with 2 workers and keep-alive, and wait until it answers."""
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", "2", "--threads", "4", "--keep-alive", "30",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", app],
        cwd=ROOT, env=env,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"gunicorn for {app} did not start")


def fill_sessions(database_url: str, email: str) -> None:
    """Insert FILL sessions (8 a day, going back in time) for the user, straight through the models."""
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import Session

    from server.models import PumpSession, User

    now = datetime.now(UTC).replace(microsecond=0)
    with Session(create_engine(database_url)) as db:
        user_id = db.scalar(select(User.id).where(User.email == email))
        for i in range(FILL):
            start = now - timedelta(hours=3 * (i + 1), minutes=random.randint(0, 30))
            db.add(PumpSession(
                id=uuid.uuid4(), user_id=user_id, started_at=start, ended_at=start + timedelta(minutes=15),
                left_ml=random.randint(30, 90), right_ml=random.randint(30, 90), mode="double",
                request_digest="bench", created_at=now, updated_at=now,
            ))
        db.commit()


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


async def drive(port: int, make_request, clients: int, seconds: float) -> dict:
    """Run `clients` keep-alive connections for `seconds` and return rps and percentiles (ms)."""
    latencies: list[float] = []
    errors: list[int] = []
    started = time.perf_counter()
    await asyncio.gather(*(client_loop(port, make_request, seconds, latencies, errors) for _ in range(clients)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50": latencies[len(latencies) // 2] * 1000,
        "p99": latencies[int(len(latencies) * 0.99)] * 1000,
        "errors": len(errors),
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


def main() -> None:
    """Set up, measure each endpoint, print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="pumpwell-bench-")
    database_url = f"sqlite:///{workdir}/bench.db"
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    subprocess.run([str(BIN / "alembic"), "upgrade", "head"], cwd=ROOT, env=env, check=True, capture_output=True)

    api_port, ceiling_port = free_port(), free_port()
    processes = [start_gunicorn("server:create_app()", api_port, env),
                 start_gunicorn("bench.ceiling:app", ceiling_port, env)]
    try:
        import requests

        base = f"http://127.0.0.1:{api_port}"
        email = "bench@example.com"
        token = requests.post(f"{base}/api/auth/register", timeout=30, json={
            "email": email, "password": "bench-password", "time_zone": "Europe/Berlin"}).json()["token"]
        fill_sessions(database_url, email)

        today = datetime.now(UTC).date()

        def create():
            """A new session somewhere in the last 30 days."""
            start = datetime.now(UTC) - timedelta(minutes=random.randint(60, 43200))
            return request_bytes("POST", "/api/sessions", token, {
                "started_at": start.isoformat(), "duration_min": 15, "left_ml": 60, "right_ml": 55})

        list_50 = request_bytes("GET", "/api/sessions?limit=50", token)
        summary = request_bytes(
            "GET", f"/api/summary/daily?from={today - timedelta(days=89)}&to={today}", token)
        ceiling = request_bytes("GET", "/ping")

        ceiling_result = asyncio.run(drive(ceiling_port, lambda: ceiling, args.clients, args.seconds))
        results = {"ceiling (bare Flask)": ceiling_result}
        # Reads first, so the sessions that the create phase adds don't inflate what they read.
        results["list 50 sessions"] = asyncio.run(drive(api_port, lambda: list_50, args.clients, args.seconds))
        results["daily summary, 90 days"] = asyncio.run(drive(api_port, lambda: summary, args.clients, args.seconds))
        results["create session"] = asyncio.run(drive(api_port, create, args.clients, args.seconds))
    finally:
        for process in processes:
            process.terminate()
            process.wait()

    top = results["ceiling (bare Flask)"]["rps"]
    print(f"gunicorn 2 workers x 4 threads, SQLite (WAL), {FILL} sessions, {args.clients} keep-alive clients, "
          f"{args.seconds:.0f} s each, {os.cpu_count()} CPUs")
    print(f"{'endpoint':<26}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'of ceiling':>12}{'errors':>8}")
    for name, r in results.items():
        print(f"{name:<26}{r['rps']:>9.0f}{r['p50']:>9.1f}{r['p99']:>9.1f}{r['rps'] / top:>11.0%}{r['errors']:>8}")


if __name__ == "__main__":
    main()
