"""axe-core finds no serious or critical accessibility problem on any screen, light or dark."""

import json
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, log_past_session, new_phone, sign_up

AXE = Axe()
UNAVAILABLE = json.dumps({"code": 503, "message": "Try again shortly.", "fields": {}})
# A frequent boost beside the active power hour, started as another of her devices would (its times cannot move).
START_BOOST = """fetch('/api/plans', {method: 'POST', headers: {'Content-Type': 'application/json',
    Authorization: `Bearer ${localStorage.getItem('pumpwell.token')}`},
    body: JSON.stringify({template: 'frequent-boost', starts_at: new Date().toISOString(), params: {}})})
  .then((r) => r.status)"""


IMPACTS = ("critical", "serious", "moderate", "minor")
RESULTS = Path(__file__).resolve().parents[2] / "docs" / "accessibility"


def axe_on(page) -> dict:
    """Run axe-core on the page: its version, the rules passed, violations by impact, and the serious ones described."""
    response = AXE.run(page).response
    violations = response["violations"]
    return {
        "version": response["testEngine"]["version"],
        "passed": len(response["passes"]),
        "by_impact": {impact: sum(v["impact"] == impact for v in violations) for impact in IMPACTS},
        "serious": [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
                    for v in violations if v["impact"] in ("serious", "critical")],
    }


def serious_violations(page) -> list[str]:
    """Run axe-core on the page and describe its serious and critical violations."""
    return axe_on(page)["serious"]


def record(scheme: str, found: dict) -> None:
    """Write the scores per screen to docs/accessibility/axe-<scheme>.md, so the docs show what the last run found."""
    version = next(iter(found.values()))["version"]
    rows = [f"| {name} | {r['passed']} | " + " | ".join(str(r["by_impact"][i]) for i in IMPACTS) + " |"
            for name, r in found.items()]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"axe-{scheme}.md").write_text(
        f"# axe-core {version} on every screen, {scheme} mode (360 x 740 phone)\n\n"
        "Written by tests/browser/test_accessibility.py; the test fails on any critical or serious violation.\n\n"
        "| Screen | Rules passed | Critical | Serious | Moderate | Minor |\n|---|---|---|---|---|---|\n"
        + "\n".join(rows) + "\n")


def unavailable_for_new_sessions(route):
    """Answer a new session with 503 (reads pass), so it waits in the outbox."""
    if route.request.method == "POST":
        return route.fulfill(status=503, content_type="application/json", body=UNAVAILABLE)
    return route.fallback()


def screens(page):
    """Visit every screen and state worth checking; yield a name for each."""
    page.goto("/#/signin")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    yield "sign in"
    page.get_by_role("link", name="Forgot password?").click()
    expect(page.get_by_role("button", name="Send me a link")).to_be_visible()
    yield "forgot password"
    page.goto("/#/reset/not-a-real-token")
    expect(page.get_by_label("New password")).to_be_visible()
    yield "new password from an e-mailed link"
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
    page.get_by_label("Left (mL)").fill("5000")
    page.get_by_role("dialog", name="Log a session").get_by_role("button", name="Save").click()
    yield "session form refusing 5,000 mL"
    page.keyboard.press("Escape")
    page.get_by_role("link", name="History").click()
    expect(page.locator("#history-list > li")).to_have_count(1)
    yield "history"
    page.locator("#history-list").get_by_role("button", name="Edit").click()
    expect(page.get_by_role("dialog", name="Edit session")).to_be_visible()
    yield "history edit form"
    page.keyboard.press("Escape")
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
    page.evaluate(START_BOOST)
    page.reload()
    boost = page.locator(".active-plan", has_text="Frequent pumping boost")
    boost.get_by_text("Change times").click()
    expect(boost.get_by_role("link", name="Start again at a new time")).to_be_visible()
    yield "frequent boost: start again instead of new times"
    page.goto("/#/reminders")
    expect(page.locator("#reminder-list > li").first).to_be_visible()
    yield "reminders"
    page.get_by_role("link", name="Stash").click()
    expect(page.get_by_role("button", name="Add a container")).to_be_visible()
    yield "stash"
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
    page.goto(page.locator("#share-url").inner_text())
    expect(page.locator("svg[role=img]")).to_be_visible()
    yield "share page (a consultant's view)"
    page.goto("/#/today")
    page.route("**/api/sessions", unavailable_for_new_sessions)
    log_past_session(page, "100", "20")
    expect(page.locator("#today-waiting")).to_be_visible()
    yield "today with a session waiting to send"
    page.set_viewport_size({"width": 180, "height": 370})
    yield "today at 200% zoom"
    page.set_viewport_size(PHONE)
    page.get_by_role("link", name="Settings").click()
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
            found[name] = axe_on(page)
    finally:
        context.close()
    record(scheme, found)
    assert {name: r["serious"] for name, r in found.items() if r["serious"]} == {}
