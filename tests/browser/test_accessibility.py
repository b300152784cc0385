"""axe-core finds no serious or critical accessibility problem on any screen, light or dark."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import log_past_session, new_phone, sign_up

AXE = Axe()


def serious_violations(page) -> list[str]:
    """Run axe-core on the page and describe its serious and critical violations."""
    results = AXE.run(page)
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"] if v["impact"] in ("serious", "critical")
    ]


def screens(page):
    """Visit every screen and state worth checking; yield a name for each."""
    page.goto("/#/signin")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    yield "sign in"
    page.goto("/#/signup")
    expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
    yield "sign up"
    sign_up(page)
    log_past_session(page, "60", "70")
    yield "today"
    page.get_by_role("button", name="Start", exact=True).click()
    yield "today with the timer running"
    page.get_by_role("button", name="Discard timer").click()
    expect(page.get_by_role("button", name="Undo")).to_be_visible()
    yield "today with an undo toast"
    page.get_by_role("button", name="Log a past session").click()
    yield "session form"
    page.get_by_label("Put this milk in the stash").check()
    expect(page.get_by_label("Put it in")).to_be_visible()
    yield "session form with the stash box ticked"
    page.keyboard.press("Escape")
    page.get_by_role("link", name="History").click()
    expect(page.locator("#history-list > li")).to_have_count(1)
    yield "history"
    page.get_by_role("link", name="Plans").click()
    page.get_by_role("button", name="Choose Power pumping hour").click()
    page.get_by_role("button", name="Preview times").click()
    expect(page.locator(".preview ol")).to_be_visible()
    yield "plans with a preview"
    page.get_by_role("button", name="Start plan").click()
    page.locator(".active-plan").get_by_role("link", name="Open phase timer").click()
    page.get_by_role("button", name="Start", exact=True).click()
    expect(page.get_by_label("Phase timer")).to_be_visible()
    yield "phase timer"
    page.get_by_role("button", name="Cancel timer").click()
    expect(page.locator(".active-plan")).to_be_visible()
    yield "plans with an active plan"
    page.locator(".active-plan").get_by_text("Change times").click()
    expect(page.get_by_label("Days left")).to_be_visible()
    yield "plan times form"
    page.goto("/#/reminders")
    expect(page.locator("#reminder-list > li").first).to_be_visible()
    yield "reminders"
    page.get_by_role("link", name="Stash").click()
    page.get_by_role("button", name="Add a container").click()
    expect(page.get_by_role("dialog", name="Add a container")).to_be_visible()
    yield "stash add form"
    page.keyboard.press("Escape")
    page.get_by_role("link", name="Settings").click()
    for opener, form in [("Change units and time zone", "Units and time zone"), ("Change goals", "Goals"),
                         ("Change quiet hours", "Quiet hours")]:
        page.get_by_role("button", name=opener).click()
        expect(page.get_by_role("dialog", name=form)).to_be_visible()
        yield f"settings form: {form}"
        page.keyboard.press("Escape")
    page.get_by_role("button", name="New link").click()
    page.get_by_label("Who is it for?").fill("Dr. Ana")
    yield "settings form: new share link"
    page.get_by_role("button", name="Create link").click()
    expect(page.locator("#share-url")).to_be_visible()
    yield "settings"
    page.evaluate("self.PumpwellOutbox.enqueue({id: crypto.randomUUID(), method: 'POST', path: '/sessions', body: {}})")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("dialog", name="Sign out?")).to_be_visible()
    yield "sign-out question with a session waiting"
    page.get_by_role("button", name="Sign out anyway").click()
    expect(page.locator("#waiting")).to_be_visible()
    yield "sign in with a session waiting for its account"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_or_critical_violations_on_any_screen(browser, live_server, scheme):
    """Every screen passes axe-core's serious and critical rules (contrast included) in both colour schemes."""
    context = new_phone(browser, live_server, color_scheme=scheme)
    page = context.new_page()
    found = {}
    try:
        for name in screens(page):
            found[name] = serious_violations(page)
    finally:
        context.close()
    assert {name: v for name, v in found.items() if v} == {}
