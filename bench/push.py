"""Benchmark push delivery: 10,000 reminders due at once, through the clock's claim/send/record path.

Run: .venv/bin/python bench/push.py [--db sqlite|postgres] [--count 10000] [--sample 300]
A sink in its own process (so it does not take the sender's GIL) answers 201 after 0 ms, then 50 ms.
For each phase the real clock (APScheduler job, 2 s interval) runs the dispatcher; the sink stamps each
arrival. msg/s counts from the first arrival to the last; lateness is arrival minus due time, so it also
holds the wait for the next clock tick. Last, a plain loop of pywebpush.webpush() sends a sample
one at a time; its rate is extrapolated to the full count.
--db sqlite uses a temporary file; --db postgres uses postgresql+psycopg://postgres@127.0.0.1:5432/bench_push
(or BENCH_DATABASE_URL), dropping and recreating its schema.

--clocks 1 2 4 instead runs that many clock processes (`flask --app server clock`, as the Procfile does)
side by side on the same reminders and prints msg/s and lateness for each count.
--kill runs two clock processes, SIGKILLs one while it is sending a batch (sink answering after 50 ms),
waits for its lease to lapse and the survivor to reclaim, and prints how many reminders were lost
(never delivered), the duplicates sent (a reminder POSTed to the same endpoint again) and the duplicates
the phone would show: the sink decrypts every repeat and replays frontend/sw.js's rule (a sending whose
delivery_id it has shown before replaces the notification of the same tag silently).
--slow --clocks 1 3 puts 2,000 reminders due (use --count to change) for subscriptions of which 30% are on
a second push-service origin that answers after 20 s (over the clock's 10 s time-out); for each clock count
it prints lateness of the others, and how many POSTs the slow endpoints received within --window seconds
of the due time.
"""

import argparse
import asyncio
import logging
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SUBJECT = "mailto:bench@pumpwell.example"
# How many sendings the service worker remembers having shown, read from it so the count follows it.
SHOWN_KEPT = int(re.search(r"const SHOWN_KEPT = (\d+);", (ROOT / "frontend" / "sw.js").read_text()).group(1))


def run_sink(port_queue, delay_value, slow_delay: float = 20.0) -> None:
    """Serve push endpoints on two origins: the first reads the body, waits the current delay, stamps the
    arrival and answers 201; the second (a slow push service) counts the request and answers 201 after
    `slow_delay` seconds. Each request's body is kept for the phone's view of repeats."""
    import base64

    from aiohttp import web

    arrivals: dict[str, float] = {}
    repeats: dict[str, int] = {}
    bodies: dict[str, list[str]] = {}
    slow_posts: dict[str, int] = {}

    async def push(request):
        """Accept one push message; a second one for the same subscription counts as a repeat."""
        body = await request.read()
        if delay_value.value:
            await asyncio.sleep(delay_value.value)
        token = request.match_info["token"]
        bodies.setdefault(token, []).append(base64.b64encode(body).decode())
        if token in arrivals:
            repeats[token] = repeats.get(token, 0) + 1
        else:
            arrivals[token] = time.time()
        return web.Response(status=201)

    async def slow_push(request):
        """Count one push message, then answer long after the sender gave up."""
        await request.read()
        token = request.match_info["token"]
        slow_posts[token] = slow_posts.get(token, 0) + 1
        await asyncio.sleep(slow_delay)
        return web.Response(status=201)

    async def stats(request):
        """Return the first arrival stamp per subscription, the repeats and the slow service's POSTs so far."""
        return web.json_response({"arrivals": arrivals, "repeats": repeats, "slow_posts": slow_posts})

    async def repeated(request):
        """Return every body received by a subscription that received more than one."""
        return web.json_response({token: sent for token, sent in bodies.items() if len(sent) > 1})

    async def reset(request):
        """Forget the arrivals."""
        for kept in (arrivals, repeats, bodies, slow_posts):
            kept.clear()
        return web.Response(status=204)

    async def serve(app) -> int:
        """Serve `app` on a free loopback port; return the port."""
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        return site._server.sockets[0].getsockname()[1]

    async def main():
        """Serve both origins until killed."""
        fast = web.Application()
        fast.add_routes([web.post("/wpush/{token}", push), web.get("/stats", stats),
                         web.get("/repeated", repeated), web.post("/reset", reset)])
        slow = web.Application()
        slow.add_routes([web.post("/wpush/{token}", slow_push)])
        port_queue.put((await serve(fast), await serve(slow)))
        await asyncio.Event().wait()

    asyncio.run(main())


def sink_call(port: int, method: str, path: str):
    """Call the sink's control endpoints."""
    import requests

    return requests.request(method, f"http://127.0.0.1:{port}{path}", timeout=30)


def make_app(db: str, workdir: str):
    """Create the app on a fresh database with the schema."""
    from sqlalchemy import text

    from server import create_app
    from server.models import Base

    if db == "sqlite":
        url = f"sqlite:///{workdir}/bench.db"
    else:
        url = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench_push")
        import psycopg
        from sqlalchemy import make_url

        admin = make_url(url).set(drivername="postgresql", database="postgres").render_as_string(False)
        with psycopg.connect(admin, autocommit=True) as conn:
            name = make_url(url).database
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    app = create_app({"DATABASE_URL": url, "PUSH_ALLOW_LOOPBACK_HTTP": True, "VAPID_SUBJECT": SUBJECT,
                      "VAPID_PRIVATE_KEY": "", "VAPID_PUBLIC_KEY": ""})
    app.instance_path = workdir
    engine = app.extensions["engine"]
    if db == "postgres":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    Base.metadata.create_all(engine)
    return app


def fill(app, port: int, count: int, slow_port: int | None = None, slow_share: float = 0.0) -> list[dict]:
    """Insert `count` users, each with one subscription with real P-256 keys, `slow_share` of them on the slow
    origin; return the subscriptions, each with its private key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from sqlalchemy import insert

    from server.models import PushSubscription, User
    from server.push import b64url_encode

    now = datetime.now(UTC)
    subs = []
    for n in range(count):
        key = ec.generate_private_key(ec.SECP256R1())
        point = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        # Spread the slow ones evenly (3 of every 10 for 30%), so every batch holds some.
        slow = bool(slow_share) and (n % 10) < slow_share * 10
        subs.append({"user_id": n + 1, "endpoint": f"http://127.0.0.1:{slow_port if slow else port}/wpush/{n + 1}",
                     "p256dh": b64url_encode(point), "auth": b64url_encode(os.urandom(16)),
                     "user_agent": "bench", "created_at": now, "failures": 0, "private_key": key})
    with app.extensions["engine"].begin() as conn:
        conn.execute(insert(User), [{"id": n + 1, "email": f"u{n}@bench.example", "password_hash": "x",
                                     "time_zone": "UTC", "unit": "ml", "created_at": now} for n in range(count)])
        conn.execute(insert(PushSubscription), [{k: v for k, v in sub.items() if k != "private_key"} for sub in subs])
    return subs


def queue_reminders(app, count: int, due: datetime) -> None:
    """Replace all reminders with one plan-slot reminder per user, all due at `due`."""
    from sqlalchemy import delete, insert

    from server.models import Reminder

    with app.extensions["engine"].begin() as conn:
        conn.execute(delete(Reminder))
        conn.execute(insert(Reminder), [{
            "user_id": n + 1, "kind": "plan_slot", "status": "pending", "dedupe_key": f"plan:1:slot:{n}:start",
            "due_at": due, "send_after": due, "expires_at": due + timedelta(minutes=30), "attempts": 0,
            "payload": {"title": "Power pumping hour: time to pump",
                        "body": "Pump 20 min (both sides), rest 10 min, pump 10 min, rest 10 min, pump 10 min",
                        "url": "/#/plans/1"},
            "created_at": due - timedelta(hours=1), "updated_at": due - timedelta(hours=1)} for n in range(count)])


def percentile(values: list[float], share: float) -> float:
    """Return the nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def report(label: str, count: int, seconds: float, lateness: list[float]) -> None:
    """Print one phase's line."""
    print(f"{label:<44} {count / seconds:>9.0f} msg/s   lateness p50 {percentile(lateness, .5):6.2f} s"
          f"  p99 {percentile(lateness, .99):6.2f} s  max {max(lateness):6.2f} s")


def clock_phase(app, port: int, delay, count: int, sink_delay: float) -> None:
    """Run the real clock until the sink has every message; print rate and lateness."""
    from server import clock

    delay.value = sink_delay
    sink_call(port, "POST", "/reset")
    due = datetime.now(UTC) + timedelta(seconds=3)
    queue_reminders(app, count, due)
    client = clock.push_client(app)
    pipeline = clock.Pipeline(app, client)
    scheduler = clock.scheduler_for(pipeline)
    thread = threading.Thread(target=scheduler.start, daemon=True)
    thread.start()
    deadline = time.time() + 300
    while time.time() < deadline:
        time.sleep(0.5)
        arrivals = sink_call(port, "GET", "/stats").json()["arrivals"]
        if len(arrivals) >= count:
            break
    scheduler.shutdown(wait=True)
    pipeline.close()
    client.close()
    stamps = list(arrivals.values())
    lateness = [t - due.timestamp() for t in stamps]
    # The rate counts from the first claim (first arrival's tick) to the last arrival.
    first_tick = min(stamps) - sink_delay
    report(f"clock, sink answers after {sink_delay * 1000:.0f} ms ({len(stamps)} sent)",
           len(stamps), max(stamps) - first_tick, lateness)
    statuses = app.extensions["engine"].connect().exec_driver_sql(
        "SELECT status, count(*) FROM reminders GROUP BY status").all()
    print(f"{'':<44} reminders: {dict(statuses)}")


def plain_loop_phase(app, subs: list[dict], port: int, delay, count: int, sample: int, sink_delay: float) -> None:
    """Send a sample one at a time with pywebpush.webpush(); extrapolate to `count`."""
    from pywebpush import webpush

    from server.domain.delivery import notification_payload
    from server.vapid import app_vapid

    delay.value = sink_delay
    vapid = app_vapid(app)
    payload = notification_payload(1, "plan_slot", "plan:1:slot:0:start", {
        "title": "Power pumping hour: time to pump",
        "body": "Pump 20 min (both sides), rest 10 min, pump 10 min, rest 10 min, pump 10 min",
        "url": "/#/plans/1"}).decode()
    started = time.perf_counter()
    for sub in subs[:sample]:
        webpush({"endpoint": sub["endpoint"], "keys": {"p256dh": sub["p256dh"], "auth": sub["auth"]}},
                data=payload, vapid_private_key=vapid, vapid_claims={"sub": SUBJECT}, ttl=1800, timeout=10)
    per_message = (time.perf_counter() - started) / sample
    # Message i of a loop starting at the due time arrives about i x per_message late.
    lateness = [(i + 1) * per_message for i in range(count)]
    report(f"plain webpush() loop, {sink_delay * 1000:.0f} ms (sample {sample})", count,
           count * per_message, lateness)


def start_clocks(app, workdir: str, count: int) -> list[tuple[subprocess.Popen, Path]]:
    """Start clock processes on the app's database and key; return them once each has logged its start."""
    from server.db import database_url
    from server.vapid import app_vapid

    env = {**os.environ, "DATABASE_URL": database_url(app), "PUSH_ALLOW_LOOPBACK_HTTP": "1",
           "VAPID_SUBJECT": SUBJECT, "VAPID_PRIVATE_KEY": app_vapid(app).private_pem().decode()}
    clocks = []
    for n in range(count):
        log = Path(workdir) / f"clock{n}.log"
        with log.open("w") as out:
            clocks.append((subprocess.Popen([sys.executable, "-m", "flask", "--app", "server", "clock"], cwd=ROOT,
                                            env=env, stdout=out, stderr=subprocess.STDOUT), log))
    deadline = time.time() + 60
    while not all("clock started" in log.read_text() for _, log in clocks):
        if time.time() > deadline or any(process.poll() is not None for process, _ in clocks):
            raise RuntimeError("a clock did not start: " + " | ".join(log.read_text() for _, log in clocks))
        time.sleep(0.2)
    return clocks


def stop_clocks(clocks: list[tuple[subprocess.Popen, Path]]) -> None:
    """Ask each clock to stop, and kill the ones that do not within 15 s."""
    for process, _ in clocks:
        if process.poll() is None:
            process.terminate()
    for process, _ in clocks:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for_sink(port: int, count: int, seconds: float) -> dict:
    """Poll the sink until every subscription has a message or time runs out; return its stats."""
    deadline = time.time() + seconds
    while True:
        time.sleep(0.5)
        stats = sink_call(port, "GET", "/stats").json()
        if len(stats["arrivals"]) >= count or time.time() > deadline:
            return stats


def clocks_phase(app, workdir: str, port: int, delay, count: int, clocks: int, sink_delay: float) -> None:
    """Run `clocks` clock processes on the same due reminders; print rate, lateness and repeats."""
    delay.value = sink_delay
    sink_call(port, "POST", "/reset")
    running = start_clocks(app, workdir, clocks)
    try:
        due = datetime.now(UTC) + timedelta(seconds=1)
        queue_reminders(app, count, due)
        stats = wait_for_sink(port, count, 300)
    finally:
        stop_clocks(running)
    stamps = list(stats["arrivals"].values())
    lateness = [t - due.timestamp() for t in stamps]
    first_tick = min(stamps) - sink_delay
    report(f"{clocks} clock process{'es' if clocks > 1 else ''}, sink {sink_delay * 1000:.0f} ms "
           f"({len(stamps)} sent)", len(stamps), max(stamps) - first_tick, lateness)
    if stats["repeats"]:
        print(f"{'':<44} delivered twice: {sum(stats['repeats'].values())}")


def phone_alerts(subs: list[dict], repeated: dict[str, list[str]]) -> int:
    """Count the alerts beyond the first per reminder that phones would give for these repeated POSTs, by
    frontend/sw.js's rule: a sending (delivery_id) among the last SHOWN_KEPT shown replaces its tag's
    notification silently; any other alerts."""
    import base64
    import json

    import http_ece

    extra = 0
    for token, bodies in repeated.items():
        sub = subs[int(token) - 1]
        shown: list[str] = []
        alerts: dict[int, int] = {}
        for body in bodies:
            payload = json.loads(http_ece.decrypt(base64.b64decode(body), private_key=sub["private_key"],
                                                  auth_secret=base64.urlsafe_b64decode(sub["auth"] + "=="),
                                                  version="aes128gcm"))
            if payload["delivery_id"] in shown:
                continue
            shown = [*shown, payload["delivery_id"]][-SHOWN_KEPT:]
            alerts[payload["reminder_id"]] = alerts.get(payload["reminder_id"], 0) + 1
        extra += sum(count - 1 for count in alerts.values())
    return extra


def kill_phase(app, workdir: str, port: int, delay, subs: list[dict]) -> None:
    """SIGKILL one of two clocks mid-batch; print the reminders lost, the duplicates sent and those a phone shows."""
    from server.services.dispatch import DEFAULT_LEASE

    count = len(subs)
    delay.value = 0.05
    sink_call(port, "POST", "/reset")
    running = start_clocks(app, workdir, 2)
    try:
        due = datetime.now(UTC) + timedelta(seconds=1)
        queue_reminders(app, count, due)
        # Wait until a quarter has arrived: both clocks are then mid-batch, holding leases.
        while len(sink_call(port, "GET", "/stats").json()["arrivals"]) < count // 4:
            time.sleep(0.1)
        victim = running[0][0]
        victim.send_signal(signal.SIGKILL)
        killed_at = time.time()
        print(f"SIGKILLed clock {victim.pid} after {count // 4}+ arrivals; waiting up to the lease "
              f"({DEFAULT_LEASE.total_seconds():.0f} s) + 60 s for the survivor to reclaim")
        stats = wait_for_sink(port, count, DEFAULT_LEASE.total_seconds() + 60)
        # Let the survivor finish recording its last batch before counting statuses.
        time.sleep(5)
    finally:
        stop_clocks(running)
    lost = count - len(stats["arrivals"])
    twice = sum(stats["repeats"].values())
    shown = phone_alerts(subs, sink_call(port, "GET", "/repeated").json())
    statuses = app.extensions["engine"].connect().exec_driver_sql(
        "SELECT status, count(*) FROM reminders GROUP BY status").all()
    print(f"kill a clock mid-batch: {count} reminders, lost {lost}, duplicates sent {twice}, duplicates the "
          f"phone would show {shown}; all delivered {time.time() - killed_at:.0f} s after the kill; "
          f"reminders: {dict(statuses)}")


def slow_phase(app, workdir: str, port: int, delay, subs: list[dict], clocks: int, window: float) -> None:
    """Run `clocks` clock processes while the slow origin's endpoints answer after the time-out; print the
    lateness of the others and the POSTs the slow ones received within `window` seconds of the due time."""
    slow_tokens = {str(sub["user_id"]) for sub in subs if f":{port}/" not in sub["endpoint"]}
    others = len(subs) - len(slow_tokens)
    delay.value = 0.05
    sink_call(port, "POST", "/reset")
    running = start_clocks(app, workdir, clocks)
    try:
        due = datetime.now(UTC) + timedelta(seconds=1)
        queue_reminders(app, len(subs), due)
        stats = wait_for_sink(port, others, window)
        time.sleep(max(0.0, due.timestamp() + window - time.time()))
        posts = sink_call(port, "GET", "/stats").json()["slow_posts"]
    finally:
        stop_clocks(running)
    lateness = [t - due.timestamp() for t in stats["arrivals"].values()]
    report(f"{clocks} clock{'s' if clocks > 1 else ''}, the {others} others ({len(lateness)} arrived)",
           len(lateness), max(lateness) - min(lateness) + 0.05, lateness)
    print(f"{'':<44} slow endpoints: {sum(posts.values())} POSTs to {len(posts)} of {len(slow_tokens)} "
          f"in {window:.0f} s (most to one: {max(posts.values(), default=0)})")


def main() -> None:
    """Run the phases and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--count", type=int, help="reminders due at once (10,000; 2,000 with --slow)")
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument("--clocks", type=int, nargs="+", help="run this many clock processes side by side")
    parser.add_argument("--kill", action="store_true", help="SIGKILL one of two clocks mid-batch")
    parser.add_argument("--slow", action="store_true", help="30%% of endpoints on a push service answering after 20 s")
    parser.add_argument("--window", type=float, default=80, help="seconds after the due time --slow watches")
    args = parser.parse_args()
    count = args.count or (2_000 if args.slow else 10_000)
    # A run skipped while a tick drains the backlog is what max_instances=1 intends; do not print it.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)

    context = multiprocessing.get_context("spawn")
    port_queue, delay = context.Queue(), context.Value("d", 0.0)
    sink = context.Process(target=run_sink, args=(port_queue, delay), daemon=True)
    sink.start()
    port, slow_port = port_queue.get(timeout=30)
    try:
        with tempfile.TemporaryDirectory() as workdir:
            app = make_app(args.db, workdir)
            subs = fill(app, port, count, slow_port, 0.3 if args.slow else 0.0)
            config = app.config
            print(f"{count} reminders for {count} subscriptions on {args.db}; "
                  f"batch {config['PUSH_BATCH_SIZE']} ({config['PUSH_BATCHES_IN_FLIGHT']} sending at once), "
                  f"{config['PUSH_MAX_IN_FLIGHT']} requests open ({config['PUSH_MAX_IN_FLIGHT_PER_SERVICE']} per "
                  f"push service), clock every {config['CLOCK_INTERVAL_SECONDS']:g} s, "
                  f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
            if args.slow:
                for clocks in args.clocks or (1,):
                    slow_phase(app, workdir, port, delay, subs, clocks, args.window)
            else:
                for clocks in args.clocks or ():
                    clocks_phase(app, workdir, port, delay, count, clocks, 0.05)
            if args.kill:
                kill_phase(app, workdir, port, delay, subs)
            if not (args.clocks or args.kill or args.slow):
                for sink_delay in (0.0, 0.05):
                    clock_phase(app, port, delay, count, sink_delay)
                for sink_delay in (0.0, 0.05):
                    plain_loop_phase(app, subs, port, delay, count, args.sample, sink_delay)
            app.extensions["engine"].dispose()
    finally:
        sink.kill()


if __name__ == "__main__":
    main()
