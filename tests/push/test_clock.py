"""The clock process and the operator's commands."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from server import clock
from server.models import Reminder
from tests.push.test_dispatch import add_reminder


def test_clock_refuses_a_localhost_contact_outside_development(app):
    app.config["VAPID_SUBJECT"] = "mailto:dev@localhost"
    with pytest.raises(clock.ClockRefused):
        clock.push_client(app)
    result = app.test_cli_runner().invoke(args=["clock"])
    assert result.exit_code != 0 and "localhost" in result.output
    app.config["DEVELOPMENT"] = True
    clock.push_client(app).close()


def test_scheduler_runs_one_utc_interval_job_without_overlap(app):
    client = clock.push_client(app)
    scheduler = clock.scheduler_for(app, client)
    [job] = scheduler.get_jobs()
    assert job.func is clock.tick and job.coalesce and job.max_instances == 1
    assert job.trigger.interval == timedelta(seconds=2) and str(scheduler.timezone) == "UTC"
    client.close()


def test_a_tick_drains_batch_after_batch(app, db, make_user, device, push_service, push_client):
    user, headers = make_user()
    device(headers)
    due = datetime(2026, 11, 28, 9, tzinfo=UTC)
    for n in range(7):
        add_reminder(db, user["id"], due, key=f"k{n}")
    app.config["PUSH_BATCH_SIZE"] = 3
    app.config["CLOCK"] = lambda: due
    clock.tick(app, push_client)
    assert len(push_service.delivered()) == 7
    assert set(db.scalars(select(Reminder.status))) == {"sent"}


def test_push_test_command_delivers_to_the_users_devices(app, make_user, device, push_service):
    user, headers = make_user()
    device(headers)
    result = app.test_cli_runner().invoke(args=["push-test", user["email"].upper()])
    assert result.exit_code == 0 and result.output.strip().endswith(": sent")
    assert push_service.delivered()[0].json()["kind"] == "test"


def test_push_test_command_says_why_nothing_was_sent(app, make_user):
    user, _ = make_user()
    result = app.test_cli_runner().invoke(args=["push-test", user["email"]])
    assert result.exit_code == 0 and "failed (no push subscription)" in result.output


def test_push_test_command_names_an_unknown_email(app):
    result = app.test_cli_runner().invoke(args=["push-test", "nobody@example.com"])
    assert result.exit_code != 0 and "No account" in result.output
