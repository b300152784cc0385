"""Pump, flange, setting and pain: noted once, offered again on the next form, shown in History with the report."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_up, sized_page
from tests.browser.test_accessibility import serious_violations


@pytest.fixture(params=[("light", 320), ("dark", 360)], ids=["light-320", "dark-360"])
def phone(request, browser, live_server):
    """A signed-in phone of 320 px in light or 360 px in dark."""
    scheme, width = request.param
    for page in sized_page(browser, live_server, width, 640):
        page.emulate_media(color_scheme=scheme)
        sign_up(page)
        yield page


def log_with_equipment(page) -> None:
    """Log a past session, noting its pump, flange, setting and pain."""
    page.get_by_role("button", name="Log a past session").click()
    dialog = page.get_by_role("dialog", name="Log a session")
    dialog.get_by_label("Left (mL)").fill("60")
    dialog.locator("summary").click()
    dialog.get_by_label("Pump").fill("Spectra S1")
    dialog.get_by_label("Flange size (mm)").fill("24")
    dialog.get_by_label("Suction or setting").fill("level 5")
    dialog.get_by_label("Pain (0 to 10)").fill("2")
    expect(dialog.locator("summary")).to_have_text("Pump and comfort: Spectra S1 · 24 mm · level 5 · pain 2")
    dialog.get_by_role("button", name="Save").click()
    dialog.wait_for(state="detached")
    expect(page.locator("#toast")).to_contain_text("Session saved")


def test_the_next_form_offers_the_last_equipment_and_history_shows_it(phone):
    page = phone
    log_with_equipment(page)
    page.get_by_role("button", name="Log a past session").click()
    dialog = page.get_by_role("dialog", name="Log a session")
    # No taps: the folded summary already says what will be saved, and the fields hold it.
    expect(dialog.locator("summary")).to_have_text("Pump and comfort: Spectra S1 · 24 mm · level 5 · pain 2")
    expect(dialog.get_by_label("Pump", exact=True)).to_have_value("Spectra S1")
    dialog.get_by_role("button", name="Cancel").click()
    page.goto("/#/history")
    expect(page.locator("#history-list > li").first).to_contain_text("Spectra S1 · 24 mm · level 5 · pain 2")
    expect(page.get_by_role("button", name="Report (PDF, Letter)")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert serious_violations(page) == []


def test_same_as_last_time_carries_the_equipment(phone):
    page = phone
    log_with_equipment(page)
    page.get_by_role("button", name=re.compile("Same as last time")).click()
    dialog = page.get_by_role("dialog", name="Same as last time")
    expect(dialog.locator("summary")).to_have_text("Pump and comfort: Spectra S1 · 24 mm · level 5 · pain 2")
    assert serious_violations(page) == []
