"""Lighthouse, mobile and throttled, on sign-in, Today and a share page: scores above their floors, written to docs/."""

import json
import os
import shutil
import subprocess
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import CHROMIUM
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
CLI = ROOT / "tests" / "lighthouse" / "node_modules" / "lighthouse" / "cli" / "index.js"
RESULTS = ROOT / "docs" / "lighthouse.md"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
METRICS = ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift")
# Measured at 0.99 to 1 on two cores at ease (2.2 to 2.9 runnable processes per core); 0.9 leaves room for a
# slower runner, not for a regression.
FLOORS = {"performance": 0.9, "accessibility": 1.0, "best-practices": 1.0}
# Lighthouse times the page's main-thread work, so on a CPU shared with many more runnable processes it measures
# the machine, not the app (13 per core made Today's blocking time 4 to 6 s, 4.3 per core gave Today 0.87): no test
# depends on the machine's speed. Above this load per core (1-minute average, after the run) the performance score
# is recorded in docs/lighthouse.md, not held; the whole suite on two cores runs at 3 to 5.
BUSY = 3
# A share link is private: its page says noindex on purpose, so search-engine scores count only for the app.
FOUND_BY_SEARCH = {"sign in", "today"}


def lighthouse_command() -> list[str]:
    """Node and the Lighthouse CLI that `make lighthouse` installs; skip (a failure when CI is set) without them."""
    node = shutil.which("node")
    if not node or not CLI.exists():
        pytest.skip("Lighthouse is not installed: `make lighthouse` installs it (Node.js 18.16+ and npm needed)")
    return [node, str(CLI)]


def signed_in_profile(playwright, live_server, token: str, profile: Path) -> None:
    """Store the token in a Chromium profile as the app would, on a same-origin page that is not the app.

    /healthz registers no service worker and caches nothing, so Lighthouse then measures a cold first load
    of a signed-in phone, through the app's one sign-in path (the token in localStorage).
    """
    context = playwright.chromium.launch_persistent_context(
        profile, executable_path=CHROMIUM, args=["--no-sandbox"], headless=True)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/healthz")
        page.evaluate("token => localStorage.setItem('pumpwell.token', token)", token)
    finally:
        context.close()


def audit(command: list[str], url: str, out: Path, profile: Path | None = None) -> dict:
    """Run Lighthouse's CLI, mobile form factor and simulated throttling (its defaults), on a URL; return its report."""
    chrome_flags = ["--headless=new", "--no-sandbox"]
    keep = []
    if profile:
        # The last --user-data-dir wins over chrome-launcher's own; keeping storage keeps the token.
        chrome_flags.append(f"--user-data-dir={profile}")
        keep = ["--disable-storage-reset"]
    run = [
        *command, url, "--quiet", "--output=json", f"--output-path={out}", "--form-factor=mobile",
        f"--only-categories={','.join(CATEGORIES)}", "--disable-full-page-screenshot",
        f"--chrome-flags={' '.join(chrome_flags)}", *keep,
    ]
    for attempt in range(3):
        done = subprocess.run(run, env={**os.environ, "CHROME_PATH": CHROMIUM}, capture_output=True, text=True,
                              timeout=180)
        # Lighthouse's own advice when Chromium's trace of the load came out empty (NO_NAVSTART, NO_FCP...):
        # "Please run Lighthouse again". Any other failure fails at once.
        if done.returncode == 0 or "run Lighthouse again" not in done.stderr + done.stdout or attempt == 2:
            break
    assert done.returncode == 0, done.stderr[-2000:]
    return {**json.loads(out.read_text()), "load": os.getloadavg()[0] / os.cpu_count()}


def asked(report: dict, path: str) -> list[int]:
    """The status codes of the requests Lighthouse saw whose path starts with `path`."""
    items = report["audits"]["network-requests"]["details"]["items"]
    return [item["statusCode"] for item in items if urlsplit(item["url"]).path.startswith(path)]


def record(reports: dict[str, dict]) -> None:
    """Write the scores and load metrics per page to docs/lighthouse.md."""
    first = next(iter(reports.values()))
    # Without a bundle made from frontend/ as it is, the app's modules come one by one (docs/contributors.md).
    served = "its modules one by one, no bundle made" if asked(first, "/assets/js/") else "the bundled app"
    rows = [f"| {name} | " + " | ".join(f"{round(r['categories'][c]['score'] * 100)}" for c in CATEGORIES) + " | "
            + " | ".join(r["audits"][m]["displayValue"] for m in METRICS) + f" | {r['load']:.1f} |"
            for name, r in reports.items()]
    RESULTS.write_text(
        f"# Lighthouse {first['lighthouseVersion']} on a phone\n\n"
        "Written by `tests/browser/test_lighthouse.py` (run it with `.venv/bin/python -m pytest "
        "tests/browser/test_lighthouse.py`; commit this file when its figures change). Mobile form factor, "
        "Lighthouse's simulated slow 4G and 4x CPU slowdown, Debian's Chromium "
        f"{first['environment']['hostUserAgent'].split('Chrome/')[1].split('.')[0]}, headless, against the test "
        f"server (werkzeug, SQLite, {served}). Today is a signed-in phone's cold first load: no service "
        "worker, nothing cached, only the token in localStorage.\n\n"
        "Floors the test holds: " + ", ".join(f"{c} {round(f * 100)}" for c, f in FLOORS.items())
        + "; search engines 100 on sign-in and Today (a share page is noindex on purpose). Performance is "
        f"held only when the machine's load stayed at most {BUSY} runnable processes per core (last column): "
        "Lighthouse times main-thread work, so a starved CPU lowers it whatever the app does.\n\n"
        "| Page | Performance | Accessibility | Best practices | SEO | First contentful paint "
        "| Largest contentful paint | Total blocking time | Layout shift | Load per core |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n"
        + "\n".join(rows) + "\n")


def test_sign_in_today_and_a_share_page_keep_their_lighthouse_scores(playwright, live_server, tmp_path):
    """Lighthouse on a phone scores each page at or above its floors; Today is measured signed in, with data."""
    command = lighthouse_command()
    body = {"email": f"{uuid.uuid4().hex[:12]}@example.com", "password": PASSWORD, "time_zone": "UTC"}
    token = live_server.api("POST", "/auth/register", json=body).json["token"]
    now = datetime.now(UTC)
    for minutes_ago, left, right in [(50, 60, 70), (25, 55, 80)]:
        started = (now - timedelta(minutes=minutes_ago)).isoformat()
        session = {"started_at": started, "duration_min": 15, "left_ml": left, "right_ml": right}
        assert live_server.api("POST", "/sessions", token, json=session).status_code == 201
    share = live_server.api("POST", "/shares", token, json={"label": "Dr. Ana", "expires_in_days": 14})
    profile = tmp_path / "profile"
    signed_in_profile(playwright, live_server, token, profile)

    reports = {
        "sign in": audit(command, f"{live_server.url}/#/signin", tmp_path / "signin.json"),
        "today": audit(command, f"{live_server.url}/#/today", tmp_path / "today.json", profile),
        "share page": audit(command, live_server.url + urlsplit(share.json["url"]).path, tmp_path / "share.json"),
    }
    record(reports)

    assert set(asked(reports["today"], "/api/summary/daily")) == {200}, "Today was not measured signed in"
    assert asked(reports["sign in"], "/api/me") == [], "sign-in was measured signed in"
    below = {(name, category): r["categories"][category]["score"] for name, r in reports.items()
             for category, floor in FLOORS.items()
             if r["categories"][category]["score"] < floor and (category != "performance" or r["load"] <= BUSY)}
    assert below == {}
    seo = {name: reports[name]["categories"]["seo"]["score"] for name in FOUND_BY_SEARCH}
    assert seo == dict.fromkeys(FOUND_BY_SEARCH, 1)
