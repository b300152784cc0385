"""gunicorn's master loads, before it forks, every module the web app would otherwise import on first use."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# In a fresh interpreter, as gunicorn's master: the settings module, the app, then the hook that runs before forking.
# It prints each import written inside a function of a server module the app loaded, and whether it is now loaded.
MASTER = """
import ast, importlib.util, json, sys
import server.gunicorn_conf as conf
from server import create_app

create_app()
conf.when_ready(None)
late = {}
for name, module in list(sys.modules.items()):
    if not name.startswith("server.") or name == "server.cli" or not getattr(module, "__file__", None):
        continue  # the commands (flask --app server ...) run in processes of their own
    tree = ast.parse(open(module.__file__).read())
    for function in ast.walk(tree):
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(function):
                if isinstance(node, ast.ImportFrom) and node.level == 0:
                    late[node.module] = node.module in sys.modules
                elif isinstance(node, ast.Import):
                    late.update({alias.name: alias.name in sys.modules for alias in node.names})
print(json.dumps(late))
"""
# On the PostgreSQL driver's path only: SQLAlchemy loads psycopg in the master when DATABASE_URL names PostgreSQL.
NOT_THE_WEB_APPS = {"psycopg", "psycopg.pq"}


def test_every_module_the_web_app_imports_late_is_loaded_in_the_master(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", MASTER], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "DATABASE_URL": f"sqlite:///{tmp_path / 'db'}",
             "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics")},
    )
    assert result.returncode == 0, result.stderr
    late = json.loads(result.stdout.splitlines()[-1])
    assert "icalendar" in late and "webauthn" in late  # the scan finds what it looks for
    missing = sorted(name for name, loaded in late.items() if not loaded and name not in NOT_THE_WEB_APPS)
    assert not missing, f"add these to SHARED_LATE_IMPORTS in server/gunicorn_conf.py: {missing}"
