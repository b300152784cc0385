"""The clock process: an APScheduler job, in UTC, that claims due reminders every few seconds, and the batches it
claimed sending beside it."""

import json
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
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
from server.services.dispatch import Batch, claim_batch, send_batch
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
        max_in_flight_per_service=config["PUSH_MAX_IN_FLIGHT_PER_SERVICE"],
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


class DatabaseWatch:
    """Log once when the database goes away and once when it is back, however many ticks fail in between."""

    def __init__(self):
        """Start with the database taken to be there."""
        self._lock = threading.Lock()
        self._since: float | None = None  # monotonic time of the first failure of this outage

    def failed(self, error: BaseException) -> None:
        """Note a failure on the database; only the first of an outage is logged."""
        with self._lock:
            first = self._since is None
            if first:
                self._since = time.monotonic()
        if first:
            log.warning("the database is unreachable (%s); reminders wait, leases lapse, and the clock keeps trying",
                        describe(error))

    def worked(self) -> None:
        """Note that the database answered; log the end of an outage."""
        with self._lock:
            since, self._since = self._since, None
        if since is not None:
            log.warning("the database is back after %.0f s; dispatching again", time.monotonic() - since)


class Pipeline:
    """Dispatch without waiting on slow answers: each tick claims batch after batch while one of
    PUSH_BATCHES_IN_FLIGHT senders is free, and each batch sends and records on a thread of its own, so a push
    service that is slow to answer holds its own messages' slots, never the next claim."""

    def __init__(self, app: Flask, client: Sender, stop: threading.Event | None = None):
        """Start no sender yet; `stop` makes the senders give back what they have not settled."""
        self.app, self.client, self.stop = app, client, stop or threading.Event()
        depth = app.config["PUSH_BATCHES_IN_FLIGHT"]
        self._free = threading.Semaphore(depth)
        self._senders = ThreadPoolExecutor(depth, thread_name_prefix="batch")
        self._sending: list[Future] = []  # touched by the tick's thread, and by drain() between ticks
        self.database = DatabaseWatch()

    def tick(self) -> int:
        """Claim batches and hand each to a sender (see _claim); log and survive any failure so the next tick
        runs; return how many reminders were claimed."""
        try:
            claimed = self._claim()
        except SQLAlchemyError as error:
            self.database.failed(error)
            return 0
        except Exception:
            log.exception("dispatch tick failed; the leases lapse and the next tick reclaims")
            return 0
        self.database.worked()
        return claimed

    def drain(self) -> None:
        """Wait until every batch handed over so far is settled or given back."""
        wait(self._sending)

    def close(self) -> None:
        """Wait for the senders (after a stop they give back their leases) and end their threads."""
        self._senders.shutdown(wait=True)

    def _claim(self) -> int:
        """Claim while the last claim was full and a sender is free, or frees up within a tick's interval (a
        backlog goes out as fast as the senders take it); set the queue metrics; return the count."""
        config, sessions = self.app.config, self.app.extensions["sessionmaker"]
        size, total, wait_s = config["PUSH_BATCH_SIZE"], 0, 0.0
        while not self.stop.is_set() and self._free.acquire(timeout=wait_s):
            db = sessions()
            try:
                batch = claim_batch(db, config["CLOCK"](), size)
            except BaseException:
                db.close()
                self._free.release()
                raise
            if not batch.report.claimed:
                db.close()
                self._free.release()
                break
            total += batch.report.claimed
            self._sending = [f for f in self._sending if not f.done()] + [self._senders.submit(self._send, batch)]
            if batch.report.claimed < size:
                break
            # More is due: wait for a sender, but not past the interval, so the tick still beats on time.
            wait_s = config["CLOCK_INTERVAL_SECONDS"]
        with sessions() as db:
            clock_metrics.record_queue(db, config["CLOCK"]())
        beat(self.app)
        return total

    def _send(self, batch: Batch) -> None:
        """Send one claimed batch on a sender's thread, count what it did, and free the sender."""
        metered = MeteredSender(self.client, self.app.config["CLOCK"])
        try:
            with batch.db as db:
                report = send_batch(metered, batch, self.app.config["PUBLIC_URL"], self.stop)
                clock_metrics.record_batch(report.counts)
                clock_metrics.record_lateness(db, metered.take_delivered())
        except SQLAlchemyError as error:
            # Unrecorded answers leave their reminders leased: another claim takes them once the lease lapses.
            self.database.failed(error)
        except Exception:
            log.exception("sending a batch failed; its leases lapse and a later tick reclaims")
        finally:
            self._free.release()


def scheduler_for(pipeline: Pipeline) -> BackgroundScheduler:
    """Build the scheduler: one UTC interval job that never overlaps itself and skips missed runs."""
    app = pipeline.app
    scheduler = BackgroundScheduler(timezone=UTC)
    scheduler.add_job(
        pipeline.tick, "interval", id="dispatch",
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
    pipeline = Pipeline(app, client, stop)
    scheduler = scheduler_for(pipeline)
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
            scheduler.shutdown(wait=True)  # the running tick stops claiming
        pipeline.close()  # the senders record what was answered and give back their leases
        client.close()
        if metrics_server is not None:
            metrics_server.shutdown()
        log.info("clock stopped")
