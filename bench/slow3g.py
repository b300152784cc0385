"""Load the app under Chromium's Slow 3G emulation and print the time until Today shows its figures, cold and warm.

Cold: a phone that never opened Pumpwell (no service worker, no HTTP cache) but signed in (token stored).
Warm: the same phone opening it again, the shell served by the service worker, the last figures seen kept.
Run: .venv/bin/python bench/slow3g.py [runs]
"""

import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, LiveServer, wait_for_service_worker  # noqa: E402
from tests.conftest import PASSWORD  # noqa: E402

# Chrome DevTools' "Slow 3G" preset: 2 s of latency per request, 50 kB/s each way.
SLOW_3G = {"offline": False, "latency": 2000, "downloadThroughput": 50_000, "uploadThroughput": 50_000}


def account(server: LiveServer) -> str:
    """Create a user with a week of sessions; return its token."""
    with server.app.test_client() as client:
        body = {"email": f"slow3g-{time.time_ns()}@example.com", "password": PASSWORD, "time_zone": "UTC"}
        token = client.post("/api/auth/register", json=body).json["token"]
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    for hours in range(1, 7 * 24, 3):
        server.api("POST", "/sessions", token, json={
            "started_at": (now - timedelta(hours=hours)).isoformat(), "duration_min": 15, "left_ml": 50, "right_ml": 45,
        })
    return token


def open_today(context, slow: bool = True) -> tuple[float, int]:
    """Open Today in a new page (under Slow 3G); return (seconds until its figures show, bytes received)."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    # Disabling the HTTP cache would also bypass the service worker's own cache; only the network is slowed.
    if slow:
        cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    received = []
    cdp.on("Network.loadingFinished", lambda event: received.append(event["encodedDataLength"]))
    started = time.perf_counter()
    page.goto("/#/today", wait_until="commit")
    page.locator("#today-total").wait_for(timeout=120_000)
    elapsed = time.perf_counter() - started
    page.close()
    return elapsed, sum(received)


def measure(browser, server: LiveServer, token: str) -> tuple[float, int, float, int]:
    """One cold and one warm load in a fresh phone context."""
    context = browser.new_context(base_url=server.url, viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="en-US", timezone_id="UTC")
    context.add_init_script(f"localStorage.setItem('pumpwell.token', {token!r})")
    try:
        cold, cold_bytes = open_today(context)
        # Let the service worker finish installing (precaching the shell) before the second visit.
        page = context.new_page()
        page.goto("/#/today")
        wait_for_service_worker(page)
        page.close()
        warm, warm_bytes = open_today(context)
    finally:
        context.close()
    return cold, cold_bytes, warm, warm_bytes


def main() -> None:
    """Print the median of a few cold and warm loads."""
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        server = LiveServer(Path(tmp))
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            token = account(server)
            results = [measure(browser, server, token) for _ in range(runs)]
        finally:
            browser.close()
            server.stop()
    cold = statistics.median(r[0] for r in results)
    warm = statistics.median(r[2] for r in results)
    print(f"Slow 3G (2 s latency, 50 kB/s), {runs} runs, median time until Today shows its figures:")
    cold_kib, warm_kib = results[0][1] / 1024, results[0][3] / 1024
    print(f"  cold (no service worker, no cache): {cold:.2f} s, {cold_kib:.0f} KiB received by then")
    print(f"  warm (service worker, last figures seen): {warm:.2f} s, {warm_kib:.0f} KiB received by then")


if __name__ == "__main__":
    main()
