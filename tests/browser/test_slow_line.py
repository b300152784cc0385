"""A cold phone on a slow line: Today's code and reads leave together, right after the page, and only to our origin."""

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from server import bundle
from tests.browser.conftest import PHONE
from tests.conftest import PASSWORD

# Each answer comes a second after its request: a request that waited for another answer starts a second later.
LATENCY = {"offline": False, "latency": 1000, "downloadThroughput": -1, "uploadThroughput": -1}


@pytest.fixture(autouse=True, scope="module")
def bundled():
    """The bundle of frontend/ as it is, as make test builds it (without one, the modules come one level at a time)."""
    if bundle.current(bundle.shell_version()) is None:
        bundle.write()


def register(live_server, zone: str) -> str:
    """Create an account in `zone` through the API; return its token."""
    body = {"email": f"{uuid.uuid4().hex[:12]}@example.com", "password": PASSWORD, "time_zone": zone}
    return live_server.api("POST", "/auth/register", json=body).json["token"]


def cold_phone(browser, live_server, token: str | None, zone: str = "UTC"):
    """A phone that never opened Pumpwell (no service worker, no cache), with only `token` stored."""
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True,
                                  locale="en-US", timezone_id=zone)
    context.set_default_timeout(15_000)
    if token:
        context.add_init_script(f"localStorage.setItem('pumpwell.token', {token!r})")
    return context


def record(context, page) -> dict:
    """Record every request's URL, headers, and when (browser clock) it started and its answer ended."""
    requests: dict = {}
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", LATENCY)
    cdp.on("Network.requestWillBeSent", lambda e: requests.setdefault(e["requestId"], {
        "url": e["request"]["url"], "headers": e["request"]["headers"], "start": e["timestamp"]}))
    cdp.on("Network.loadingFinished", lambda e: requests.get(e["requestId"], {}).update(end=e["timestamp"]))
    return requests


def test_a_signed_in_cold_phone_asks_for_todays_code_and_reads_in_one_round_after_the_page(browser, live_server):
    """Page, then style sheet, script and the four reads side by side: two round trips, each read asked once."""
    token = register(live_server, "UTC")
    context = cold_phone(browser, live_server, token)
    try:
        page = context.new_page()
        requests = record(context, page)
        page.goto("/#/today")
        expect(page.locator("#today-total")).to_be_visible()
        # Every read the page started was taken by Today; later screens ask afresh.
        assert page.evaluate("self.pumpwellEarly === undefined")
        day = datetime.now(UTC).date().isoformat()
        today = ["/api/me", f"/api/summary/daily?from={day}&to={day}", "/api/sessions?limit=30", "/api/reminders"]
        seen = [r for r in requests.values() if r["url"].startswith(live_server.url)]
        paths = [r["url"].removeprefix(live_server.url) for r in seen]
        assert sorted(p for p in paths if p in today) == sorted(today)
        page_answered = next(r["end"] for r in seen if r["url"] == live_server.url + "/")
        second = [r for r in seen if r["url"].removeprefix(live_server.url) in [*today, "/assets/bundle.js"]]
        first_answer = min(r.get("end", float("inf")) for r in seen if r["start"] >= page_answered)
        # Nothing Today needs waited for another answer than the page's.
        assert all(page_answered <= r["start"] < first_answer for r in second), second
        # The token goes to this origin only.
        leaked = [r["url"] for r in requests.values() if "Authorization" in r["headers"]
                  and not r["url"].startswith(live_server.url + "/api/")]
        assert leaked == []
    finally:
        context.close()


def test_a_signed_out_phone_gets_the_sign_in_screen_and_asks_the_api_nothing(browser, live_server):
    """No token, no early reads: the sign-in screen, with the CSP honoured."""
    context = cold_phone(browser, live_server, None)
    try:
        page = context.new_page()
        violations = []
        page.on("console", lambda msg: "Content Security Policy" in msg.text and violations.append(msg.text))
        asked = []
        page.on("request", lambda r: "/api/" in r.url and asked.append(r.url))
        page.goto("/#/today")
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        assert asked == [] and violations == []
        assert page.evaluate("self.pumpwellEarly === undefined")
    finally:
        context.close()


def test_a_revoked_token_read_early_still_leads_to_sign_in(browser, live_server):
    """The early /me answers 401: the app forgets the token and shows sign-in, as it would for its own read."""
    context = cold_phone(browser, live_server, "revoked-" + uuid.uuid4().hex)
    try:
        page = context.new_page()
        page.goto("/#/today")
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        assert page.evaluate("localStorage.getItem('pumpwell.token')") is None
    finally:
        context.close()


def test_todays_figures_are_the_accounts_day_when_the_phone_guessed_another(browser, live_server):
    """Phone and account zones 25 hours apart: the early read is for the phone's date, Today shows the account's."""
    zone = ZoneInfo("Pacific/Pago_Pago")
    token = register(live_server, "Pacific/Pago_Pago")
    now = datetime.now(zone)
    started = max(now.replace(hour=0, minute=0, second=0, microsecond=0), now - timedelta(minutes=5))
    live_server.api("POST", "/sessions", token, json={
        "started_at": started.isoformat(), "duration_min": 1, "left_ml": 50, "right_ml": 45})
    context = cold_phone(browser, live_server, token, zone="Pacific/Kiritimati")
    try:
        page = context.new_page()
        asked = []
        page.on("request", lambda r: "/api/summary/" in r.url and asked.append(r.url))
        page.goto("/#/today")
        expect(page.locator("#today-total")).to_have_text("95 mL")
        phone_day = datetime.now(ZoneInfo("Pacific/Kiritimati")).date().isoformat()
        assert [url.split("from=")[1][:10] for url in asked] == [phone_day, now.date().isoformat()]
    finally:
        context.close()
