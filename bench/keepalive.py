"""Benchmark 200 keep-alive clients: straight at gunicorn, and through the documented nginx (docs/nginx.conf).

Run: .venv/bin/python bench/keepalive.py [--clients 200] [--seconds 30] [--setups direct nginx] [--db sqlite|postgres]
                                         [--endpoint list|ping] [--threads 4]
Starts gunicorn with the Procfile's web flags on a database holding 5,000 sessions of one parent, then, for each
set-up, opens --clients keep-alive connections at once and has each send requests back to back for --seconds (the
list of 50 sessions, or with --endpoint ping the bare Flask app of bench/ceiling.py under the same flags). It prints
p50, p99 and the slowest answer, requests a second, and errors (statuses other than 200, resets, time-outs), for the
whole run and for its first 3 seconds (the clients' first requests) apart. The connections are opened before the
clock starts; gunicorn accepts them as the first requests arrive. Through nginx the clients speak HTTPS to
nginx, as phones do, and nginx keeps a pool of connections to gunicorn. --threads sets gunicorn's threads per worker.
"""

import argparse
import asyncio
import os
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import proxy  # noqa: E402
from bench.api import (  # noqa: E402
    BIN,
    cpu_seconds,
    drop_postgres,
    fill_sessions,
    free_port,
    fresh_postgres,
    procfile_flags,
    request_bytes,
    start_gunicorn,
)

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test_keepalive_bench"
WARM_UP = 3.0


async def connect(port: int, tls: ssl.SSLContext | None):
    """Open one connection (HTTPS when `tls` is given); return its reader and writer."""
    return await asyncio.open_connection("127.0.0.1", port, ssl=tls, server_hostname="127.0.0.1" if tls else None)


async def client(connection, port: int, tls: ssl.SSLContext | None, request: bytes, until: float, started: float,
                 results: list, errors: list) -> None:
    """Send requests on one keep-alive connection until `until`; record (sent at, latency) and every failure. A
    connection the server closes is opened again, and that time counts in the next request's."""
    reader, writer = connection
    while time.perf_counter() < until:
        sent = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await connect(port, tls)
            writer.write(request)
            status_line = await asyncio.wait_for(reader.readline(), 30)
            if not status_line:
                raise ConnectionResetError("closed by the server")
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
        except (TimeoutError, OSError, asyncio.IncompleteReadError) as exc:
            errors.append(type(exc).__name__)
            writer = None
            continue
        results.append((sent - started, time.perf_counter() - sent))
        if not status_line.startswith(b"HTTP/1.1 200"):
            errors.append(status_line.split()[1].decode())
    if writer is not None:
        writer.close()


async def drive(port: int, tls: ssl.SSLContext | None, request: bytes, clients: int, seconds: float) -> dict:
    """Open `clients` connections, then have all of them send at once for `seconds`; return the latencies and errors.

    The connections are opened first, untimed: the bench's own TLS handshakes, 200 of them in one Python process on
    a busy machine, took seconds and were not the server's doing."""
    results: list[tuple[float, float]] = []
    errors: list[str] = []
    connections = await asyncio.gather(*(connect(port, tls) for _ in range(clients)))
    started = time.perf_counter()
    await asyncio.gather(*(client(connection, port, tls, request, started + seconds, started, results, errors)
                           for connection in connections))
    return {"results": results, "errors": errors, "elapsed": time.perf_counter() - started}


def figures(latencies: list[float], elapsed: float) -> str:
    """Return p50, p99, max (ms) and the rate of a list of latencies."""
    if not latencies:
        return "no answers"
    ordered = sorted(latencies)
    return (f"{ordered[len(ordered) // 2] * 1000:>8.1f}{ordered[int(len(ordered) * 0.99)] * 1000:>9.1f}"
            f"{ordered[-1] * 1000:>9.1f}{len(ordered) / elapsed:>9.0f}")


def report(name: str, run: dict, cpu: float) -> None:
    """Print one set-up's figures: all of the run, its first seconds, and after them."""
    results, elapsed = run["results"], run["elapsed"]
    early = [lat for at, lat in results if at < WARM_UP]
    late = [lat for at, lat in results if at >= WARM_UP]
    errors = {kind: run["errors"].count(kind) for kind in sorted(set(run["errors"]))}
    print(f"{name:<34}{'whole run':<14}{figures([lat for _, lat in results], elapsed)}"
          f"{len(run['errors']):>8}{cpu / elapsed:>7.2f}  {errors or ''}")
    print(f"{'':<34}{f'first {WARM_UP:g} s':<14}{figures(early, WARM_UP)}")
    print(f"{'':<34}{'after them':<14}{figures(late, elapsed - WARM_UP)}", flush=True)


def main() -> None:
    """Serve the app, then drive the clients at each set-up and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--setups", nargs="+", choices=["direct", "nginx"], default=["direct", "nginx"])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--endpoint", choices=["list", "ping"], default="list")
    parser.add_argument("--threads", type=int, help="gunicorn's threads per worker (default: the Procfile's)")
    args = parser.parse_args()
    if args.setups.count("nginx") and not proxy.nginx():
        parser.error("nginx is not installed (apt-get install nginx)")

    database_url = f"sqlite:///{tempfile.mkdtemp(prefix='pumpwell-bench-')}/bench.db"
    if args.db == "postgres":
        database_url = os.environ.get("BENCH_DATABASE_URL", POSTGRES_URL)
        fresh_postgres(database_url)
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT), "LOG_REQUESTS": "off"}
    subprocess.run([str(BIN / "alembic"), "upgrade", "head"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([sys.executable, "-m", "compileall", "-q", "server"], cwd=ROOT, check=True)
    flags = procfile_flags(ROOT)
    if args.threads:
        flags[flags.index("--threads") + 1] = str(args.threads)
    app = "bench.ceiling:app" if args.endpoint == "ping" else "server:create_app()"
    port, https_port, http_port = free_port(), free_port(), free_port()
    server, _ = start_gunicorn(app, port, env, ROOT, flags)
    nginx = None
    try:
        if args.endpoint == "ping":
            request = request_bytes("GET", "/ping")
        else:
            import requests

            token = requests.post(f"http://127.0.0.1:{port}/api/auth/register", timeout=30, json={
                "email": "bench@example.com", "password": "bench-password", "time_zone": "Europe/Berlin",
            }).json()["token"]
            fill_sessions(database_url, "bench@example.com")
            request = request_bytes("GET", "/api/sessions?limit=50", token)
        print(f"gunicorn {' '.join(flags)}; {args.clients} keep-alive clients sending back to back for "
              f"{args.seconds:g} s at {'GET /api/sessions?limit=50' if args.endpoint == 'list' else 'bare Flask'}"
              f" ({args.db}); {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start")
        print(f"{'set-up':<34}{'':<14}{'p50 ms':>8}{'p99 ms':>9}{'max ms':>9}{'req/s':>9}{'errors':>8}{'cores':>7}")
        for setup in args.setups:
            if setup == "direct":
                target, tls, name = port, None, "gunicorn alone (HTTP)"
            else:
                main_config = proxy.write_config(Path(tempfile.mkdtemp(prefix="pumpwell-nginx-")), https_port,
                                                 http_port, port)
                nginx = proxy.start(main_config, https_port)
                target, name = https_port, "nginx (docs/nginx.conf, HTTPS)"
                tls = ssl.create_default_context()
                tls.check_hostname, tls.verify_mode = False, ssl.CERT_NONE
            before = cpu_seconds(server.pid) + (cpu_seconds(nginx.pid) if nginx else 0)
            run = asyncio.run(drive(target, tls, request, args.clients, args.seconds))
            used = cpu_seconds(server.pid) + (cpu_seconds(nginx.pid) if nginx else 0) - before
            report(name, run, used)
            if nginx:
                nginx.terminate()
                nginx.wait()
                nginx = None
        print(f"load average {os.getloadavg()[0]:.1f} at the end; cores: CPU used by gunicorn (and nginx) per second")
    finally:
        if nginx:
            nginx.terminate()
            nginx.wait()
        server.terminate()
        server.wait()
        if args.db == "postgres":
            drop_postgres(database_url)


if __name__ == "__main__":
    main()
