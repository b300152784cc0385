"""Nothing logged is lost: refused sessions wait for a fix, failures retry with backoff, one outbox for all."""

import json
import re
import time
import uuid
from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from tests.browser.conftest import account_key, ignore_form_limits, sign_up, wait_until
from tests.browser.test_push import registration_id
from tests.browser.test_sessions import server_sessions

OUTBOX = "self.PumpwellOutbox.all()"
TIMER = f"localStorage.getItem({account_key('timer')})"
QUEUE = "(item) => self.PumpwellOutbox.enqueue({id: item.id, method: 'POST', path: '/sessions', body: item})"
OUT_OF_RANGE = "Must be greater than or equal to 0 and less than or equal to 1000."
UNAVAILABLE = '{"error": {"code": "unavailable", "message": "down"}}'


def past_session(left: float, hours_ago: float = 1.0, started: datetime | None = None) -> dict:
    """A session body as the app queues it, with its own UUID."""
    started = started or datetime.now(UTC) - timedelta(hours=hours_ago)
    return {"id": str(uuid.uuid4()), "started_at": started.isoformat(), "duration_min": 15,
            "left_ml": left, "right_ml": 10, "mode": "double", "notes": None}


def fill_past_session(page, left: str, started: str | None = None, past_limits: bool = False) -> None:
    """Fill and submit the "Log a session" form (`past_limits`: send what the form's own limits would refuse)."""
    page.get_by_role("button", name="Log a past session").click()
    dialog = page.get_by_role("dialog", name="Log a session")
    if past_limits:
        ignore_form_limits(dialog)
    if started:
        dialog.get_by_label("Started").fill(started)
    dialog.get_by_label("Left (mL)").fill(left)
    dialog.get_by_label("Right (mL)").fill("10")
    dialog.get_by_role("button", name="Save").click()


def test_a_refused_session_stays_with_the_reason_beside_the_field_until_fixed_and_sent(signed_in, live_server):
    """Left = 5000 is never reported as saved: the form comes back with the reason, Today keeps it, a fix sends it."""
    page, token = signed_in
    fill_past_session(page, "5000", past_limits=True)
    fix = page.get_by_role("dialog", name="Check this session")
    left = fix.get_by_label("Left (mL)")
    expect(left).to_have_value("5000")
    expect(left).to_have_attribute("aria-invalid", "true")
    expect(fix.locator(".field-error")).to_have_text(OUT_OF_RANGE)
    expect(page.locator("#toast")).not_to_contain_text("Session saved")
    fix.get_by_role("button", name="Cancel").click()
    expect(page.locator("#toast")).to_contain_text("Kept on this phone")
    page.reload()  # it lives in IndexedDB, not in the page
    expect(page.locator("#net")).to_contain_text("1 needs attention")
    row = page.locator("#today-sessions > li")
    expect(row).to_contain_text("Needs attention: left_ml: Must be greater than or equal to 0")
    assert server_sessions(live_server, token) == []
    row.get_by_role("button", name="Fix").click()
    fix = page.get_by_role("dialog", name="Check this session")
    fix.get_by_label("Left (mL)").fill("50")
    fix.get_by_role("button", name="Send again").click()
    expect(page.locator("#toast")).to_contain_text("Session saved.")
    expect(page.locator("#today-total")).to_have_text("60 mL")
    expect(page.locator("#net")).not_to_contain_text("attention")
    [session] = server_sessions(live_server, token)
    assert (session["left_ml"], session["right_ml"]) == (50, 10)
    assert page.evaluate(OUTBOX) == []


def test_a_start_in_the_future_is_refused_beside_the_start_and_discarded_only_when_asked(signed_in, live_server):
    """A start in 2030 shows the server's reason beside Started; Discard asks, then forgets it."""
    page, token = signed_in
    fill_past_session(page, "40", started="2030-01-01T10:00")
    fix = page.get_by_role("dialog", name="Check this session")
    expect(fix.get_by_label("Started")).to_have_attribute("aria-invalid", "true")
    expect(fix.locator(".field-error")).to_have_text("Must be at most 5 minutes in the future.")
    fix.get_by_role("button", name="Cancel").click()
    row = page.locator("#today-sessions > li")
    expect(row).to_contain_text("started_at: Must be at most 5 minutes in the future.")
    row.get_by_role("button", name="Discard").click()
    page.get_by_role("dialog", name="Discard this session?").get_by_role("button", name="Cancel").click()
    assert len(page.evaluate(OUTBOX)) == 1
    row.get_by_role("button", name="Discard").click()
    page.get_by_role("dialog", name="Discard this session?").get_by_role("button", name="Discard").click()
    expect(page.locator("#today-sessions")).to_have_count(0)
    assert page.evaluate(OUTBOX) == []
    assert server_sessions(live_server, token) == []


def test_refused_and_failing_sessions_do_not_block_the_ones_queued_after_them(signed_in, context, live_server):
    """Offline, three sessions queue; online, the refused one and the failing one wait, the third is stored."""
    page, token = signed_in
    failing = past_session(22, hours_ago=2)
    refused = past_session(5000, hours_ago=3)
    good = past_session(33, hours_ago=1)

    def fail_one(route):
        """Answer 503 for the failing session only."""
        if route.request.method == "POST" and json.loads(route.request.post_data)["id"] == failing["id"]:
            return route.fulfill(status=503, content_type="application/json", body=UNAVAILABLE)
        return route.fallback()

    context.route("**/api/sessions", fail_one)  # the service worker's requests too
    context.set_offline(True)
    for item in (refused, failing, good):
        page.evaluate(QUEUE, item)
    context.set_offline(False)  # the page's "online" handler flushes everything queued
    wait_until(page, f"self.PumpwellOutbox.get('{good['id']}').then((item) => item === undefined)")
    assert [s["id"] for s in server_sessions(live_server, token)] == [good["id"]]
    states = {item["id"]: item for item in page.evaluate(OUTBOX)}
    assert states[refused["id"]]["state"] == "refused"
    assert states[refused["id"]]["error"]["fields"] == {"left_ml": [OUT_OF_RANGE]}
    assert (states[failing["id"]]["state"], states[failing["id"]]["error"]["status"]) == ("pending", 503)


def test_server_errors_are_retried_with_growing_backoff_until_stored(signed_in, context, live_server):
    """Two 503 answers put the session back with a wait that doubles; a flush before it is due sends nothing."""
    page, token = signed_in
    posts: list[float] = []  # when each POST reached the server, in ms since the epoch like Date.now()

    def fail_twice(route):
        """Answer the first two POSTs with 503, then let them through."""
        if route.request.method != "POST":
            return route.fallback()
        posts.append(time.time() * 1000)
        if len(posts) <= 2:
            return route.fulfill(status=503, content_type="application/json", body=UNAVAILABLE)
        return route.fallback()

    context.route("**/api/sessions", fail_twice)  # the service worker's requests too
    fill_past_session(page, "70")
    expect(page.locator("#toast")).to_contain_text("Saved on this phone")
    [item] = page.evaluate(OUTBOX)
    assert (item["state"], item["attempts"], item["error"]["status"]) == ("pending", 1, 503)
    # The waits are 2 s then 4 s, give or take a quarter (jitter): at least 1.5 s and 3 s after each attempt.
    assert item["next_at"] - posts[0] >= 1500
    page.evaluate("self.PumpwellOutbox.flush()")  # not due yet: nothing is sent
    assert len(posts) == 1
    wait_until(page, "self.PumpwellOutbox.all().then((items) => items[0]?.attempts === 2)", timeout_ms=15_000)
    [item] = page.evaluate(OUTBOX)
    assert item["next_at"] - posts[1] >= 3000
    wait_until(page, "self.PumpwellOutbox.all().then((items) => items.length === 0)", timeout_ms=30_000)
    assert len(posts) == 3
    [session] = server_sessions(live_server, token)
    assert session["left_ml"] == 70
    expect(page.locator("#today-total")).to_have_text("80 mL")


def test_stop_keeps_the_timer_until_the_server_has_the_session(page, live_server):
    """A typo refused after Stop keeps the timer's start; the fixed session is stored with it, then the timer ends."""
    page.clock.install(time=datetime.now(UTC) - timedelta(minutes=30))
    token = sign_up(page)
    page.get_by_role("button", name="Start", exact=True).click()
    page.clock.fast_forward("20:00")
    page.get_by_role("button", name="Stop").click()
    dialog = page.get_by_role("dialog", name="How much did you pump?")
    dialog.get_by_label("Left (mL)").fill("1500")
    ignore_form_limits(dialog)
    dialog.get_by_role("button", name="Save session").click()
    page.get_by_role("dialog", name="Check this session").get_by_role("button", name="Cancel").click()
    started = datetime.fromisoformat(json.loads(page.evaluate(TIMER))["started_at"])
    page.reload()
    expect(page.locator("#timer-queued")).to_be_visible()
    page.locator("#today-sessions > li").get_by_role("button", name="Fix").click()
    fix = page.get_by_role("dialog", name="Check this session")
    fix.get_by_label("Left (mL)").fill("150")
    fix.get_by_role("button", name="Send again").click()
    expect(page.locator("#toast")).to_contain_text("Session saved.")
    expect(page.locator("#timer-queued")).to_have_count(0)
    assert page.evaluate(TIMER) is None
    [session] = server_sessions(live_server, token)
    assert (datetime.fromisoformat(session["started_at"]), session["left_ml"]) == (started, 150)


def test_the_service_worker_flushes_with_the_pages_own_outbox_script(signed_in, live_server):
    """sw.js loads outbox-core.js (no IndexedDB code of its own); its sync keeps a refused item and sends the rest."""
    page, token = signed_in
    page.evaluate("navigator.serviceWorker.ready")
    source = page.evaluate("fetch('/sw.js').then((r) => r.text())")
    assert "importScripts('/assets/js/outbox-core.js')" in source
    assert "indexedDB" not in source
    assert page.evaluate("typeof self.PumpwellOutbox.flush") == "function"  # the page runs the same file
    refused, good = past_session(5000, hours_ago=2), past_session(45, hours_ago=1)
    cdp = page.context.new_cdp_session(page)
    registration = registration_id(page, live_server, cdp)
    for item in (refused, good):
        page.evaluate(QUEUE, item)
    cdp.send("ServiceWorker.dispatchSyncEvent", {
        "origin": live_server.url, "registrationId": registration, "tag": "outbox", "lastChance": False,
    })
    wait_until(page, "self.PumpwellOutbox.all().then((items) => items.length === 1)")
    [kept] = page.evaluate(OUTBOX)
    assert (kept["id"], kept["state"]) == (refused["id"], "refused")
    assert [s["id"] for s in server_sessions(live_server, token)] == [good["id"]]
    expect(page.locator("#net")).to_contain_text("1 needs attention")  # the worker's announcement reached the page


V1_DATABASE = """(item) => new Promise((resolve, reject) => {
    const req = indexedDB.open('pumpwell', 1);
    req.onupgradeneeded = () => {
        req.result.createObjectStore('kv');
        req.result.createObjectStore('outbox', { keyPath: 'id' }).put(item);
    };
    req.onsuccess = () => { req.result.close(); resolve(); };
    req.onerror = () => reject(req.error);
})"""


def test_sessions_queued_by_the_previous_version_are_kept_as_requests(page):
    """Version 1's bare sessions are kept as POST /sessions requests; signed out at the update, they are nobody's."""
    item = past_session(40)
    page.goto("/manifest.webmanifest")  # the app's origin, without the app running yet
    page.evaluate(V1_DATABASE, item)
    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    [kept] = page.evaluate("self.PumpwellOutbox.allAccounts()")
    assert (kept["id"], kept["method"], kept["path"], kept["state"]) == (item["id"], "POST", "/sessions", "pending")
    assert kept["body"] == item
    assert kept.get("account") is None
    expect(page.locator("#waiting")).to_have_text(re.compile(
        "1 session saved before the last update waits; this phone cannot tell which account made it."))


def test_stop_during_a_server_error_keeps_the_timer_until_the_retry_stores_the_session(page, context, live_server):
    """A 503 on Stop leaves the session queued and the timer's start kept; the retry stores it and ends the timer."""
    token = sign_up(page)
    started = (datetime.now(UTC) - timedelta(minutes=20)).isoformat()
    page.evaluate(f"(started) => localStorage.setItem({account_key('timer')}, JSON.stringify({{started_at: started}}))",
                  started)
    page.reload()  # a timer started 20 minutes ago, as the Start button stores it
    # Today draws its last figures at once and the fresh ones when they come: click Stop on the settled screen.
    page.wait_for_load_state("networkidle")
    failed: list[bool] = []

    def fail_once(route):
        """Answer the first POST with 503."""
        if route.request.method == "POST" and not failed:
            failed.append(True)
            return route.fulfill(status=503, content_type="application/json", body=UNAVAILABLE)
        return route.fallback()

    context.route("**/api/sessions", fail_once)  # the service worker's requests too
    page.get_by_role("button", name="Stop").click()
    dialog = page.get_by_role("dialog", name="How much did you pump?")
    dialog.get_by_label("Left (mL)").fill("80")
    dialog.get_by_role("button", name="Save session").click()
    expect(page.locator("#toast")).to_contain_text("Saved on this phone")
    expect(page.locator("#timer-queued")).to_be_visible()
    assert server_sessions(live_server, token) == []
    # The page retries after the first backoff (2 s, give or take a quarter), forgets the timer once the server
    # has the session, and redraws. Waiting on the note alone would pass while the screen redraws, too early.
    wait_until(page, f"{TIMER} === null", timeout_ms=15_000)
    expect(page.locator("#timer-queued")).to_have_count(0)
    expect(page.get_by_role("button", name="Start", exact=True)).to_be_visible()
    [session] = server_sessions(live_server, token)
    assert session["left_ml"] == 80
