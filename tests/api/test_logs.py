"""Logs never carry secrets or health data, not even when the database fails in the middle of a request."""

import logging

from sqlalchemy import text

from server.services.tokens import hash_token
from tests.conftest import PASSWORD

NOTES = "private-note-about-a-clogged-duct"
SESSION = {"started_at": "2026-01-05T08:00:00+00:00", "duration_min": 15, "left_ml": 61.5, "right_ml": 72.25,
           "notes": NOTES}

# Failures inside a create, each as statements that set it up and statements that take it away: on PostgreSQL a check
# whose error quotes the whole failing row (the notes among it), and the death of the connection under the statement;
# on SQLite a trigger that aborts the insert, and a table gone missing.
FAILURES = {
    "postgresql": {
        "check": (["ALTER TABLE pump_sessions ADD CONSTRAINT no_notes CHECK (notes IS NULL) NOT VALID"],
                  ["ALTER TABLE pump_sessions DROP CONSTRAINT no_notes"]),
        "lost connection": (
            ["CREATE FUNCTION hang_up() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
             "PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW; END $$",
             "CREATE TRIGGER hang_up BEFORE INSERT ON pump_sessions FOR EACH ROW EXECUTE FUNCTION hang_up()"],
            ["DROP TRIGGER hang_up ON pump_sessions", "DROP FUNCTION hang_up()"]),
    },
    "sqlite": {
        "check": (["CREATE TRIGGER no_notes BEFORE INSERT ON pump_sessions WHEN NEW.notes IS NOT NULL "
                   "BEGIN SELECT RAISE(ABORT, 'no notes'); END"], ["DROP TRIGGER no_notes"]),
        "missing table": (["ALTER TABLE summary_days RENAME TO summary_days_away"],
                          ["ALTER TABLE summary_days_away RENAME TO summary_days"]),
    },
}


def test_a_database_failure_mid_request_logs_no_token_email_password_notes_or_volume(app, client, caplog):
    engine = app.extensions["engine"]
    for n, (create, undo) in enumerate(FAILURES[engine.dialect.name].values()):
        email = f"private.parent.{n}@example.com"
        token = client.post("/api/auth/register", json={"email": email, "password": PASSWORD}).json["token"]
        with engine.begin() as conn:
            for statement in create:
                conn.execute(text(statement))
        caplog.clear()
        try:
            with caplog.at_level(logging.DEBUG):
                answer = client.post("/api/sessions", json=SESSION, headers={"Authorization": f"Bearer {token}"})
        finally:
            engine.dispose()  # a connection the trigger hung up must not come back from the pool
            with engine.begin() as conn:
                for statement in undo:
                    conn.execute(text(statement))
        assert answer.status_code in (409, 503), answer.json
        logged = caplog.text
        assert any(record.levelno >= logging.WARNING for record in caplog.records), "the failure went unlogged"
        for secret in (token, hash_token(token), email, PASSWORD, NOTES, "61.5", "72.25"):
            assert secret not in logged, f"{secret!r} in the log:\n{logged}"
