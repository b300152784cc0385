"""Plans on a phone: preview the exact times, start a plan, follow its progress and the power-hour phase timer."""

import re
from datetime import UTC, datetime

from playwright.sync_api import expect

from tests.browser.conftest import sign_up


def test_start_a_power_hour_and_see_its_times_and_phase_timer(page, live_server):
    """Preview lists seven 07:00 blocks, Start makes the plan active, and the phase timer changes from pump to rest."""
    page.clock.install(time=datetime.now(UTC))
    token = sign_up(page)
    page.get_by_role("link", name="Plans").click()
    card = page.locator("#tpl-power-hour")
    expect(card.locator(".badge")).to_have_text("guidance from two websites; evidence not graded")
    expect(page.locator("#tpl-frequent-boost .badge")).to_have_text("limited evidence: one article")
    card.get_by_role("button", name="Choose Power pumping hour").click()
    card.get_by_role("button", name="Preview times").click()
    times = card.locator(".preview ol > li")
    expect(times).to_have_count(7)
    for i in range(7):
        expect(times.nth(i)).to_contain_text("7:00 AM")
    expect(times.first).to_contain_text("pump 20 · rest 10 · pump 10 · rest 10 · pump 10")
    card.get_by_role("button", name="Start plan").click()
    active = page.locator("#active-plan")
    expect(active).to_contain_text("Active: Power pumping hour")
    expect(active.locator("ol > li")).to_have_count(7)
    [plan] = [p for p in live_server.api("GET", "/plans", token).json["items"] if p["status"] == "active"]
    assert plan["template"] == "power-hour"

    active.get_by_role("link", name="Open phase timer").click()
    page.get_by_role("button", name="Start", exact=True).click()
    timer = page.get_by_label("Phase timer")
    expect(timer.locator(".phase-name")).to_have_text("Pump both sides")
    expect(timer.get_by_role("timer")).to_have_text(re.compile(r"^(20:00|19:5\d)$"))
    page.clock.fast_forward("20:01")
    expect(timer.locator(".phase-name")).to_have_text("Rest")
    expect(timer).to_contain_text("Next: pump both sides for 10 min")
    timer.get_by_role("button", name="Cancel timer").click()
    expect(page.locator("#active-plan")).to_be_visible()
