"""Every screen that shows a goal, a limit, a plan or a reminder says it is not medical advice, also when its data
fails to load; adaptations say so too."""

from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect


def test_goal_limit_and_plan_screens_carry_the_not_medical_advice_line(signed_in):
    page, _ = signed_in
    line = "not medical advice"
    expect(page.locator("#main .not-advice")).to_contain_text(line)  # Today
    page.get_by_role("button", name="Log a past session").click()
    dialog = page.get_by_role("dialog", name="Log a session")
    expect(dialog.locator(".not-advice")).to_contain_text(line)
    dialog.get_by_role("button", name="Cancel").click()
    for tab in ("History", "Settings"):
        page.get_by_role("link", name=tab).click()
        expect(page.locator("#main .not-advice")).to_contain_text(line)
    page.get_by_role("link", name="Plans").click()
    expect(page.locator("#main .notice")).to_contain_text(line)


def test_a_boost_preview_at_another_interval_says_it_is_an_adaptation(signed_in):
    page, _ = signed_in
    page.get_by_role("link", name="Plans").click()
    card = page.locator("#tpl-frequent-boost")
    card.get_by_role("button", name="Choose Frequent pumping boost").click()
    card.get_by_label("Elapsed time from the start of one session to the next (min)").fill("90")
    card.get_by_role("button", name="Preview times").click()
    expect(card.locator(".preview .notice")).to_contain_text("adaptation: interval_min outside the source's figures")


LINE = "not medical advice"


def fail(route) -> None:
    """Answer a request as a server in trouble would."""
    route.fulfill(status=500, json={"error": {"code": "internal_error", "message": "Something went wrong."}})


def test_reminders_and_the_phase_timer_carry_the_line_also_when_their_data_fails(signed_in, live_server):
    page, token = signed_in
    starts = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    plan = live_server.api("POST", "/plans", token, json={"template": "power-hour", "starts_at": starts}).json
    page.goto("/#/reminders")
    expect(page.locator("#reminder-list li").first).to_contain_text("Power pumping hour")
    expect(page.locator("#main .not-advice")).to_contain_text(LINE)
    page.goto(f"/#/timer/{plan['id']}/{plan['slots'][0]['id']}")
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_role("timer")).to_be_visible()
    expect(page.locator("#main .not-advice")).to_contain_text(LINE)
    page.get_by_role("button", name="Cancel timer").click()
    page.route("**/api/reminders", fail)
    page.route("**/api/plans/*", fail)
    for screen in ("reminders", f"timer/{plan['id']}/{plan['slots'][0]['id']}"):
        page.goto(f"/#/{screen}")
        page.reload()
        expect(page.locator("#main")).to_contain_text("Something went wrong.")
        expect(page.locator("#main .not-advice")).to_contain_text(LINE)


def test_history_keeps_the_line_when_its_chart_fails_to_load(signed_in):
    page, _ = signed_in
    page.route("**/api/summary/daily*", fail)
    page.get_by_role("link", name="History").click()
    card = page.locator("#main .chart")
    expect(card).to_contain_text("Something went wrong.")
    expect(card.locator(".not-advice")).to_contain_text(LINE)
