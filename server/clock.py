"""The clock process: an APScheduler job, in UTC, that dispatches due reminders every few seconds."""

import json
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from server import clock_metrics, logs, metrics
from server.domain.delivery import Outcome
from server.logs import describe
from server.push import Message, Result, Sender
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


class MeteredSender:
    """A Sender that counts the push services' answers and notes when each reminder first reached a device."""

    def __init__(self, sender: Sender, clock: Callable[[], datetime]):
        self.sender, self.clock = sender, clock
        self.delivered: dict[int, datetime] = {}

    def deliver(self, messages: Sequence[Message], record: Callable[[list[tuple[int, Result]]], None],
                stop: threading.Event | None = None) -> int:
        """Send through the wrapped sender, counting each answer before the dispatcher records it."""

        def counted(arrived: list[tuple[int, Result]]) -> None:
            """Count these answers, then pass them on."""
            results = [result for _, result in arrived]
            clock_metrics.record_push_answers(results)
            now = self.clock()
            for result in results:
                if result.outcome is Outcome.DELIVERED:
                    self.delivered.setdefault(result.message.handle.reminder_id, now)
            record(arrived)

        return self.sender.deliver(messages, counted, stop)

    def take_delivered(self) -> dict[int, datetime]:
        """Return, and forget, when each reminder delivered since the last call first reached a device."""
        delivered, self.delivered = self.delivered, {}
        return delivered


def heartbeat_path(app: Flask) -> Path:
    """Return the file the clock touches after each batch and tick."""
    return Path(app.config["CLOCK_HEARTBEAT_FILE"] or os.path.join(app.instance_path, "clock.heartbeat"))


def beat(app: Flask) -> None:
    """Note that this clock is alive: the last-tick metric, and the heartbeat file `clock-status` reads."""
    at = time.time()
    clock_metrics.record_tick(at)
    path = heartbeat_path(app)
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = path.with_name(f".{path.name}.{os.getpid()}")
    fresh.write_text(json.dumps({"at": at, "pid": os.getpid()}))
    os.replace(fresh, path)  # whole or not at all: a reader never sees half a file


def dispatch_until_idle(app: Flask, client: Sender, stop: threading.Event | None = None) -> int:
    """Dispatch batch after batch until fewer than a full batch is due or a stop is asked; return how many
    were claimed."""
    batch = app.config["PUSH_BATCH_SIZE"]
    metered = MeteredSender(client, app.config["CLOCK"])
    total = 0
    with app.extensions["sessionmaker"]() as db:
        while stop is None or not stop.is_set():
            now = app.config["CLOCK"]()
            report = dispatch_due(db, metered, now, batch, base_url=app.config["PUBLIC_URL"], stop=stop)
            clock_metrics.record_batch(report.counts)
            clock_metrics.record_lateness(db, metered.take_delivered())
            beat(app)
            total += report.claimed
            if report.claimed < batch:
                break
        clock_metrics.record_queue(db, app.config["CLOCK"]())
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
    logs.configure(app.config["LOG_FORMAT"])
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
    metrics_server = None
    if app.config["CLOCK_METRICS_PORT"]:
        metrics_server = metrics.serve(app.config["CLOCK_METRICS_PORT"], app.config["METRICS_ALLOWED"])
        log.info("clock metrics at :%s/metrics", app.config["CLOCK_METRICS_PORT"])
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
        if metrics_server is not None:
            metrics_server.shutdown()
        log.info("clock stopped")
