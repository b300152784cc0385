"""Benchmark the hot paths of one parent at 10,000 and at 1,000,000 sessions in PostgreSQL.

Run: .venv/bin/python bench/scale.py [--sessions 1000000] [--users 10000] [--repeat 21] [--plans]
It creates two databases, bench_scale_small and bench_scale (or BENCH_SCALE_URL and its _small
twin), migrates both to head with Alembic, and drops them at the end. Each gets 10,000 users by
COPY, one measured parent with a year of sessions (8 a day), other parents' sessions up to
10,000 in total in the small one and --sessions in the large one, one sent reminder per two
sessions, one pending gap reminder per parent, and one finished 14-day plan of 112 slots per
1,000 sessions. Then it times, through the app (test client, real SQL), on the two databases
alternately so that the shared machine's load hits both alike: the first page of the list, a
page 50 pages deep by cursor, the 90-day summary, a one-year sessions.csv, and the clock's claim
of 1,000 due reminders. It prints the best and median times and the median of the paired ratios
(each must be <= 1.5); with --plans, the PostgreSQL plan of every statement those paths run on
the large database, flagging any sequential scan of a large table.
"""

import argparse
import io
import os
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from sqlalchemy import event, make_url, update  # noqa: E402

NOW = datetime.now(UTC).replace(microsecond=0)
MEASURED_SESSIONS = 8 * 365
LARGE_TABLES = ("pump_sessions", "reminders", "plan_slots", "plans", "users", "api_tokens")
SLOTS_PER_PLAN = 112
DUE = 1000


def admin_url(url: str) -> str:
    """Return the maintenance database's URL for psycopg."""
    return make_url(url).set(drivername="postgresql", database="postgres").render_as_string(False)


def plain_url(url: str) -> str:
    """Return the URL psycopg takes for the bench database."""
    return make_url(url).set(drivername="postgresql").render_as_string(False)


def recreate_database(url: str, drop_only: bool = False) -> None:
    """Drop the bench database if present, and create it afresh unless drop_only."""
    name = make_url(url).database
    with psycopg.connect(admin_url(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def migrate(url: str) -> None:
    """Build the schema with the project's migrations (so the indexes are the ones production gets)."""
    from alembic import command
    from alembic.config import Config

    config = Config(toml_file=str(ROOT / "pyproject.toml"))
    config.attributes["url"] = url
    command.upgrade(config, "head")


def stamp(at: datetime) -> str:
    """Render a timestamp for COPY's text format."""
    return at.isoformat()


def copy_rows(conn, table: str, columns: tuple[str, ...], lines) -> int:
    """COPY tab-separated lines into a table in chunks; return how many."""
    count = 0
    with conn.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        buffer = io.StringIO()
        for line in lines:
            buffer.write(line)
            count += 1
            if count % 50_000 == 0:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())
    return count


SESSION_COLUMNS = ("id", "user_id", "started_at", "ended_at", "left_ml", "right_ml", "mode", "pump", "flange_mm",
                   "pain", "notes", "plan_slot_id", "request_digest", "created_at", "updated_at")


def session_lines(user_ids, starts):
    """Yield COPY lines of sessions: one per (user, start), 15-25 minutes, 40-120 ml a side."""
    rng = random.Random(7)
    for user_id, started in zip(user_ids, starts, strict=True):
        ended = started + timedelta(minutes=rng.randint(15, 25))
        yield (f"{uuid.uuid4()}\t{user_id}\t{stamp(started)}\t{stamp(ended)}\t{rng.randint(40, 120)}\t"
               f"{rng.randint(40, 120)}\tdouble\t\\N\t24\t\\N\t\\N\t\\N\tbench\t{stamp(ended)}\t{stamp(ended)}\n")


def random_starts(count: int, rng: random.Random):
    """Yield random start times over the last two years."""
    span = int(timedelta(days=730).total_seconds())
    for _ in range(count):
        yield NOW - timedelta(seconds=rng.randint(3600, span))


REMINDER_COLUMNS = ("user_id", "kind", "status", "dedupe_key", "due_at", "send_after", "sending_at", "expires_at",
                    "payload", "attempts", "sent_at", "created_at", "updated_at")


def reminder_lines(user_ids, status: str, rng: random.Random, key_prefix: str):
    """Yield COPY lines of reminders for the given users (sent in the past, or pending in the future)."""
    for n, user_id in enumerate(user_ids):
        if status == "sent":
            due = NOW - timedelta(seconds=rng.randint(3600, 730 * 86400))
            sent = stamp(due)
        else:
            due, sent = NOW + timedelta(minutes=rng.randint(10, 300)), "\\N"
        yield (f"{user_id}\tgap\t{status}\t{key_prefix}{n}\t{stamp(due)}\t{stamp(due)}\t{stamp(due)}\t\\N\t"
               f'{{"title": "Time to pump"}}\t1\t{sent}\t{stamp(due)}\t{stamp(due)}\n')


def load_plans(conn, user_ids, first_id: int) -> int:
    """Insert a finished 14-day plan with 112 slots for each user; return the next plan id."""
    plan_lines, slot_lines = [], []
    for n, user_id in enumerate(user_ids):
        plan_id = first_id + n
        start = NOW - timedelta(days=random.Random(plan_id).randint(20, 700))
        plan_lines.append(f"{plan_id}\t{user_id}\tfrequent-boost\tfinished\t{{}}\tUTC\t{stamp(start)}\t"
                          f"{stamp(start + timedelta(days=14))}\t{stamp(start)}\n")
        for index in range(SLOTS_PER_PLAN):
            at = start + timedelta(hours=3 * index)
            slot_lines.append(f"{plan_id}\t{index}\t{stamp(at)}\t{stamp(at + timedelta(minutes=20))}\t[]\n")
    copy_rows(conn, "plans", ("id", "user_id", "template", "status", "params", "time_zone", "starts_at", "ends_at",
                              "created_at"), plan_lines)
    copy_rows(conn, "plan_slots", ("plan_id", "index", "starts_at", "ends_at", "phases"), slot_lines)
    return first_id + len(user_ids)


class Loader:
    """Fill the bench database in two steps, keeping the totals in proportion."""

    def __init__(self, url: str, users: int, measured_id: int):
        self.url, self.users, self.measured_id = url, users, measured_id
        self.rng = random.Random(1)
        self.sessions = self.reminders = 0
        self.next_plan = 1

    def load_users(self) -> None:
        """COPY the other parents, each with a pending gap reminder."""
        others = [n for n in range(1, self.users + 1) if n != self.measured_id]
        with psycopg.connect(plain_url(self.url)) as conn:
            copy_rows(conn, "users", ("id", "email", "password_hash", "time_zone", "unit", "created_at"),
                      (f"{n}\tp{n}@bench.example\tx\tUTC\tml\t{stamp(NOW)}\n" for n in others))
            copy_rows(conn, "reminders", REMINDER_COLUMNS, reminder_lines(range(1, self.users + 1), "pending",
                                                                         self.rng, "gap:"))
            conn.execute("SELECT setval('users_id_seq', %s)", (self.users,))

    def load_measured(self) -> None:
        """COPY the measured parent's year: 8 sessions a day, reminders and one plan."""
        starts = [NOW - timedelta(hours=3 * n + 1) for n in range(MEASURED_SESSIONS)]
        self._load([self.measured_id] * MEASURED_SESSIONS, starts, [self.measured_id])

    def grow_to(self, total: int) -> None:
        """COPY other parents' sessions (and reminders and plans in proportion) up to `total` sessions."""
        count = total - self.sessions
        others = [self.rng.randint(1, self.users) for _ in range(count)]
        others = [u if u != self.measured_id else u % self.users + 1 for u in others]
        plans = [self.rng.randint(1, self.users) for _ in range(max(0, total // 1000 - self.next_plan + 1))]
        self._load(others, random_starts(count, self.rng), [u for u in plans if u != self.measured_id])

    def _load(self, user_ids: list[int], starts, plan_users: list[int]) -> None:
        """COPY sessions for the given users, one sent reminder per two sessions, and plans."""
        with psycopg.connect(plain_url(self.url)) as conn:
            self.sessions += copy_rows(conn, "pump_sessions", SESSION_COLUMNS, session_lines(user_ids, starts))
            sent = user_ids[::2]
            self.reminders += copy_rows(conn, "reminders", REMINDER_COLUMNS,
                                        reminder_lines(sent, "sent", self.rng, f"sent:{self.reminders}:"))
            self.next_plan = load_plans(conn, plan_users, self.next_plan)
            conn.execute("SELECT setval('plans_id_seq', %s)", (self.next_plan,))
        with psycopg.connect(plain_url(self.url), autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")


class Paths:
    """The measured parent's hot paths, through the app as a phone would call them."""

    def __init__(self, app, headers: dict):
        self.app, self.client, self.headers = app, app.test_client(), headers

    def get(self, url: str, **query) -> None:
        """Call the API and insist on 200, reading the whole (perhaps streamed) body."""
        response = self.client.get(url, query_string=query, headers=self.headers)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        response.get_data()

    def page_cursor(self, pages: int) -> str:
        """Walk the list to the cursor of page `pages + 1` (not timed)."""
        cursor = None
        for _ in range(pages):
            query = {"limit": 50, **({"cursor": cursor} if cursor else {})}
            cursor = self.client.get("/api/sessions", query_string=query, headers=self.headers).json["next_cursor"]
        return cursor

    def claim(self) -> None:
        """Claim 1,000 due reminders as the clock does, then put them back."""
        from server.models import Reminder
        from server.services.dispatch import DEFAULT_LEASE, claim_due

        with self.app.extensions["sessionmaker"]() as db:
            claimed, _ = claim_due(db, NOW, DUE, DEFAULT_LEASE)
            assert len(claimed) == DUE, len(claimed)
            db.execute(update(Reminder).where(Reminder.id.in_([c.id for c in claimed]))
                       .values(status="pending", lease_until=None))
            db.commit()

    def all(self) -> dict:
        """Return each path's name and a callable running it once."""
        cursor = self.page_cursor(50)
        year = (NOW - timedelta(days=364)).date().isoformat(), NOW.date().isoformat()
        quarter = (NOW - timedelta(days=89)).date().isoformat()
        return {
            "list, first page (50)": lambda: self.get("/api/sessions", limit=50),
            "list, page 51 by cursor": lambda: self.get("/api/sessions", limit=50, cursor=cursor),
            "90-day summary": lambda: self.get("/api/summary/daily", **{"from": quarter, "to": year[1]}),
            "sessions.csv, one year": lambda: self.get("/api/export/sessions.csv", **{"from": year[0],
                                                                                      "to": year[1]}),
            f"clock claim of {DUE} due reminders": self.claim,
        }


def make_due(url: str) -> None:
    """Make DUE of the pending reminders due now, as a busy minute would."""
    with psycopg.connect(plain_url(url), autocommit=True) as conn:
        conn.execute("UPDATE reminders SET send_after = %s WHERE id IN (SELECT id FROM reminders "
                     "WHERE status = 'pending' ORDER BY id LIMIT %s)", (NOW - timedelta(minutes=1), DUE))
        conn.execute("ANALYZE reminders")


def run_ms(run) -> float:
    """Run a path once and return the milliseconds it took."""
    started = time.perf_counter()
    run()
    return (time.perf_counter() - started) * 1000


def time_paths(small: dict, large: dict, repeat: int) -> dict[str, tuple[list[float], list[float]]]:
    """Time each path on both databases in alternating order, after two warm-up runs of each."""
    times = {}
    for name in small:
        for _ in range(2):
            small[name]()
            large[name]()
        pairs = []
        for n in range(repeat):
            # Alternate which goes first, so a burst of load on the shared machine hits both alike.
            if n % 2:
                big = run_ms(large[name])
                pairs.append((run_ms(small[name]), big))
            else:
                pairs.append((run_ms(small[name]), run_ms(large[name])))
        times[name] = [a for a, _ in pairs], [b for _, b in pairs]
    return times


def explain_paths(app, url: str, paths: dict) -> list[str]:
    """Print the plan of every statement the paths run; return the sequential scans of large tables."""
    statements = []

    def keep(_conn, _cursor, statement, parameters, _context, _many):
        """Remember each statement with its parameters."""
        if statement.lstrip().upper().startswith(("SELECT", "UPDATE", "WITH")) and "pg_" not in statement:
            statements.append((statement, parameters))

    engine = app.extensions["engine"]
    event.listen(engine, "before_cursor_execute", keep)
    for name, run in paths.items():
        statements.append((f"-- {name}", None))
        run()
    event.remove(engine, "before_cursor_execute", keep)
    scans = []
    with psycopg.connect(plain_url(url)) as conn:
        for statement, parameters in statements:
            if parameters is None:
                print(f"\n{statement}")
                continue
            if "FROM api_tokens" in statement or "FROM goals" in statement or "FROM users" in statement:
                continue  # primary-key and unique look-ups: one row each
            # ANALYZE runs the statement, so the claim's UPDATE is rolled back.
            rows = conn.execute("EXPLAIN (ANALYZE, COSTS OFF, SUMMARY OFF) " + statement, parameters).fetchall()
            conn.rollback()
            plan = [row[0] for row in rows]
            print("  " + " ".join(statement.split())[:150])
            for line in plan:
                print("    " + (line if len(line) < 200 else line[:200] + "..."))
            scans += [line.strip() for line in plan if "Seq Scan on" in line
                      and line.split("Seq Scan on ")[1].split()[0] in LARGE_TABLES]
    return scans


def prepare(url: str, users: int, sessions: int):
    """Create, migrate and fill one bench database; return its app and the measured parent's paths."""
    from server import create_app

    recreate_database(url)
    migrate(url)
    app = create_app({"DATABASE_URL": url, "ARGON2_MEMORY_KIB": 1024, "ARGON2_TIME_COST": 1,
                      "AUTH_RATE_LIMIT": "1000 per minute"})
    body = {"email": "measured@bench.example", "password": "correct horse battery"}
    headers = {"Authorization": f"Bearer {app.test_client().post('/api/auth/register', json=body).json['token']}"}
    loader = Loader(url, users, app.test_client().get("/api/me", headers=headers).json["id"])
    started = time.perf_counter()
    loader.load_users()
    loader.load_measured()
    loader.grow_to(sessions)
    make_due(url)
    print(f"{make_url(url).database}: {users} users, {loader.sessions:,} sessions, {loader.reminders:,} sent "
          f"reminders, {loader.next_plan - 1} plans, {(loader.next_plan - 1) * SLOTS_PER_PLAN:,} plan slots "
          f"loaded in {time.perf_counter() - started:.1f} s (COPY, then VACUUM ANALYZE)")
    return app, Paths(app, headers).all()


def main() -> None:
    """Load both databases, time the paths on them alternately, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--sessions", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("--plans", action="store_true", help="print the query plans on the large database")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    args = parser.parse_args()
    url = os.environ.get("BENCH_SCALE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench_scale")
    urls = make_url(url).set(database=make_url(url).database + "_small").render_as_string(False), url
    apps = []
    try:
        small_app, small = prepare(urls[0], args.users, 10_000)
        large_app, large = prepare(urls[1], args.users, args.sessions)
        apps = [small_app, large_app]
        times = time_paths(small, large, args.repeat)
        print(f"\n{args.repeat} runs per path, the two databases alternately; one parent with "
              f"{MEASURED_SESSIONS:,} sessions; {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
        print(f"{'path':<36} {'10,000 sessions':>20} {f'{args.sessions:,} sessions':>22} {'ratio':>6}")
        print(f"{'':<36} {'best (median) ms':>20} {'best (median) ms':>22}")
        worst = 0.0
        for name, (a, b) in times.items():
            # The median of the paired ratios: each pair ran back to back under the same load.
            ratio = statistics.median(y / x for x, y in zip(a, b, strict=True))
            worst = max(worst, ratio)
            print(f"{name:<36} {min(a):>9.2f} ({statistics.median(a):>8.2f}) {min(b):>11.2f} "
                  f"({statistics.median(b):>8.2f}) {ratio:>6.2f}{'' if ratio <= 1.5 else '  > 1.5'}")
        if args.plans:
            scans = explain_paths(large_app, urls[1], large)
            print("\nsequential scans of large tables:", scans or "none")
        print(f"\nworst ratio {worst:.2f} (the target is at most 1.5)")
    finally:
        for app in apps:
            app.extensions["engine"].dispose()
        if not args.keep:
            for one in urls:
                recreate_database(one, drop_only=True)


if __name__ == "__main__":
    main()
