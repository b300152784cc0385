"""Plans on a phone: preview the exact times, start a plan, follow its progress and the power-hour phase timer."""

import re
from datetime import UTC, datetime

from playwright.sync_api import expect

from tests.browser.conftest import sign_up


def test_start_a_power_hour_and_see_its_times_and_phase_timer(page, live_server):
    """Started now, the preview lists seven blocks at this minute, Start makes it active, the phase timer runs."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    page.clock.install(time=now)
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
        expect(times.nth(i)).to_contain_text(now.strftime("%-I:%M %p"))
    expect(times.first).to_contain_text("pump 20 · rest 10 · pump 10 · rest 10 · pump 10")
    card.get_by_role("button", name="Start plan").click()
    active = page.locator(".active-plan")
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
    expect(page.locator(".active-plan")).to_be_visible()


def start_plan_by_api(live_server, token, template, params=None):
    """Start a plan for this account straight through the API; returns its JSON."""
    body = {"template": template, "starts_at": datetime.now(UTC).isoformat(), "params": params or {}}
    response = live_server.api("POST", "/plans", token, json=body)
    assert response.status_code == 201, response.json
    return response.json


def test_every_active_plan_shows_and_each_can_be_stopped_and_rescheduled(page, live_server):
    """Two active plans both show; one gets a new daily start and fewer days, the other is stopped."""
    token = sign_up(page)
    start_plan_by_api(live_server, token, "frequent-boost")
    power = start_plan_by_api(live_server, token, "power-hour", {"days": 7, "start_time": "23:00"})
    page.get_by_role("link", name="Plans").click()
    cards = page.locator(".active-plan")
    expect(cards).to_have_count(2)
    hour = page.locator(f"#active-plan-{power['id']}")
    hour.get_by_text("Change times").click()
    hour.get_by_label("Daily start").fill("21:30")
    hour.get_by_label("Days left").fill("5")
    hour.get_by_role("button", name="Save new times").click()
    expect(page.locator("#toast")).to_contain_text("New times saved.")
    stored = live_server.api("GET", f"/plans/{power['id']}", token).json
    assert len(stored["slots"]) == 5 and stored["params"]["start_time"] == "21:30"
    expect(page.locator(f"#active-plan-{power['id']} ol > li")).to_have_count(5)
    page.get_by_role("button", name="Stop Frequent pumping boost").click()
    page.get_by_role("dialog", name="Stop this plan?").get_by_role("button", name="Stop plan").click()
    expect(cards).to_have_count(1)
    statuses = {p["template"]: p["status"] for p in live_server.api("GET", "/plans", token).json["items"]}
    assert statuses == {"frequent-boost": "cancelled", "power-hour": "active"}
