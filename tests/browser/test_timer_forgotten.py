"""A timer that knows when it was forgotten: far past her usual length, or reopened hours later, it asks "Still
pumping?" and saves the session with its real end."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import new_phone, sign_up, sized_page
from tests.browser.test_accessibility import serious_violations
from tests.browser.test_sessions import server_sessions


def log_sessions(live_server, token: str, *minutes: int) -> None:
    """Store past sessions of these lengths (yesterday), which set her usual length."""
    start = datetime.now(UTC) - timedelta(days=1)
    for i, length in enumerate(minutes):
        assert live_server.api("POST", "/sessions", token, json={
            "started_at": (start + timedelta(hours=3 * i)).isoformat(), "duration_min": length,
            "left_ml": 40, "right_ml": 40, "mode": "double"}).status_code == 201


def save_amounts(page, left: str) -> None:
    """Fill the amounts form after Stop and save it."""
    dialog = page.get_by_role("dialog", name="How much did you pump?")
    dialog.get_by_label("Left (mL)").fill(left)
    dialog.get_by_role("button", name="Save session").click()
    expect(page.locator("#toast")).to_contain_text("Session saved.")


@pytest.fixture(params=[(320, 568), (390, 844)], ids=["320px", "390px"])
def phone(request, browser, live_server):
    """A page on a small (320 x 568) and a common (390 x 844) phone that fails on script errors."""
    yield from sized_page(browser, live_server, *request.param)


def test_reopening_on_a_timer_started_hours_ago_asks_and_saves_it_at_her_usual_length(phone, live_server):
    """Started, then the app closed for 3 hours: on reopening it asks at once; "Ended at ..." saves 20 minutes."""
    phone.clock.install(time=datetime.now(UTC) - timedelta(hours=3, minutes=5))
    token = sign_up(phone)
    phone.get_by_role("button", name="Start", exact=True).click()
    started = phone.evaluate("Date.now()")
    phone.goto("/manifest.webmanifest")  # the app is closed
    phone.clock.fast_forward("03:00:00")
    phone.goto("/")
    dialog = phone.get_by_role("dialog", name="Still pumping?")
    expect(dialog).to_contain_text("The timer has run 3 h 00 min")
    expect(dialog).to_contain_text("Your sessions usually last about 20 min.")
    assert serious_violations(phone) == []
    assert phone.evaluate("document.documentElement.scrollWidth") <= phone.viewport_size["width"]
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= phone.viewport_size["width"]
    dialog.get_by_role("button", name="after 20 min").click()
    save_amounts(phone, "45")
    [session] = server_sessions(live_server, token)
    assert session["duration_min"] == 20
    assert abs(datetime.fromisoformat(session["started_at"]).timestamp() * 1000 - started) < 1000
    expect(phone.get_by_role("button", name="Start", exact=True)).to_be_visible()


def test_a_running_timer_asks_past_the_margin_and_still_pumping_keeps_it_until_another_margin(signed_in, live_server):
    """Usual 10 min: at 39 min nothing, at 40 it asks; Still pumping keeps it and asks again only 40 min later."""
    page, token = signed_in
    log_sessions(live_server, token, 10, 12, 9)
    page.clock.install(time=datetime.now(UTC) - timedelta(hours=2))
    page.reload()
    page.wait_for_load_state("networkidle")  # her sessions are in before the clock runs
    page.get_by_role("button", name="Start", exact=True).click()
    page.wait_for_load_state("networkidle")
    page.clock.run_for("39:00")
    expect(page.get_by_role("timer")).to_have_text("39:00")
    expect(page.get_by_role("dialog")).to_have_count(0)
    page.clock.run_for("01:01")
    dialog = page.get_by_role("dialog", name="Still pumping?")
    expect(dialog).to_contain_text("Your sessions usually last about 10 min.")
    expect(dialog.get_by_role("button", name="Still pumping")).to_be_focused()
    dialog.get_by_role("button", name="Still pumping").click()
    expect(dialog).to_have_count(0)
    page.clock.run_for("39:00")
    expect(page.get_by_role("dialog")).to_have_count(0)
    page.reload()  # reopened: her answer still holds
    expect(page.get_by_role("timer")).to_have_text(re.compile(r"1:19:\d\d"))
    expect(page.get_by_role("dialog")).to_have_count(0)
    page.clock.run_for("01:00")
    expect(dialog).to_be_visible()
    # Escape leaves it running, as "Still pumping" does.
    page.keyboard.press("Escape")
    expect(page.get_by_text("Pumping since")).to_be_visible()
    assert len(server_sessions(live_server, token)) == 3  # the three logged above, nothing saved


def test_a_chosen_end_time_is_checked_and_saved(signed_in, live_server):
    """A time ahead is refused beside the field; a time 35 minutes after the start is saved as 35 minutes."""
    page, token = signed_in
    page.clock.install(time=datetime.now(UTC) - timedelta(hours=2))
    page.reload()
    page.get_by_role("button", name="Start", exact=True).click()
    started = page.evaluate("Date.now()")
    page.clock.run_for("01:30:00")
    dialog = page.get_by_role("dialog", name="Still pumping?")
    field = dialog.get_by_label("Ended at another time")
    ahead = datetime.fromtimestamp(started / 1000 + 3 * 3600, UTC).strftime("%Y-%m-%dT%H:%M")
    field.fill(ahead)
    dialog.get_by_role("button", name="Use this time").click()
    expect(dialog.get_by_role("alert")).to_have_text("That is still to come: choose a time before now.")
    expect(field).to_have_attribute("aria-invalid", "true")
    assert serious_violations(page) == []
    # The account's zone is UTC: 35 minutes after the start, to the minute.
    end = datetime.fromtimestamp(started / 1000 + 35 * 60 + 60, UTC).replace(second=0)
    field.fill(end.strftime("%Y-%m-%dT%H:%M"))
    dialog.get_by_role("button", name="Use this time").click()
    save_amounts(page, "30")
    [session] = server_sessions(live_server, token)
    assert session["ended_at"].startswith(end.strftime("%Y-%m-%dT%H:%M"))


def test_discard_from_the_question_can_be_undone(signed_in):
    """Discard forgets the timer, with Undo bringing it back."""
    page, _ = signed_in
    page.clock.install(time=datetime.now(UTC) - timedelta(hours=2))
    page.reload()
    page.get_by_role("button", name="Start", exact=True).click()
    page.clock.run_for("01:00:00")
    page.get_by_role("dialog", name="Still pumping?").get_by_role("button", name="Discard timer").click()
    expect(page.get_by_role("button", name="Start", exact=True)).to_be_visible()
    page.get_by_role("button", name="Undo").click()
    expect(page.get_by_text("Pumping since")).to_be_visible()


def test_stop_on_a_forgotten_timer_asks_when_and_past_four_hours_only_an_earlier_end(signed_in, live_server):
    """Stop 5 hours on asks "When did you stop?" without "just now" (the API keeps 4 hours at most)."""
    page, token = signed_in
    page.clock.install(time=datetime.now(UTC) - timedelta(hours=6))
    page.reload()
    page.get_by_role("button", name="Start", exact=True).click()
    page.goto("/manifest.webmanifest")
    page.clock.fast_forward("05:00:00")
    page.goto("/#/today")
    still = page.get_by_role("dialog", name="Still pumping?")
    expect(still).to_contain_text("A session lasts at most 4 hours")
    expect(still.get_by_role("button", name="Still pumping")).to_have_count(0)
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Stop").click()
    when = page.get_by_role("dialog", name="When did you stop?")
    expect(when.get_by_role("button", name="I stopped just now")).to_have_count(0)
    when.get_by_role("button", name="after 20 min").click()
    save_amounts(page, "50")
    [session] = server_sessions(live_server, token)
    assert session["duration_min"] == 20


def test_stop_within_the_margin_goes_straight_to_the_amounts(signed_in):
    """A timer near her usual length stops as before: no question."""
    page, _ = signed_in
    page.clock.install(time=datetime.now(UTC) - timedelta(hours=1))
    page.reload()
    page.get_by_role("button", name="Start", exact=True).click()
    page.clock.run_for("25:00")
    page.get_by_role("button", name="Stop").click()
    expect(page.get_by_role("dialog", name="How much did you pump?")).to_be_visible()
    expect(page.get_by_role("dialog", name="Still pumping?")).to_have_count(0)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_question_and_the_side_timers_pass_axe_in_both_colour_schemes(browser, live_server, scheme):
    """axe-core finds no serious or critical problem (contrast included) on the running side timers or the question."""
    context = new_phone(browser, live_server, color_scheme=scheme)
    page = context.new_page()
    try:
        page.clock.install(time=datetime.now(UTC) - timedelta(hours=2))
        sign_up(page)
        page.get_by_role("button", name="Start", exact=True).click()
        page.get_by_role("button", name="Start left").click()
        assert serious_violations(page) == []
        page.clock.run_for("01:00:00")
        expect(page.get_by_role("dialog", name="Still pumping?")).to_be_visible()
        assert serious_violations(page) == []
    finally:
        context.close()
