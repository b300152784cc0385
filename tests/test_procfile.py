"""The Procfile as the docs say to run it under honcho: `release` alone first, then web and clock together."""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.test_redeploy import ROOT, _free_port

HONCHO = str(Path(sys.executable).parent / "honcho")


def test_release_then_web_and_clock_under_honcho(tmp_path):
    port = _free_port()
    keys = subprocess.run([str(Path(sys.executable).parent / "flask"), "--app", "server", "vapid-keys"], cwd=ROOT,
                          capture_output=True, text=True, check=True).stdout.split()
    env = {"PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}", "HOME": str(tmp_path),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'pumpwell.db'}", "PORT": str(port),
           "CLOCK_HEARTBEAT_FILE": str(tmp_path / "clock.heartbeat"), **dict(k.split("=", 1) for k in keys)}
    release = subprocess.run([HONCHO, "run", "flask", "--app", "server", "release"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=120)
    assert release.returncode == 0 and "Migrated the database to" in release.stdout, release.stderr
    # honcho gives each process PORT from -p: web's is the one asked for.
    log = (tmp_path / "honcho.log").open("w")
    honcho = subprocess.Popen([HONCHO, "start", "-p", str(port), "web", "clock"], cwd=ROOT, env=env,
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert honcho.poll() is None and time.monotonic() < deadline, (tmp_path / "honcho.log").read_text()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as answer:
                    if answer.status == 200 and (tmp_path / "clock.heartbeat").exists():
                        break
            except OSError:
                time.sleep(0.2)
    finally:
        honcho.send_signal(signal.SIGTERM)
        honcho.wait(timeout=60)
        log.close()
    assert "clock stopped" in (tmp_path / "honcho.log").read_text()
