"""Trends on a phone: reached from History, readable at 320 and 390 px, light and dark without an axe finding,
with a birth date set on the spot, and shown offline from the last answer seen."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.chart_text import RENDERED_TEXT, assert_labels_inside_and_apart
from tests.browser.conftest import new_phone, sign_up
from tests.browser.test_accessibility import serious_violations


def seed_three_weeks(live_server, token: str) -> None:
    """Log three weeks of sessions, more each week, so every statement has two weeks to compare."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    for day in range(21, 0, -1):
        for n in range(8):
            start = now - timedelta(days=day, hours=2 * n)
            live_server.api("POST", "/sessions", token, json={
                "started_at": start.isoformat(), "duration_min": 15, "left_ml": 40 + (21 - day), "right_ml": 35,
                "mode": "double"})


def open_trends(page) -> None:
    """Go from History to Trends through its link, as she would."""
    page.goto("/#/history")
    page.get_by_role("navigation", name="History views").get_by_role("link", name="Trends").click()
    expect(page.get_by_role("heading", name="This week and the week before")).to_be_visible()


@pytest.mark.parametrize("width", [320, 390])
def test_trends_read_on_a_small_phone_and_take_a_birth_date(signed_in, live_server, width):
    page, token = signed_in
    seed_three_weeks(live_server, token)
    page.set_viewport_size({"width": width, "height": 740})
    open_trends(page)
    statements = page.locator(".statements li")
    expect(statements.first).to_contain_text("7-day total")
    expect(statements.first).to_contain_text("% higher than the week before")
    expect(page.locator("#main .not-advice").first).to_contain_text("not medical advice")
    expect(page.get_by_text("Source: ameda.com.")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # A birth date 10 days ago: day 7 of life falls inside the chart.
    page.get_by_role("button", name="Add birth date").click()
    born = (datetime.now(UTC) - timedelta(days=10)).date().isoformat()
    page.get_by_label("Birth date", exact=True).fill(born)
    page.get_by_role("dialog").get_by_role("button", name="Save").click()
    expect(page.get_by_text("today is day 10")).to_be_visible()
    assert live_server.api("GET", "/me", token).json["birth_date"] == born
    labels = [t for t in page.evaluate(RENDERED_TEXT) if t["box"]]
    assert any(t["text"] == "day 7" for t in labels), labels
    assert [t for t in labels if t["px"] < 14] == []
    assert_labels_inside_and_apart(labels, page.locator(".chart svg").bounding_box())
    # The chart's words for those who cannot see it: every day in a table.
    page.get_by_text("Every day as a table").click()
    expect(page.get_by_role("region", name="Every day’s figures").locator("tbody tr")).to_have_count(28)
    page.get_by_role("navigation", name="Weeks shown").get_by_role("link", name="12 weeks").click()
    expect(page.get_by_role("heading", name="Daily totals, 12 weeks")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_birth_date_after_today_is_refused_beside_the_field(signed_in):
    page, _ = signed_in
    page.goto("/#/trends")
    page.get_by_role("button", name="Add birth date").click()
    field = page.get_by_label("Birth date", exact=True)
    field.evaluate("input => input.removeAttribute('max')")  # as a phone whose date picker ignores it
    field.fill("2099-01-01")
    page.get_by_role("dialog").get_by_role("button", name="Save").click()
    expect(page.get_by_role("dialog").locator(".field-error")).to_contain_text("Must not be after today.")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_trends_have_no_serious_accessibility_finding(browser, live_server, scheme):
    context = new_phone(browser, live_server, color_scheme=scheme)
    page = context.new_page()
    try:
        token = sign_up(page)
        seed_three_weeks(live_server, token)
        live_server.api("PATCH", "/me", token, json={"birth_date": (datetime.now(UTC) - timedelta(days=12)).date()
                                                     .isoformat()})
        open_trends(page)
        page.get_by_text("Every day as a table").click()
        assert serious_violations(page) == []
        page.goto("/#/trends/8")
        expect(page.get_by_role("heading", name="Daily totals, 8 weeks")).to_be_visible()
        assert serious_violations(page) == []
    finally:
        context.close()


def test_trends_show_the_last_answer_seen_when_offline(signed_in, live_server, context):
    page, token = signed_in
    seed_three_weeks(live_server, token)
    open_trends(page)
    first = page.locator(".statements li").first.inner_text()
    context.set_offline(True)
    page.goto("/#/today")
    page.goto("/#/trends")
    expect(page.locator("#stale")).to_be_visible()
    expect(page.locator(".statements li").first).to_have_text(first)
