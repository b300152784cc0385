"""Logging sessions on a phone: the timer, the total, edit and delete, and the offline outbox."""

from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from tests.browser.conftest import log_past_session, sign_up, wait_for_service_worker, wait_until
from tests.browser.test_push import registration_id


def server_sessions(live_server, token):
    """The sessions the server holds for this token."""
    response = live_server.api("GET", "/sessions?limit=200", token)
    assert response.status_code == 200
    return response.json["items"]


def test_timer_survives_a_reload_and_stop_logs_the_session_with_its_total(page, live_server):
    """Start, reload 20 minutes later, Stop, enter volumes: Today shows the total and the server has it."""
    page.clock.install(time=datetime.now(UTC) - timedelta(minutes=30))
    token = sign_up(page)
    page.get_by_role("button", name="Start", exact=True).click()
    page.clock.fast_forward("20:00")
    page.reload()
    expect(page.get_by_role("timer")).to_have_text("20:00")
    page.get_by_role("button", name="Stop").click()
    dialog = page.get_by_role("dialog", name="How much did you pump?")
    dialog.get_by_label("Left (mL)").fill("60")
    dialog.get_by_role("button", name="More right").click()
    dialog.get_by_label("Right (mL)").fill("55")
    dialog.get_by_role("button", name="Save session").click()
    expect(page.locator("#today-total")).to_have_text("115 mL")
    expect(page.locator("#today-count")).to_have_text("1 / 8")
    [session] = server_sessions(live_server, token)
    assert (session["left_ml"], session["right_ml"], session["total_ml"]) == (60, 55, 115)
    assert 19.9 < session["duration_min"] < 20.2
    expect(page.get_by_role("button", name="Start", exact=True)).to_be_visible()


def test_history_edits_and_deletes_a_session(signed_in, live_server):
    """Edit changes the volume on the server; Delete hides the row, and the server loses it once Undo has passed."""
    page, token = signed_in
    log_past_session(page, "40", "50")
    page.get_by_role("link", name="History").click()
    rows = page.locator("#history-list > li")
    expect(rows).to_have_count(1)
    expect(rows.locator(".total")).to_have_text("90 mL")
    rows.get_by_role("button", name="Edit").click()
    dialog = page.get_by_role("dialog", name="Edit session")
    dialog.get_by_label("Left (mL)").fill("70")
    dialog.get_by_role("button", name="Save").click()
    expect(rows.locator(".total")).to_have_text("120 mL")
    assert server_sessions(live_server, token)[0]["left_ml"] == 70
    rows.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("button", name="Undo")).to_be_visible()
    assert len(server_sessions(live_server, token)) == 1
    expect(page.locator("#history-list")).to_contain_text("No sessions yet.", timeout=12_000)
    assert server_sessions(live_server, token) == []


def test_sessions_logged_offline_reach_the_server_exactly_once(signed_in, context, live_server):
    """Offline, the shell still opens and three sessions wait in the outbox; online, exactly three arrive."""
    page, token = signed_in
    wait_for_service_worker(page)
    context.set_offline(True)
    page.reload()
    for left in ("10", "20", "30"):
        log_past_session(page, left, "5")
    expect(page.locator("#net")).to_contain_text("3 waiting to send")
    assert server_sessions(live_server, token) == []
    context.set_offline(False)
    expect(page.locator("#net")).not_to_contain_text("waiting", timeout=15_000)
    page.reload()  # a start-up flush on top of the online one must not duplicate anything
    expect(page.locator("#today-sessions > li")).to_have_count(3)
    assert sorted(s["left_ml"] for s in server_sessions(live_server, token)) == [10, 20, 30]


# The app's own outbox (outbox-core.js, shared with the service worker) reads and fills the queue.
OUTBOX_EMPTY = "self.PumpwellOutbox.all().then((items) => items.length === 0)"
QUEUE_ONE = "(item) => self.PumpwellOutbox.enqueue({id: item.id, method: 'POST', path: '/sessions', body: item})"


def test_background_sync_sends_the_outbox_and_a_replay_stores_nothing_twice(signed_in, live_server):
    """The service worker's 'outbox' sync posts queued sessions; the same UUID sent again is not a second session."""
    page, token = signed_in
    page.evaluate("navigator.serviceWorker.ready")
    started = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    item = {"id": "7d3c1c5e-4a57-4d0e-9a55-2b1f0f6f3a10", "started_at": started, "duration_min": 15,
            "left_ml": 40, "right_ml": 45, "mode": "double", "notes": None}
    cdp = page.context.new_cdp_session(page)
    registration = registration_id(page, live_server, cdp)
    for _ in range(2):
        page.evaluate(QUEUE_ONE, item)
        cdp.send("ServiceWorker.dispatchSyncEvent", {
            "origin": live_server.url, "registrationId": registration, "tag": "outbox", "lastChance": False,
        })
        wait_until(page, OUTBOX_EMPTY)
    [session] = server_sessions(live_server, token)
    assert (session["id"], session["total_ml"]) == (item["id"], 85)
