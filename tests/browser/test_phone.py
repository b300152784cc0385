"""One hand, 3 a.m., bad signal: the phone app at 568, 664 and 915 px tall (issue 12)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_past_session, new_phone, sign_up, sized_page
from tests.browser.test_plans import start_plan_by_api

# iPhone SE (1st gen), iPhone 13 with browser bars, Pixel 7 / Galaxy S20 Ultra.
PHONES = {"568": (320, 568), "664": (390, 664), "915": (412, 915)}


@pytest.fixture(params=list(PHONES))
def phone(request, browser, live_server):
    """A page on a phone of each height, failing the test on any script error."""
    yield from sized_page(browser, live_server, *PHONES[request.param])


def box(locator):
    """The element's box in CSS pixels, relative to the viewport."""
    locator.wait_for()
    return locator.bounding_box()


def in_thumb_reach(page, locator) -> bool:
    """Whether the element lies wholly in the lower half of the screen (a thumb's reach held in one hand)."""
    b = box(locator)
    height = page.viewport_size["height"]
    return b["y"] >= height / 2 and b["y"] + b["height"] <= height


def fully_visible(page, locator) -> bool:
    """Whether the element shows whole without any scrolling."""
    b = box(locator)
    return 0 <= b["y"] and b["y"] + b["height"] <= page.viewport_size["height"]


def toasts(page) -> list[str]:
    """Every toast text shown since the page loaded (recorded by a MutationObserver)."""
    return page.evaluate("window.__toasts || []")


RECORD_TOASTS = """
new MutationObserver(() => {
  const text = document.getElementById('toast')?.textContent;
  if (text) (window.__toasts ||= []).push(text);
}).observe(document.documentElement, { subtree: true, childList: true, characterData: true });
"""


def test_start_and_stop_sit_within_thumb_reach(phone):
    """Start, then Stop, lie in the lower half of every phone, above the tabs."""
    phone.clock.install(time=datetime.now(UTC) - timedelta(minutes=10))
    sign_up(phone)
    assert in_thumb_reach(phone, phone.get_by_role("button", name="Start", exact=True))
    phone.get_by_role("button", name="Start", exact=True).click()
    assert in_thumb_reach(phone, phone.get_by_role("button", name="Stop"))
    stop = box(phone.get_by_role("button", name="Stop"))
    discard = box(phone.get_by_role("button", name="Discard timer"))
    assert discard["x"] + discard["width"] < stop["x"], "Discard sits apart, beside Stop, not under the thumb's Stop"


def test_every_session_form_shows_its_save_without_scrolling(phone):
    """The Stop form, the past-session form and the edit form show Save at once, even on 568 px."""
    phone.clock.install(time=datetime.now(UTC) - timedelta(minutes=30))
    sign_up(phone)
    phone.get_by_role("button", name="Log a past session").click()
    dialog = phone.get_by_role("dialog", name="Log a session")
    assert fully_visible(phone, dialog.get_by_role("button", name="Save"))
    dialog.get_by_role("button", name="Cancel").click()
    phone.get_by_role("button", name="Start", exact=True).click()
    phone.clock.fast_forward("15:00")
    phone.get_by_role("button", name="Stop").click()
    dialog = phone.get_by_role("dialog", name="How much did you pump?")
    assert fully_visible(phone, dialog.get_by_role("button", name="Save session"))
    dialog.get_by_label("Left (mL)").fill("30")
    dialog.get_by_role("button", name="Save session").click()
    expect(phone.locator("#toast")).to_contain_text("Session saved.")
    phone.get_by_role("link", name="History").click()
    phone.locator("#history-list").get_by_role("button", name="Edit").click()
    assert fully_visible(phone, phone.get_by_role("dialog", name="Edit session").get_by_role("button", name="Save"))


def test_the_session_form_is_usable_sideways(browser, live_server):
    """Turned to landscape (568 x 320), both sides and Save show together."""
    context = new_phone(browser, live_server)
    page = context.new_page()
    try:
        sign_up(page)
        page.set_viewport_size({"width": 568, "height": 320})
        page.get_by_role("button", name="Log a past session").click()
        dialog = page.get_by_role("dialog", name="Log a session")
        assert fully_visible(page, dialog.get_by_role("button", name="Save"))
        dialog.get_by_label("Left (mL)").scroll_into_view_if_needed()
        assert fully_visible(page, dialog.get_by_label("Left (mL)"))
        assert fully_visible(page, dialog.get_by_role("button", name="Save"))
    finally:
        context.close()


def test_any_whole_ml_can_be_typed(signed_in, live_server):
    """33 and 57 mL, read off the bottle, are accepted as typed and stored exactly."""
    page, token = signed_in
    log_past_session(page, "33", "57")
    [session] = live_server.api("GET", "/sessions", token).json["items"]
    assert (session["left_ml"], session["right_ml"]) == (33, 57)


def test_any_hundredth_of_an_oz_can_be_typed(signed_in, live_server):
    """In oz, 1.3 and 1.35 are accepted (not only quarters) and arrive as their millilitres."""
    page, token = signed_in
    live_server.api("PATCH", "/me", token, json={"unit": "oz"})
    page.reload()
    # The phone first draws Today with the account as last seen (in mL), then again once /me says oz.
    expect(page.locator("#today-total")).to_have_text("0 oz")
    page.get_by_role("button", name="Log a past session").click()
    dialog = page.get_by_role("dialog", name="Log a session")
    dialog.get_by_label("Left (oz)").fill("1.3")
    dialog.get_by_label("Right (oz)").fill("1.35")
    assert dialog.locator("form").evaluate("f => f.checkValidity()")
    dialog.get_by_role("button", name="Save").click()
    expect(page.locator("#today-total")).to_have_text("2.65 oz")
    [session] = live_server.api("GET", "/sessions", token).json["items"]
    assert session["left_ml"] == pytest.approx(1.3 * 29.5735, abs=0.01)


def test_same_as_last_time_logs_a_session_in_two_taps(phone, live_server):
    """After one session, "Same as last time" and Save log another with the same amounts and length."""
    token = sign_up(phone)
    log_past_session(phone, "30", "55")
    phone.get_by_role("button", name=re.compile("Same as last time")).click()
    phone.get_by_role("dialog", name="Same as last time").get_by_role("button", name="Save").click()
    expect(phone.locator("#today-total")).to_have_text("170 mL")
    sessions = live_server.api("GET", "/sessions", token).json["items"]
    assert [(s["left_ml"], s["right_ml"], round(s["duration_min"])) for s in sessions] == [(30, 55, 15)] * 2


def test_her_usual_amounts_fill_the_form_in_one_tap(signed_in, live_server):
    """Log a past session, tap her usual amount, Save: three taps."""
    page, token = signed_in
    log_past_session(page, "60", "70")
    page.get_by_role("button", name="Log a past session").click()
    dialog = page.get_by_role("dialog", name="Log a session")
    dialog.get_by_role("button", name="L 60 mL · R 70 mL").click()
    dialog.get_by_role("button", name="Save").click()
    expect(page.locator("#today-total")).to_have_text("260 mL")
    assert len(live_server.api("GET", "/sessions", token).json["items"]) == 2


def test_her_usual_amounts_include_the_session_just_saved_while_today_reloads(signed_in, context):
    """On a slow line Today's reload comes late; a tap meanwhile already offers the amounts she just saved."""
    page, _ = signed_in
    held = []

    def hold(route):
        """Keep Today's reload of its sessions waiting (never answered)."""
        held.append(route)

    context.route(lambda url: url.endswith("/api/sessions?limit=30"), hold)
    log_past_session(page, "60", "70")
    page.get_by_role("button", name="Log a past session").click()
    dialog = page.get_by_role("dialog", name="Log a session")
    expect(dialog.get_by_role("button", name="L 60 mL · R 70 mL")).to_be_visible()
    assert held


def test_discarding_the_timer_can_be_undone(signed_in):
    """Discard timer takes one tap, and Undo brings the timer back with its start time."""
    page, _ = signed_in
    page.clock.install(time=datetime.now(UTC))
    page.get_by_role("button", name="Start", exact=True).click()
    page.clock.fast_forward("05:00")
    page.get_by_role("button", name="Discard timer").click()
    expect(page.get_by_role("button", name="Start", exact=True)).to_be_visible()
    page.get_by_role("button", name="Undo").click()
    expect(page.get_by_role("timer")).to_have_text(re.compile(r"^05:0\d$"))


def test_cancelling_the_phase_timer_can_be_undone(signed_in, live_server):
    """Cancel timer goes back to Plans; Undo reopens the timer still counting from its start."""
    page, token = signed_in
    page.clock.install(time=datetime.now(UTC))
    plan = start_plan_by_api(live_server, token, "power-hour", {"days": 5})
    page.goto(f"/#/timer/{plan['id']}/{plan['slots'][0]['id']}")
    page.get_by_role("button", name="Start", exact=True).click()
    page.clock.fast_forward("02:00")
    page.get_by_role("button", name="Cancel timer").click()
    expect(page.locator(".active-plan")).to_be_visible()
    page.get_by_role("button", name="Undo").click()
    timer = page.get_by_label("Phase timer")
    expect(timer.get_by_role("timer")).to_have_text(re.compile(r"^17:5\d$"))


def test_a_deleted_session_can_be_undone_and_the_server_keeps_it(signed_in, live_server):
    """Undo within the window puts the row back; the server never lost the session."""
    page, token = signed_in
    log_past_session(page, "40", "50")
    page.get_by_role("link", name="History").click()
    page.locator("#history-list").get_by_role("button", name="Delete").click()
    expect(page.locator("#history-list > li:visible")).to_have_count(0)
    page.get_by_role("button", name="Undo").click()
    expect(page.locator("#history-list > li:visible")).to_have_count(1)
    page.wait_for_timeout(6500)
    assert len(live_server.api("GET", "/sessions", token).json["items"]) == 1


def test_an_empty_session_asks_first(signed_in, live_server):
    """0 mL on both sides asks before saving; Cancel goes back to the form, Save 0 mL saves."""
    page, token = signed_in
    page.get_by_role("button", name="Log a past session").click()
    page.get_by_role("dialog", name="Log a session").get_by_role("button", name="Save").click()
    question = page.get_by_role("dialog", name="Save 0 mL?")
    question.get_by_role("button", name="Cancel").click()
    assert live_server.api("GET", "/sessions", token).json["items"] == []
    page.get_by_role("dialog", name="Log a session").get_by_role("button", name="Save").click()
    page.get_by_role("dialog", name="Save 0 mL?").get_by_role("button", name="Save 0 mL").click()
    expect(page.locator("#toast")).to_contain_text("Session saved.")
    assert len(live_server.api("GET", "/sessions", token).json["items"]) == 1


def test_an_online_save_shows_one_toast(signed_in):
    """Saving online says "Session saved." once, and nothing else."""
    page, _ = signed_in
    page.evaluate(RECORD_TOASTS)
    log_past_session(page, "20", "20")
    page.wait_for_timeout(1500)
    assert set(toasts(page)) == {"Session saved."}


def luminance(css_colour: str) -> float:
    """WCAG relative luminance of an rgb()/rgba() colour."""
    r, g, b = (int(v) / 255 for v in re.findall(r"\d+", css_colour)[:3])
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def background(locator) -> str:
    """The computed background colour of an element."""
    return locator.evaluate("el => getComputedStyle(el).backgroundColor")


def test_dark_mode_has_no_large_bright_area_even_in_the_phase_timer(browser, live_server):
    """In dark mode, the Start and Stop buttons and the pumping phase screen stay dark."""
    context = new_phone(browser, live_server, color_scheme="dark")
    page = context.new_page()
    try:
        token = sign_up(page)
        assert luminance(background(page.get_by_role("button", name="Start", exact=True))) < 0.15
        page.get_by_role("button", name="Start", exact=True).click()
        assert luminance(background(page.get_by_role("button", name="Stop"))) < 0.15
        plan = start_plan_by_api(live_server, token, "power-hour", {"days": 5})
        page.goto(f"/#/timer/{plan['id']}/{plan['slots'][0]['id']}")
        page.get_by_role("button", name="Start", exact=True).click()
        screen = page.get_by_label("Phase timer")
        expect(screen.locator(".phase-name")).to_have_text("Pump both sides")
        assert luminance(background(screen)) < 0.05
    finally:
        context.close()


def test_offline_history_plans_and_phase_timer_show_the_last_data_seen(signed_in, context, live_server):
    """Seen once online, History, the active plan and its phase timer open offline, marked as last seen."""
    page, token = signed_in
    log_past_session(page, "45", "45")
    plan = start_plan_by_api(live_server, token, "power-hour", {"days": 5})
    page.get_by_role("link", name="History").click()
    expect(page.locator("#history-list > li")).to_have_count(1)
    page.get_by_role("link", name="Plans").click()
    expect(page.locator(".active-plan")).to_have_count(1)
    page.goto(f"/#/timer/{plan['id']}/{plan['slots'][0]['id']}")
    expect(page.get_by_role("button", name="Start", exact=True)).to_be_visible()
    page.evaluate("navigator.serviceWorker.ready")
    context.set_offline(True)
    page.get_by_role("link", name="History").click()
    expect(page.locator("#history-list .total")).to_have_text("90 mL")
    expect(page.locator("#stale")).to_contain_text("Offline: showing what this phone last saw")
    page.get_by_role("link", name="Plans").click()
    expect(page.locator(".active-plan")).to_contain_text("Active: Power pumping hour")
    page.goto(f"/#/timer/{plan['id']}/{plan['slots'][0]['id']}")
    page.get_by_role("button", name="Start", exact=True).click()
    expect(page.get_by_label("Phase timer").locator(".phase-name")).to_have_text("Pump both sides")
    context.set_offline(False)


def test_turning_reminders_on_shows_progress_at_once_and_times_out(page):
    """The button says "Turning on…" the instant it is tapped; a browser that never answers ends in an error."""
    page.add_init_script("Notification.requestPermission = () => new Promise(() => {});")
    page.clock.install(time=datetime.now(UTC))
    sign_up(page)
    page.get_by_role("link", name="Settings").click()
    button = page.get_by_role("button", name="Turn reminders on")
    state = button.evaluate("b => { b.click(); return [b.textContent, b.disabled, b.getAttribute('aria-busy')]; }")
    assert state == ["Turning on…", True, "true"]
    page.clock.fast_forward("00:21")
    expect(page.locator("#toast")).to_contain_text("taking too long")
    expect(page.get_by_role("button", name="Turn reminders on")).to_be_enabled()


def test_a_save_shows_progress_at_once(signed_in):
    """Between Save and the server's answer, the progress bar under the top bar shows."""
    page, _ = signed_in
    page.get_by_role("button", name="Log a past session").click()
    dialog = page.get_by_role("dialog", name="Log a session")
    dialog.get_by_label("Left (mL)").fill("40")
    busy = dialog.get_by_role("button", name="Save").evaluate(
        "b => new Promise((ok) => { b.click(); setTimeout(() => ok(document.body.dataset.busy), 0); })")
    assert busy == "true"
    expect(page.locator("#toast")).to_contain_text("Session saved.")
    expect(page.locator("body")).not_to_have_attribute("data-busy", "true")


def test_reminders_screen_lists_what_will_be_sent_with_snooze_skip_and_done(signed_in, live_server):
    """An active plan's reminders are listed in the account's zone; Skip takes one off the list."""
    page, token = signed_in
    start_plan_by_api(live_server, token, "power-hour", {"days": 5, "start_time": "23:00"})
    page.reload()
    page.locator("#next-reminder").click()
    rows = page.locator("#reminder-list > li")
    expect(rows.first).to_contain_text("Power pumping hour")
    before = len(live_server.api("GET", "/reminders", token).json["items"])
    rows.first.get_by_role("button", name=re.compile("^Skip")).click()
    expect(page.locator("#toast")).to_contain_text("Skipped.")
    assert len(live_server.api("GET", "/reminders", token).json["items"]) == before - 1
    expect(rows.first.get_by_role("button", name=re.compile("^Snooze"))).to_be_visible()
    expect(rows.first.get_by_role("button", name=re.compile("done$"))).to_be_visible()


@pytest.mark.parametrize("label, name, header", [
    ("Download my sessions (CSV)", "pumpwell-sessions.csv", "left_ml"),
    ("Download daily summary (CSV)", "pumpwell-daily.csv", "date"),
])
def test_settings_downloads_her_own_csv(signed_in, label, name, header):
    """Each download button hands over a CSV file of her data."""
    page, _ = signed_in
    log_past_session(page, "25", "35")
    page.get_by_role("link", name="Settings").click()
    with page.expect_download() as info:
        page.get_by_role("button", name=label).click()
    download = info.value
    assert download.suggested_filename == name
    assert header in open(download.path(), encoding="utf-8-sig").readline()


def test_forms_use_the_accounts_zone_and_the_app_offers_the_phones(signed_in, live_server):
    """A Paris account on a UTC phone: 03:00 typed means 03:00 in Paris; Switch moves the account to UTC."""
    page, token = signed_in
    live_server.api("PATCH", "/me", token, json={"time_zone": "Europe/Paris"})
    page.reload()
    expect(page.locator("#zone-offer")).to_contain_text("This phone is in UTC; your account uses Europe/Paris.")
    page.get_by_role("button", name="Log a past session").click()
    dialog = page.get_by_role("dialog", name="Log a session")
    dialog.get_by_label("Started").fill("2026-11-20T03:00")
    dialog.get_by_label("Left (mL)").fill("10")
    dialog.get_by_role("button", name="Save").click()
    expect(page.locator("#toast")).to_contain_text("Session saved.")
    [session] = live_server.api("GET", "/sessions", token).json["items"]
    assert datetime.fromisoformat(session["started_at"]) == datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    page.locator("#zone-offer").get_by_role("button", name="Switch").click()
    expect(page.locator("#zone-offer")).to_be_hidden()
    assert live_server.api("GET", "/me", token).json["time_zone"] == "UTC"


def test_switching_zones_asks_whether_a_daily_plan_keeps_its_times_of_day(signed_in, live_server):
    """A New York power hour on a UTC phone: after Switch, Keep times of day moves its sessions to 07:00 UTC."""
    page, token = signed_in
    live_server.api("PATCH", "/me", token, json={"time_zone": "America/New_York"})
    starts = datetime.now(UTC).isoformat()
    body = {"template": "power-hour", "starts_at": starts, "params": {"start_time": "07:00"}}
    plan = live_server.api("POST", "/plans", token, json=body).json
    page.reload()
    offer = page.locator("#zone-offer")
    offer.get_by_role("button", name="Switch").click()
    expect(offer).to_contain_text("Power pumping hour runs at 07:00 America/New_York time. In UTC")
    offer.get_by_role("button", name="Keep times of day").click()
    expect(offer).to_be_hidden()
    moved = live_server.api("GET", f"/plans/{plan['id']}", token).json
    assert moved["time_zone"] == "UTC"
    assert {s["starts_at"][11:16] for s in moved["slots"] if s["status"] == "upcoming"} == {"07:00"}
