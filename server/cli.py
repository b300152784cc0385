"""Flask commands: `flask --app server <command>`."""

import click
from flask import Flask, current_app

from server.db import get_db
from server.services import accounts
from server.timeutil import utcnow


@click.command("create-user")
@click.argument("email")
@click.password_option()
@click.option("--time-zone", default="UTC", help="IANA time zone, e.g. Europe/Berlin.")
def create_user_command(email: str, password: str, time_zone: str) -> None:
    """Create an account from the command line."""
    from datetime import timedelta

    accounts.register(
        get_db(), current_app.extensions["passwords"], email, password, time_zone, "ml", "cli",
        timedelta(days=1), utcnow(),
    )
    click.echo(f"Created {email}.")


def init_app(app: Flask) -> None:
    """Register the commands."""
    app.cli.add_command(create_user_command)
