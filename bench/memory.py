"""Benchmark the web processes' memory under an hour of mixed use: does it settle, or keep growing?

Run: .venv/bin/python bench/memory.py [--minutes 60] [--db sqlite|postgres] [--clients 4] [--parents 20] [--trace]
Starts gunicorn as the Procfile does (its web line's flags, server/gunicorn_conf.py), gives --parents parents two
months of sessions and a stash, then drives --clients keep-alive clients through what parents and consultants do, in
a random mix: sign in (with a password, or ask for passkey options), log, edit and delete sessions, read the list (and
its next page), the summary, goals, reminders and the stash, add, move and use containers, start and cancel plans,
download the calendar and the CSV exports, make a share link and open its page and CSVs, a few refused requests, and
a load balancer's probes. Every minute it reads the PSS and RSS of the master and each worker from
/proc/<pid>/smaps_rollup and prints them; at the end, the first minute's figure, the last, and the growth in %. The
rate limits are raised for the run (one client address makes every sign-in).
--trace runs each worker under tracemalloc (slower) and prints what grew most between the first minute and the last,
by line: use it to find what grows, not to read the figures.
PostgreSQL is BENCH_DATABASE_URL (a database it creates and drops), by default
postgresql+psycopg://postgres@127.0.0.1:5432/test_memory_bench.
"""

import argparse
import os
import random
import sys
import tempfile
import threading
import time
import tracemalloc
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.api import (  # noqa: E402
    BIN,
    container_row,
    drop_postgres,
    free_port,
    fresh_postgres,
    procfile_flags,
    start_gunicorn,
)

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test_memory_bench"
PASSWORD = "bench-password"
DAYS = 60


def memory_mib(pid: int) -> dict[int, tuple[float, float]]:
    """Return {pid: (PSS, RSS) in MiB} of the master and each of its workers."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    sizes = {}
    for each in [pid, *map(int, children)]:
        fields = {}
        for line in Path(f"/proc/{each}/smaps_rollup").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("Pss", "Rss"):
                fields[name] = int(value.split()[0]) / 1024
        sizes[each] = (fields["Pss"], fields["Rss"])
    return sizes


def fill(database_url: str, emails: list[str]) -> None:
    """Give each parent two months of sessions (8 a day) and 40 containers, half of them frozen."""
    from sqlalchemy import create_engine, insert, select, text

    from server.models import MilkBatch, PumpSession, User

    now = datetime.now(UTC).replace(microsecond=0)
    engine = create_engine(database_url)
    with engine.begin() as conn:
        sessions, batches = [], []
        for user_id in conn.scalars(select(User.id).where(User.email.in_(emails))):
            for i in range(DAYS * 8):
                start = now - timedelta(hours=3 * (i + 1), minutes=random.randint(0, 30))
                sessions.append({
                    "id": uuid.uuid4(), "user_id": user_id, "started_at": start,
                    "ended_at": start + timedelta(minutes=15), "left_ml": random.randint(30, 90),
                    "right_ml": random.randint(30, 90), "mode": "double", "request_digest": "bench",
                    "created_at": now, "updated_at": now,
                })
            batches.extend(container_row(user_id, i, now - timedelta(hours=12 * (i + 1)), now) for i in range(40))
        conn.execute(insert(PumpSession), sessions)
        conn.execute(insert(MilkBatch), batches)
        if engine.dialect.name == "postgresql":
            conn.execute(text("ANALYZE"))
    engine.dispose()


class Parent:
    """One parent's token and what the load has learnt about her account."""

    def __init__(self, email: str, token: str):
        self.email, self.token = email, token
        self.share: str | None = None
        self.plan: int | None = None
        self.lock = threading.Lock()


def ago(**delta) -> str:
    """An ISO time that long ago."""
    return (datetime.now(UTC) - timedelta(**delta)).isoformat()


def act(http, base: str, parent: Parent, others: list[Parent]) -> list[int]:
    """Do one thing a parent or her consultant does, picked at random by how often it happens; return the statuses."""
    auth = {"Authorization": f"Bearer {parent.token}"}
    today = datetime.now(UTC).date()

    def get(path, **kw):
        return http.get(base + path, headers=auth, timeout=60, **kw)

    def post(path, body, **kw):
        return http.post(base + path, json=body, headers=auth, timeout=60, **kw)

    choice = random.choices(ACTIONS, weights=[weight for _, weight in ACTIONS])[0][0]
    if choice == "log":
        return [post("/api/sessions", {"id": str(uuid.uuid4()), "started_at": ago(minutes=random.randint(16, 60)),
                                       "duration_min": 15, "left_ml": random.randint(20, 90),
                                       "right_ml": random.randint(20, 90), "notes": "bench " * random.randint(0, 9)}
                     ).status_code]
    if choice == "log late":
        return [post("/api/sessions", {"started_at": ago(minutes=random.randint(60, 43200)), "duration_min": 20,
                                       "left_ml": 50, "right_ml": 45}).status_code]
    if choice == "list":
        first = get("/api/sessions?limit=50")
        statuses = [first.status_code]
        if first.ok and first.json()["next_cursor"] and random.random() < 0.4:
            statuses.append(get("/api/sessions", params={"limit": 50, "cursor": first.json()["next_cursor"]}
                                ).status_code)
        return statuses
    if choice == "edit":
        items = get("/api/sessions?limit=5").json()["items"]
        target = random.choice(items)["id"]
        if random.random() < 0.3:
            return [http.delete(f"{base}/api/sessions/{target}", headers=auth, timeout=60).status_code]
        return [http.patch(f"{base}/api/sessions/{target}", json={"notes": f"edited {random.random()}"},
                           headers=auth, timeout=60).status_code]
    if choice == "summary":
        days = random.choice((7, 30, 90))
        return [get(f"/api/summary/daily?from={today - timedelta(days=days - 1)}&to={today}").status_code]
    if choice == "glance":
        paths = ["/api/me", "/api/goals", "/api/reminders"] + (["/api/push/key"] if random.random() < 0.1 else [])
        return [get(path).status_code for path in paths]
    if choice == "stash":
        statuses = [get("/api/stash?limit=50").status_code]
        added = post("/api/stash", {"volume": random.randint(30, 200), "location": "fridge",
                                    "expressed_at": ago(minutes=random.randint(5, 600))})
        statuses.append(added.status_code)
        if added.ok:
            batch = added.json()["id"]
            step = random.choice(("move", "use", "discard"))
            body = {"location": "freezer"} if step == "move" else {}
            statuses.append(post(f"/api/stash/{batch}/{step}", body).status_code)
        return statuses
    if choice == "plan":
        with parent.lock:
            if parent.plan is None or random.random() < 0.5:
                started = post("/api/plans", {"template": random.choice(("frequent-boost", "power-hour")),
                                              "starts_at": ago(minutes=-5), "params": {}, "replace": True})
                parent.plan = started.json()["id"] if started.ok else None
                return [started.status_code]
            plan = parent.plan
        statuses = [get("/api/plans").status_code, get(f"/api/plans/{plan}").status_code,
                    get(f"/api/plans/{plan}.ics").status_code]
        if random.random() < 0.3:
            statuses.append(post(f"/api/plans/{plan}/cancel", {}).status_code)
            parent.plan = None
        return statuses
    if choice == "export":
        kind = random.choice(("sessions", "daily", "stash"))
        return [get(f"/api/export/{kind}.csv?from={today - timedelta(days=90)}&to={today}").status_code]
    if choice == "share":
        if parent.share is None or random.random() < 0.05:
            made = post("/api/shares", {"label": "IBCLC", "include_stash": True})
            if made.ok:
                parent.share = made.json()["token"]
            return [made.status_code]
        path = random.choice(("", "", "", "/sessions.csv", "/daily.csv"))
        return [http.get(f"{base}/share/{parent.share}{path}", timeout=60).status_code]
    if choice == "probe":
        return [http.get(f"{base}{path}", timeout=60).status_code for path in ("/livez", "/readyz")]
    if choice == "passkey":
        return [http.post(f"{base}/api/auth/passkey/options", json={}, timeout=60).status_code,
                post("/api/me/passkeys/options", {}).status_code]
    if choice == "sign in":
        signed = http.post(f"{base}/api/auth/login", timeout=60, json={"email": parent.email, "password": PASSWORD})
        if signed.ok:
            old, parent.token = parent.token, signed.json()["token"]
            http.post(f"{base}/api/auth/logout", headers={"Authorization": f"Bearer {old}"}, timeout=60)
        return [signed.status_code]
    # Refused: another parent's session (404), a bad body (422), no token (401).
    other = random.choice(others)
    theirs = http.get(f"{base}/api/sessions?limit=1", headers={"Authorization": f"Bearer {other.token}"},
                      timeout=60).json()["items"]
    return [get(f"/api/sessions/{theirs[0]['id']}").status_code if theirs else 404,
            post("/api/sessions", {"started_at": "yesterday", "left_ml": -3}).status_code,
            http.get(f"{base}/api/stash", timeout=60).status_code]


# What parents do, and how often, by weight: mostly logging and glancing at the day; rarely signing in. The probes
# are a load balancer's readiness checks.
ACTIONS = [("log", 20), ("log late", 3), ("list", 15), ("edit", 4), ("summary", 14), ("glance", 12), ("stash", 8),
           ("plan", 5), ("export", 3), ("share", 8), ("sign in", 1), ("passkey", 1), ("refused", 3), ("probe", 2)]
EXPECTED = {200, 201, 204, 401, 404, 409, 422}


def load(base: str, parents: list[Parent], stop: threading.Event, counts: dict) -> None:
    """Act as random parents on one keep-alive connection until told to stop, counting requests and surprises."""
    import requests

    http = requests.Session()
    while not stop.is_set():
        parent = random.choice(parents)
        try:
            statuses = act(http, base, parent, parents)
        except (requests.RequestException, ValueError, KeyError) as exc:
            statuses = [f"{type(exc).__name__}"]
        with counts["lock"]:
            counts["requests"] += len(statuses)
            for status in statuses:
                if status not in EXPECTED:
                    counts["unexpected"][status] = counts["unexpected"].get(status, 0) + 1


TRACE_CONF = '''
"""gunicorn settings for bench/memory.py --trace: the Procfile's, with tracemalloc in each worker."""
import os, threading, time, tracemalloc
from server.gunicorn_conf import *  # noqa: F403


def post_worker_init(worker):
    """Trace this worker's allocations and write a snapshot every minute."""
    tracemalloc.start(8)
    folder = os.environ["BENCH_TRACE_DIR"]

    def dump():
        minute = 0
        while True:
            time.sleep(60)
            minute += 1
            tracemalloc.take_snapshot().dump(f"{folder}/{worker.pid}-{minute:03d}.snap")

    threading.Thread(target=dump, daemon=True).start()
'''


def print_growth(folder: Path) -> None:
    """Print, for each traced worker, the lines whose live memory grew most from its first snapshot to its last."""
    pids = sorted({path.name.split("-")[0] for path in folder.glob("*.snap")})
    for pid in pids:
        snaps = sorted(folder.glob(f"{pid}-*.snap"))
        if len(snaps) < 2:
            continue
        first, last = (tracemalloc.Snapshot.load(str(path)) for path in (snaps[0], snaps[-1]))
        total = sum(s.size for s in last.statistics("filename")) - sum(s.size for s in first.statistics("filename"))
        print(f"\nworker {pid}: traced Python memory {total / 1024:+,.0f} KiB from minute 1 to minute {len(snaps)};"
              " most grown:")
        for stat in last.compare_to(first, "traceback")[:12]:
            if stat.size_diff <= 0:
                break
            print(f"  {stat.size_diff / 1024:+9,.0f} KiB {stat.count_diff:+7} blocks")
            for frame in stat.traceback.format()[-8:]:
                print(f"      {frame.strip()}")


def run(database_url: str, args) -> None:
    """Serve the app on `database_url`, fill it, drive the load and print the memory once a minute."""
    import requests

    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT),
           "AUTH_RATE_LIMIT": "100000 per minute", "SHARE_RATE_LIMIT": "100000 per minute",
           "EXPORT_RATE_LIMIT": "100000 per hour", "SHARE_LINK_RATE_LIMIT": "100000 per hour"}
    subprocess_run([str(BIN / "alembic"), "upgrade", "head"], env)
    subprocess_run([sys.executable, "-m", "compileall", "-q", "server"], env)
    flags = procfile_flags(ROOT)
    trace_dir = None
    if args.trace:
        trace_dir = Path(tempfile.mkdtemp(prefix="pumpwell-trace-"))
        (trace_dir / "trace_conf.py").write_text(TRACE_CONF)
        env["BENCH_TRACE_DIR"] = str(trace_dir)
        env["PYTHONPATH"] = f"{trace_dir}:{ROOT}"
        flags = [("python:trace_conf" if flag == "python:server.gunicorn_conf" else flag) for flag in flags]
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="pumpwell-memory-", suffix=".log", delete=False)  # noqa: SIM115
    server, _ = start_gunicorn("server:create_app()", port, env, ROOT, flags, output=log)
    stop = threading.Event()
    try:
        base = f"http://127.0.0.1:{port}"
        parents = []
        for n in range(args.parents):
            email = f"parent{n}@bench.example"
            token = requests.post(f"{base}/api/auth/register", timeout=60, json={
                "email": email, "password": PASSWORD, "time_zone": random.choice(
                    ("Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney"))}).json()["token"]
            parents.append(Parent(email, token))
        fill(database_url, [p.email for p in parents])

        counts = {"lock": threading.Lock(), "requests": 0, "unexpected": {}}
        clients = [threading.Thread(target=load, args=(base, parents, stop, counts), daemon=True)
                   for _ in range(args.clients)]
        for client in clients:
            client.start()
        print(f"gunicorn {' '.join(flags)} on {args.db}; {args.parents} parents, {args.clients} keep-alive clients, "
              f"{args.minutes:g} min; {os.cpu_count()} CPUs; the server's log in {log.name}", flush=True)
        print(f"{'minute':>6}{'PSS MiB':>9}{'RSS MiB':>9}{'req/min':>9}{'load':>6}  PSS per process (master first)",
              flush=True)
        samples, started, done = [], time.monotonic(), 0
        for minute in range(1, int(args.minutes) + 1):
            time.sleep(max(0.0, started + 60 * minute - time.monotonic()))
            sizes = memory_mib(server.pid)
            with counts["lock"]:
                served, done = counts["requests"] - done, counts["requests"]
            pss, rss = sum(s[0] for s in sizes.values()), sum(s[1] for s in sizes.values())
            samples.append((pss, rss))
            print(f"{minute:>6}{pss:>9.1f}{rss:>9.1f}{served:>9}{os.getloadavg()[0]:>6.1f}  "
                  + " + ".join(f"{s[0]:.1f}" for s in sizes.values()), flush=True)
        stop.set()
        for client in clients:
            client.join(timeout=60)
        (first_pss, first_rss), (last_pss, last_rss) = samples[0], samples[-1]
        print(f"\nPSS of master + workers: after minute 1 {first_pss:.1f} MiB, after minute {len(samples)} "
              f"{last_pss:.1f} MiB, growth {last_pss / first_pss - 1:+.1%} (RSS {first_rss:.1f} -> {last_rss:.1f} MiB, "
              f"{last_rss / first_rss - 1:+.1%}); {counts['requests']:,} requests, unexpected answers: "
              f"{counts['unexpected'] or 'none'}")
    finally:
        stop.set()
        server.terminate()
        server.wait()
    if trace_dir:
        print_growth(trace_dir)


def subprocess_run(command: list[str], env: dict) -> None:
    """Run a set-up command in the checkout, failing loudly."""
    import subprocess

    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)


def main() -> None:
    """Measure on the database asked for."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--clients", type=int, default=4, help="keep-alive clients sending back to back")
    parser.add_argument("--parents", type=int, default=20)
    parser.add_argument("--trace", action="store_true", help="tracemalloc in each worker; print what grew")
    args = parser.parse_args()
    if args.db == "sqlite":
        run(f"sqlite:///{tempfile.mkdtemp(prefix='pumpwell-bench-')}/bench.db", args)
        return
    url = os.environ.get("BENCH_DATABASE_URL", POSTGRES_URL)
    fresh_postgres(url)
    try:
        run(url, args)
    finally:
        drop_postgres(url)


if __name__ == "__main__":
    main()
