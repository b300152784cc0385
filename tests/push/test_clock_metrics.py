"""The clock counts what it does: reminders by outcome, their lateness by kind, push answers, the queue, its beat."""

import json
import time
from datetime import UTC, datetime, timedelta

from prometheus_client import REGISTRY

from server import clock
from tests.push.test_dispatch import add_reminder

DUE = datetime(2026, 11, 28, 9, tzinfo=UTC)


def _value(name: str, **labels) -> float:
    """Return a sample's value in this process's registry (0 when absent)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_tick_counts_outcomes_lateness_answers_and_the_queue(app, db, make_user, device, push_service, push_client):
    user, headers = make_user()
    device(headers)
    for n in range(3):
        add_reminder(db, user["id"], DUE, key=f"k{n}")
    add_reminder(db, user["id"], DUE + timedelta(hours=1), key="later")  # not due yet: stays out of everything
    before = {"sent": _value("pumpwell_reminders_total", outcome="sent"),
              "late": _value("pumpwell_reminder_lateness_seconds_count", kind="plan_slot"),
              "late_90": _value("pumpwell_reminder_lateness_seconds_bucket", kind="plan_slot", le="60.0"),
              "answers": _value("pumpwell_push_responses_total", service="127.0.0.1", status="201")}
    app.config["CLOCK"] = lambda: DUE + timedelta(seconds=90)
    pipeline = clock.Pipeline(app, push_client)
    pipeline.tick()
    pipeline.close()
    assert _value("pumpwell_reminders_total", outcome="sent") - before["sent"] == 3
    assert _value("pumpwell_reminder_lateness_seconds_count", kind="plan_slot") - before["late"] == 3
    # 90 s late: none of the three falls in the 60 s bucket.
    assert _value("pumpwell_reminder_lateness_seconds_bucket", kind="plan_slot", le="60.0") == before["late_90"]
    assert _value("pumpwell_push_responses_total", service="127.0.0.1", status="201") - before["answers"] == 3
    assert _value("pumpwell_reminders_due") == 0 and _value("pumpwell_reminders_oldest_due_seconds") == 0
    assert time.time() - _value("pumpwell_clock_last_tick_timestamp_seconds") < 30


def test_the_queue_shows_what_waits_while_no_clock_sends(app, db, make_user):
    user, _ = make_user()
    for n in range(4):
        add_reminder(db, user["id"], DUE, key=f"k{n}")
    with app.extensions["sessionmaker"]() as session:
        clock.clock_metrics.record_queue(session, DUE + timedelta(minutes=5))
    assert _value("pumpwell_reminders_due") == 4 and _value("pumpwell_reminders_oldest_due_seconds") == 300


def test_clock_status_reads_the_heartbeat(app):
    runner = app.test_cli_runner()
    missing = runner.invoke(args=["clock-status"])
    assert missing.exit_code == 1 and "no clock has run here yet" in missing.output
    clock.beat(app)
    fresh = runner.invoke(args=["clock-status"])
    assert fresh.exit_code == 0 and "finished a tick 0 s ago" in fresh.output
    clock.heartbeat_path(app).write_text(json.dumps({"at": time.time() - 600, "pid": 1}))
    stale = runner.invoke(args=["clock-status", "--max-age", "120"])
    assert stale.exit_code == 1 and "600 s ago: stuck or stopped" in stale.output
