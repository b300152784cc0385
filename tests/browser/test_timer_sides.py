"""Left and right timers for a parent who pumps one side at a time: start, pause and resume each side; the session
runs from Start to Stop, and the form is filled with the sides used and each side's minutes."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_up, sized_page
from tests.browser.test_accessibility import serious_violations
from tests.browser.test_sessions import server_sessions


@pytest.fixture(params=[(320, 568), (390, 844)], ids=["320px", "390px"])
def phone(request, browser, live_server):
    """A page on a small (320 x 568) and a common (390 x 844) phone that fails on script errors."""
    yield from sized_page(browser, live_server, *request.param)


def side(page, name: str):
    """The button of one side's timer, whatever it says now (Start, Pause or Resume)."""
    return page.locator(f".side-timer[data-side={name}]")


def test_one_side_at_a_time_saves_the_whole_session_with_each_sides_minutes(phone, live_server):
    """Left 5 min, paused 2, right 4 min (left resumed 1 min meanwhile): 12 minutes of session, notes per side."""
    phone.clock.install(time=datetime.now(UTC) - timedelta(hours=1))
    token = sign_up(phone)
    phone.get_by_role("button", name="Start", exact=True).click()
    expect(side(phone, "left")).to_have_text("Start left00:00")
    assert serious_violations(phone) == []
    phone.get_by_role("button", name="Start left").click()
    phone.clock.run_for("05:00")
    expect(side(phone, "left")).to_have_text(re.compile(r"Pause left05:0\d"))
    phone.get_by_role("button", name="Pause left").click()
    phone.clock.run_for("02:00")
    expect(side(phone, "left")).to_have_text(re.compile(r"Resume left05:0\d"))
    phone.get_by_role("button", name="Start right").click()
    phone.clock.run_for("03:00")
    phone.get_by_role("button", name="Resume left").click()
    phone.clock.run_for("01:00")
    phone.get_by_role("button", name="Pause left").click()
    phone.reload()  # the sides survive a reload as the session timer does
    phone.wait_for_load_state("networkidle")  # Today draws twice as it opens: measure the second
    expect(side(phone, "left")).to_have_text(re.compile(r"Resume left06:0\d"))
    expect(side(phone, "right")).to_have_text(re.compile(r"Pause right04:\d\d"))
    # Nothing of the dock leaves the screen, and nothing on Today hides under it.
    width = phone.viewport_size["width"]
    assert phone.evaluate("document.documentElement.scrollWidth") <= width
    for name in ("left", "right"):
        expect(side(phone, name)).to_be_visible()
        box = side(phone, name).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width and box["height"] >= 44
    phone.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    dock_top = phone.locator(".dock").bounding_box()["y"]
    last = phone.locator(".card").last.bounding_box()
    assert last["y"] + last["height"] <= dock_top + 1
    phone.clock.run_for("01:00")
    phone.get_by_role("button", name="Stop").click()
    dialog = phone.get_by_role("dialog", name="How much did you pump?")
    expect(dialog.get_by_label("Both")).to_be_checked()
    expect(dialog.get_by_label("Notes (optional)")).to_have_value("Side timers: left 6 min, right 5 min.")
    dialog.get_by_label("Left (mL)").fill("40")
    dialog.get_by_label("Right (mL)").fill("35")
    dialog.get_by_role("button", name="Save session").click()
    expect(phone.locator("#toast")).to_contain_text("Session saved.")
    [session] = server_sessions(live_server, token)
    assert 11.9 < session["duration_min"] < 12.2
    assert session["mode"] == "double"
    assert session["notes"] == "Side timers: left 6 min, right 5 min."
    phone.get_by_role("button", name="Start", exact=True).click()
    expect(side(phone, "left")).to_have_text("Start left00:00")  # a new session starts its sides afresh


def test_one_side_only_fills_that_side(signed_in):
    """Only the right timer ran: the form says Right."""
    page, _ = signed_in
    page.clock.install(time=datetime.now(UTC) - timedelta(hours=1))
    page.reload()
    page.get_by_role("button", name="Start", exact=True).click()
    page.get_by_role("button", name="Start right").click()
    page.clock.run_for("15:00")
    page.get_by_role("button", name="Stop").click()
    dialog = page.get_by_role("dialog", name="How much did you pump?")
    expect(dialog.get_by_label("Right", exact=True)).to_be_checked()
    expect(dialog.get_by_label("Notes (optional)")).to_have_value("Side timers: right 15 min.")
