"""The clock process and the operator's commands."""

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import sessionmaker

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
    pipeline = clock.Pipeline(app, client)
    scheduler = clock.scheduler_for(pipeline)
    [job] = scheduler.get_jobs()
    assert job.func == pipeline.tick and job.coalesce and job.max_instances == 1
    assert job.trigger.interval == timedelta(seconds=2) and str(scheduler.timezone) == "UTC"
    pipeline.close()
    client.close()


def test_a_tick_claims_batch_after_batch(app, db, make_user, device, push_service, push_client):
    user, headers = make_user()
    device(headers)
    due = datetime(2026, 11, 28, 9, tzinfo=UTC)
    for n in range(7):
        add_reminder(db, user["id"], due, key=f"k{n}")
    app.config["PUSH_BATCH_SIZE"] = 3
    app.config["CLOCK"] = lambda: due
    pipeline = clock.Pipeline(app, push_client)
    assert pipeline.tick() == 7
    pipeline.close()
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


def test_a_database_outage_logs_one_line_when_it_goes_and_one_when_it_returns(app, tmp_path, push_client, caplog):
    working = app.extensions["sessionmaker"]
    gone = sessionmaker(create_engine(f"sqlite:///{tmp_path}/no/such/folder.db"))
    pipeline = clock.Pipeline(app, push_client)
    caplog.set_level(logging.INFO, logger="server.clock")
    try:
        app.extensions["sessionmaker"] = gone
        for _ in range(5):
            assert pipeline.tick() == 0
        app.extensions["sessionmaker"] = working
        for _ in range(3):
            pipeline.tick()
    finally:
        app.extensions["sessionmaker"] = working
        pipeline.close()
    lines = [r.getMessage() for r in caplog.records if r.name == "server.clock"]
    assert len(lines) == 2, lines
    assert lines[0].startswith("the database is unreachable (") and "Traceback" not in caplog.text
    assert lines[1].startswith("the database is back after")
