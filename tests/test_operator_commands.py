"""The operator's commands: a VAPID key pair as environment lines, DATABASE_URL as pg_dump takes it."""

import pytest

from server import create_app
from server.vapid import load_vapid
from tests.conftest import TEST_CONFIG


def test_vapid_keys_prints_lines_the_app_accepts(app, tmp_path):
    lines = app.test_cli_runner().invoke(args=["vapid-keys"]).output.split()
    settings = dict(line.split("=", 1) for line in lines)
    assert set(settings) == {"VAPID_PRIVATE_KEY", "VAPID_PUBLIC_KEY"}
    load_vapid(settings["VAPID_PRIVATE_KEY"], settings["VAPID_PUBLIC_KEY"], str(tmp_path))  # raises if unusable


@pytest.mark.parametrize("given", ["postgresql+psycopg://u:p%40ss@db:5432/pw", "postgres://u:p%40ss@db:5432/pw",
                                   "postgresql://u:p%40ss@db:5432/pw"])
def test_db_url_prints_what_pg_dump_takes_from_either_spelling(given):
    app = create_app({**TEST_CONFIG, "DATABASE_URL": given})
    result = app.test_cli_runner().invoke(args=["db-url"])
    assert result.exit_code == 0 and result.output.strip() == "postgresql://u:p%40ss@db:5432/pw"


def test_db_url_on_sqlite_points_to_the_backup_command(tmp_path):
    app = create_app({**TEST_CONFIG, "DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}"})
    result = app.test_cli_runner().invoke(args=["db-url"])
    assert result.exit_code == 1 and "flask backup" in result.output
