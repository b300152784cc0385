"""Flask commands: `flask --app server <command>`."""

import json
import time
from datetime import timedelta

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import make_url

from server import backup
from server.db import database_url, get_db
from server.domain.errors import NotFound
from server.services import accounts, subscriptions
from server.timeutil import app_now


@click.command("create-user")
@click.argument("email")
@click.password_option()
@click.option("--time-zone", default="UTC", help="IANA time zone, e.g. Europe/Berlin.")
@with_appcontext
def create_user_command(email: str, password: str, time_zone: str) -> None:
    """Create an account from the command line."""
    accounts.register(
        get_db(), current_app.extensions["passwords"], email, password, time_zone, "ml", "en", "cli",
        timedelta(days=1), app_now(),
    )
    click.echo(f"Created {email}.")


@click.command("clock")
@with_appcontext
def clock_command() -> None:
    """Run the reminder dispatcher until interrupted (the Procfile's clock process)."""
    # Imported here: web processes load this module too, and must not load the scheduler and push stack.
    from server import clock

    try:
        clock.run(current_app._get_current_object())
    except clock.ClockRefused as exc:
        raise click.ClickException(str(exc)) from exc


@click.command("push-test")
@click.argument("email")
@with_appcontext
def push_test_command(email: str) -> None:
    """Send a test notification to every device of the user with this email, now."""
    from server import clock
    from server.services import dispatch

    app, db = current_app._get_current_object(), get_db()
    try:
        user = subscriptions.user_by_email(db, email)
        client = clock.push_client(app)
    except (clock.ClockRefused, NotFound) as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        reminder = subscriptions.queue_test_reminder(db, user, app_now())
        dispatch.dispatch_due(db, client, app_now(), reminder_ids=[reminder.id], base_url=app.config["PUBLIC_URL"])
    finally:
        client.close()
    # A running clock may have won the claim; the row says how it went either way.
    db.refresh(reminder)
    detail = f" ({reminder.last_error})" if reminder.last_error else ""
    click.echo(f"Test reminder {reminder.id}: {reminder.status}{detail}")


def _sqlite_path() -> str:
    """Return the app's SQLite file, or stop with how to back up any other database."""
    url = make_url(database_url(current_app))
    if url.get_backend_name() != "sqlite":
        raise click.ClickException(
            "This is not SQLite: back up PostgreSQL with pg_dump "
            "(pg_dump -Fc \"$(flask --app server db-url)\" > pumpwell.dump) and restore with pg_restore."
        )
    return url.database


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(path: str) -> None:
    """Write a consistent copy of the running SQLite database to PATH."""
    pages = backup.backup(_sqlite_path(), path)
    click.echo(f"Backed up {pages} pages to {path}.")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def restore_command(path: str) -> None:
    """Replace the SQLite database with the backup at PATH; refused while anything has it open."""
    current_app.extensions["engine"].dispose()
    try:
        backup.restore(path, _sqlite_path())
    except backup.RestoreRefused as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Restored {path}.")


@click.command("db-url")
@with_appcontext
def db_url_command() -> None:
    """Print the PostgreSQL URL as psql, pg_dump and pg_restore take it (DATABASE_URL may name a driver)."""
    url = make_url(database_url(current_app))
    if url.get_backend_name() != "postgresql":
        raise click.ClickException(f"This is SQLite, the file {url.database}: back it up with `flask backup`.")
    click.echo(url.set(drivername="postgresql").render_as_string(hide_password=False))


@click.command("vapid-keys")
def vapid_keys_command() -> None:
    """Print a new VAPID key pair as the two environment lines every web and clock process must share."""
    from py_vapid import Vapid

    from server.push import b64url_encode
    from server.vapid import public_key_b64

    vapid = Vapid()
    vapid.generate_keys()
    raw = vapid.private_key.private_numbers().private_value.to_bytes(32, "big")
    click.echo(f"VAPID_PRIVATE_KEY={b64url_encode(raw)}")
    click.echo(f"VAPID_PUBLIC_KEY={public_key_b64(vapid)}")


@click.command("clock-status")
@click.option("--max-age", type=float, default=60.0, show_default=True,
              help="Seconds since a clock's last tick after which it counts as stuck.")
@with_appcontext
def clock_status_command(max_age: float) -> None:
    """Say when a clock on this machine last finished a tick; exit 1 if none did within --max-age seconds."""
    from server.clock import heartbeat_path

    path = heartbeat_path(current_app)
    try:
        beat = json.loads(path.read_text())
    except (OSError, ValueError):
        raise click.ClickException(f"no clock has run here yet ({path} is missing)") from None
    age = time.time() - beat["at"]
    message = f"the clock (pid {beat['pid']}) finished a tick {age:.0f} s ago"
    if age > max_age:
        raise click.ClickException(f"{message}: stuck or stopped")
    click.echo(message)


@click.command("release")
@with_appcontext
def release_command() -> None:
    """Migrate the database to head, then bundle the app's modules: the Procfile's release step."""
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from server.bundle import ROOT, BundleError, make

    config = Config(toml_file=str(ROOT / "pyproject.toml"))
    config.attributes["url"] = database_url(current_app)
    command.upgrade(config, "head")
    click.echo(f"Migrated the database to {ScriptDirectory.from_config(config).get_current_head()}")
    try:
        # Without esbuild the app still works, its modules fetched one by one: a slower first load, not an outage.
        click.echo(make(if_available=True))
    except BundleError as err:
        raise click.ClickException(str(err)) from None


def init_app(app: Flask) -> None:
    """Register the commands."""
    app.cli.add_command(create_user_command)
    app.cli.add_command(release_command)
    app.cli.add_command(clock_command)
    app.cli.add_command(push_test_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(db_url_command)
    app.cli.add_command(vapid_keys_command)
    app.cli.add_command(clock_status_command)
