"""The phone's small corners (issue 33): keyboard, zoom, short screens, limits, focus, reminders, plans, dark."""

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

from server.api.sessions import SessionFields
from server.domain import storage
from tests.browser.conftest import log_past_session, new_phone, sign_up, sized_page, wait_until
from tests.browser.test_phone import background, luminance
from tests.browser.test_plans import start_plan_by_api

LIMITS_JS = Path(__file__).resolve().parents[2] / "frontend" / "js" / "limits.js"
UNAVAILABLE = json.dumps({"code": 503, "message": "Try again shortly.", "fields": {}})


@pytest.fixture
def phone_page(browser, live_server, request):
    """A page on a phone of the size the test names with `size` (default 360 x 568), failing on script errors."""
    yield from sized_page(browser, live_server, *getattr(request, "param", (360, 568)))


def test_the_log_form_stays_one_column_with_the_keyboard_open(phone_page):
    """A 360 x 568 phone whose keyboard leaves 300 px keeps the one-column form, Save within the screen's width."""
    sign_up(phone_page)
    phone_page.get_by_role("button", name="Log a past session").click()
    dialog = phone_page.get_by_role("dialog", name="Log a session")
    dialog.get_by_label("Left (mL)").focus()
    phone_page.set_viewport_size({"width": 360, "height": 300})  # the browser shrinks the page for the keyboard
    assert dialog.locator("form").evaluate("f => getComputedStyle(f).display") != "grid"
    save = dialog.get_by_role("button", name="Save").bounding_box()
    assert save["x"] >= 0 and save["x"] + save["width"] <= 360


@pytest.mark.parametrize("phone_page", [(180, 370)], indirect=True)
def test_every_tab_is_reachable_and_readable_at_200_percent_zoom(phone_page):
    """At 200% zoom (a 360 px phone shows 180 CSS px) each tab shows its whole name, apart from its neighbours."""
    sign_up(phone_page)
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 180, "the page is wider than the screen"
    bar = phone_page.locator("#tabs").bounding_box()
    assert bar["y"] + bar["height"] <= 370
    tabs = phone_page.locator("#tabs a:visible")  # a parent's five: Clients shows only to a consultant
    boxes = []
    for i in range(tabs.count()):
        tab = tabs.nth(i)
        tab.scroll_into_view_if_needed()
        b = tab.bounding_box()
        assert -1 <= b["x"] and b["x"] + b["width"] <= 181, f"{tab.text_content()} cut off at {b}"  # 1 px: rounding
        assert tab.evaluate("a => a.scrollWidth <= a.clientWidth"), f"{tab.text_content()} runs over its neighbour"
        boxes.append(tab.evaluate("a => [a.offsetLeft, a.offsetLeft + a.offsetWidth]"))
    assert all(left >= previous_right for (_, previous_right), (left, _) in zip(boxes, boxes[1:], strict=False))
    tabs.filter(has_text="Settings").click()
    expect(phone_page).to_have_url(re.compile("#/settings$"))
    tabs.filter(has_text="Stash").click()
    expect(phone_page).to_have_url(re.compile("#/stash$"))


@pytest.mark.parametrize("phone_page", [(180, 370)], indirect=True)
def test_the_log_form_is_usable_at_200_percent_zoom(phone_page):
    """At 200% zoom the amount boxes stay wide enough for 1000 and Save shows within the screen."""
    sign_up(phone_page)
    phone_page.get_by_role("button", name="Log a past session").click()
    dialog = phone_page.get_by_role("dialog", name="Log a session")
    assert dialog.get_by_label("Left (mL)").bounding_box()["width"] >= 56
    save = dialog.get_by_role("button", name="Save").bounding_box()
    assert save["x"] + save["width"] <= 180 and save["y"] + save["height"] <= 370


@pytest.mark.parametrize("phone_page", [(360, 568), (320, 568)], indirect=True)
def test_all_five_tabs_fit_a_phone_unzoomed(phone_page):
    """At 100% the tab bar needs no scrolling: every name shows whole on a 320 px phone."""
    sign_up(phone_page)
    assert phone_page.locator("#tabs").evaluate("bar => bar.scrollWidth <= bar.clientWidth")
    assert phone_page.locator("#tabs a").evaluate_all("tabs => tabs.every((a) => a.scrollWidth <= a.clientWidth)")


@pytest.mark.parametrize("phone_page", [(360, 568), (320, 568)], indirect=True)
def test_same_as_last_time_shows_above_the_start_bar_without_scrolling(phone_page):
    """On a 568 px phone "Same as last time" shows whole, above the Start bar, as Today opens."""
    sign_up(phone_page)
    log_past_session(phone_page, "60", "70")
    again = phone_page.get_by_role("button", name=re.compile("Same as last time"))
    expect(again).to_be_visible()
    phone_page.evaluate("window.scrollTo(0, 0)")
    b = again.bounding_box()
    dock_top = phone_page.locator(".dock").bounding_box()["y"]
    assert 0 <= b["y"] and b["y"] + b["height"] <= dock_top


def test_the_session_limits_in_the_app_are_the_servers():
    """frontend/js/limits.js says what SessionFields in server/api/sessions.py accepts, figure for figure."""
    found = dict(re.findall(r"(\w+): (\d+)", LIMITS_JS.read_text().split("SESSION_LIMITS = ")[1].split("}")[0]))
    fields = SessionFields().fields
    for side in ("left_ml", "right_ml"):
        assert fields[side].validators[0].max == int(found["maxSideMl"])
    assert (fields["duration_min"].validators[0].min, fields["duration_min"].validators[0].max) == (
        int(found["minMinutes"]), int(found["maxMinutes"]))
    assert fields["notes"].validators[0].max == int(found["maxNotes"])
    assert (fields["pump"].validators[0].max, fields["pump_setting"].validators[0].max) == (
        int(found["maxPump"]), int(found["maxSetting"]))
    assert (fields["flange_mm"].validators[0].min, fields["flange_mm"].validators[0].max) == (
        int(found["minFlangeMm"]), int(found["maxFlangeMm"]))
    assert fields["pain"].validators[0].max == int(found["maxPain"])


def test_the_form_refuses_a_volume_the_server_would_refuse(signed_in, live_server):
    """5,000 mL is refused on the spot with the limit named; nothing is queued or stored."""
    page, token = signed_in
    page.get_by_role("button", name="Log a past session").click()
    dialog = page.get_by_role("dialog", name="Log a session")
    left = dialog.get_by_label("Left (mL)")
    left.fill("5000")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_visible()
    assert left.evaluate("i => i.validationMessage") == "At most 1000 mL a side: check for a typo."
    left.fill("1000")
    dialog.get_by_role("button", name="Save").click()
    expect(page.locator("#toast")).to_contain_text("Session saved.")
    assert [s["left_ml"] for s in live_server.api("GET", "/sessions", token).json["items"]] == [1000]
    assert page.evaluate("self.PumpwellOutbox.all()") == []


def test_a_session_waiting_to_be_sent_shows_apart_from_the_stored_total(signed_in, context):
    """A session the server has not stored yet is not in Today's total: it shows as "+ 120 mL waiting to send"."""
    page, _ = signed_in
    log_past_session(page, "60", "70")
    expect(page.locator("#today-total")).to_have_text("130 mL")

    def unavailable(route):
        """Answer every new session with 503, so it stays in the outbox."""
        if route.request.method == "POST":
            return route.fulfill(status=503, content_type="application/json", body=UNAVAILABLE)
        return route.fallback()

    context.route("**/api/sessions", unavailable)
    log_past_session(page, "100", "20")
    expect(page.locator("#today-waiting")).to_have_text("+ 120 mL waiting to send")
    expect(page.locator("#today-total")).to_have_text("130 mL")
    expect(page.locator("#today-count")).to_have_text("1 / 8")


def test_after_a_keyboard_save_the_focus_lands_on_the_new_session(signed_in):
    """Logged with the keyboard only, the saved session takes the focus (and is read out), not the page body."""
    page, _ = signed_in
    page.locator("#log-past").focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Log a session")
    dialog.get_by_label("Left (mL)").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("45")
    page.keyboard.press("Enter")  # submits the form
    expect(page.locator("#toast")).to_contain_text("Session saved.")
    focused = page.locator(":focus")
    expect(focused).to_have_attribute("id", re.compile("^session-"))
    expect(focused).to_contain_text("45 mL")


def test_after_a_keyboard_edit_the_focus_returns_to_the_edited_session(signed_in):
    """Edited from History with the keyboard, the session's Edit button has the focus again, not the page body."""
    page, _ = signed_in
    log_past_session(page, "40", "50")
    page.get_by_role("link", name="History").click()
    page.locator("#history-list").get_by_role("button", name="Edit").focus()
    page.keyboard.press("Enter")
    page.get_by_role("dialog", name="Edit session").get_by_label("Left (mL)").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("45")
    page.keyboard.press("Enter")
    expect(page.locator("#toast")).to_contain_text("Session updated.")
    expect(page.locator("#history-list .total")).to_have_text("95 mL")
    expect(page.locator(":focus")).to_have_attribute("aria-label", re.compile("^Edit session from"))


def test_turning_reminders_on_fails_fast_when_the_push_service_never_answers(page):
    """Permission granted but a silent push service: a clear message after 8 s, not 20."""
    page.add_init_script("""
        Notification.requestPermission = async () => 'granted';
        PushManager.prototype.subscribe = () => { window.subscribing = true; return new Promise(() => {}); };
    """)
    page.clock.install(time=datetime.now(UTC))
    sign_up(page)
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="Turn reminders on").click()
    wait_until(page, "window.subscribing")
    page.clock.fast_forward("00:09")
    expect(page.locator("#toast")).to_contain_text("push service did not answer, so reminders are not on")
    expect(page.get_by_role("button", name="Turn reminders on")).to_be_enabled()


def test_a_frequent_boost_plan_explains_its_times_and_offers_to_start_again(signed_in, live_server):
    """The server cannot move a frequent boost's times: Change times says so and opens its form to start anew."""
    page, token = signed_in
    start_plan_by_api(live_server, token, "frequent-boost")
    page.get_by_role("link", name="Plans").click()
    plan = page.locator(".active-plan")
    plan.get_by_text("Change times").click()
    expect(plan).to_contain_text("its times cannot be moved")
    plan.get_by_role("link", name="Start again at a new time").click()
    expect(page.get_by_role("form", name="Set up Frequent pumping boost")).to_be_visible()


def test_the_undo_toast_stays_dark_in_dark_mode(browser, live_server):
    """In dark mode the Undo toast is no bright block."""
    context = new_phone(browser, live_server, color_scheme="dark")
    page = context.new_page()
    try:
        sign_up(page)
        page.get_by_role("button", name="Start", exact=True).click()
        page.get_by_role("button", name="Discard timer").click()
        expect(page.get_by_role("button", name="Undo")).to_be_visible()
        assert luminance(background(page.locator("#toast > span"))) < 0.05
    finally:
        context.close()


def test_the_stash_limit_in_the_app_is_the_servers():
    """frontend/js/limits.js's container maximum is server/domain/storage.py's."""
    found = dict(re.findall(r"(\w+): (\d+)", LIMITS_JS.read_text().split("STASH_LIMITS = ")[1].split("}")[0]))
    assert int(found["maxContainerMl"]) == storage.MAX_VOLUME_ML
