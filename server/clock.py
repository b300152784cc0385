"""The clock process: an APScheduler job, in UTC, that dispatches due reminders every few seconds."""

import logging
import signal
import threading
from datetime import UTC

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from server.logs import describe
from server.push import Sender
from server.push.client import PushClient
from server.services.dispatch import dispatch_due
from server.vapid import app_vapid, subject_problem

log = logging.getLogger(__name__)


class ClockRefused(RuntimeError):
    """The clock may not start with these settings."""


def push_client(app: Flask) -> PushClient:
    """Build the push client from the app's settings."""
    config = app.config
    problem = subject_problem(config.get("VAPID_SUBJECT"), bool(config.get("DEVELOPMENT")))
    if problem:
        raise ClockRefused(problem)
    return PushClient(
        app_vapid(app), config["VAPID_SUBJECT"],
        allowed_hosts=config["PUSH_ALLOWED_HOSTS"],
        allow_loopback_http=bool(config.get("PUSH_ALLOW_LOOPBACK_HTTP")),
        timeout=config["PUSH_TIMEOUT_SECONDS"],
        max_in_flight=config["PUSH_MAX_IN_FLIGHT"],
        encrypt_processes=config["PUSH_ENCRYPT_PROCESSES"],
    )


def dispatch_until_idle(app: Flask, client: Sender, stop: threading.Event | None = None) -> int:
    """Dispatch batch after batch until fewer than a full batch is due or a stop is asked; return how many
    were claimed."""
    batch = app.config["PUSH_BATCH_SIZE"]
    total = 0
    with app.extensions["sessionmaker"]() as db:
        while stop is None or not stop.is_set():
            now = app.config["CLOCK"]()
            report = dispatch_due(db, client, now, batch, base_url=app.config["PUBLIC_URL"], stop=stop)
            total += report.claimed
            if report.claimed < batch:
                break
    return total


def tick(app: Flask, client: Sender, stop: threading.Event | None = None) -> None:
    """Run one scheduler tick; log and survive any failure so the next tick runs."""
    try:
        dispatch_until_idle(app, client, stop)
    except SQLAlchemyError as error:
        log.warning("dispatch tick failed on the database (%s); the leases lapse and the next tick reclaims",
                    describe(error))
    except Exception:
        log.exception("dispatch tick failed; the leases lapse and the next tick reclaims")


def scheduler_for(app: Flask, client: Sender, stop: threading.Event | None = None) -> BackgroundScheduler:
    """Build the scheduler: one UTC interval job that never overlaps itself and skips missed runs."""
    scheduler = BackgroundScheduler(timezone=UTC)
    scheduler.add_job(
        tick, "interval", args=(app, client, stop), id="dispatch",
        seconds=app.config["CLOCK_INTERVAL_SECONDS"],
        coalesce=True, max_instances=1, next_run_time=app.config["CLOCK"](),
    )
    return scheduler


def run(app: Flask) -> None:
    """Dispatch due reminders until SIGTERM or SIGINT, then finish cleanly: record what was sent, give
    back the leases held, and stop the encryption workers."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # APScheduler logs every run at INFO, and a skipped run (a tick still draining a backlog, which
    # max_instances=1 intends) at WARNING; neither helps an operator.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    client = push_client(app)
    stop = threading.Event()

    def request_stop(signum, _frame) -> None:
        """Ask the running tick to stop claiming and wind down."""
        log.info("clock stopping on %s", signal.Signals(signum).name)
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, request_stop)
    scheduler = scheduler_for(app, client, stop)
    try:
        scheduler.start()
        log.info("clock started: dispatching due reminders every %s",
                 scheduler.get_job("dispatch").trigger.interval)
        # A timed wait, so the signal handler runs promptly on the main thread.
        while not stop.wait(1):
            pass
    finally:
        stop.set()
        if scheduler.running:
            scheduler.shutdown(wait=True)  # the running tick records, gives back its leases, returns
        client.close()
        log.info("clock stopped")
