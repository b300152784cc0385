"""axe-core finds no serious or critical accessibility problem on any screen, light or dark."""

import json
import os
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from server.push import b64url_encode
from tests.browser.conftest import PHONE, add_fingerprint_reader, log_past_session, new_phone, sign_up
from tests.browser.test_reminder_devices import p256_public_key

HUCKLEBERRY = Path(__file__).parents[1] / "imports" / "fixtures" / "huckleberry.csv"

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


def add_container_form(page) -> None:
    """Fill the open add form with a 90 mL bottle in the fridge and send it."""
    form = page.locator("#stash-add")
    form.get_by_label("Volume (mL)").fill("90")
    form.get_by_label("Where").select_option(label="Fridge")
    form.get_by_label("Label").fill("Bottle")
    form.get_by_role("button", name="Add to stash").click()


def add_reminder_device(live_server, token: str) -> None:
    """Subscribe another device of this account to reminders, as its browser would."""
    subscription = {"endpoint": f"{live_server.url}/push-test/{uuid.uuid4()}",
                    "keys": {"p256dh": p256_public_key(), "auth": b64url_encode(os.urandom(16))}}
    assert live_server.api("POST", "/push/subscriptions", token, json=subscription).status_code == 201


def screens(page, live_server):
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
    token = sign_up(page)
    log_past_session(page, "60", "70")
    yield "today"
    page.get_by_role("button", name="Start", exact=True).click()
    yield "today with the timer running"
    page.get_by_role("button", name="Discard timer").click()
    expect(page.get_by_role("button", name="Undo")).to_be_visible()
    yield "today with an undo toast"
    page.get_by_role("button", name="Log a past session").click()
    yield "session form"
    page.locator("details.equipment summary").click()
    expect(page.get_by_label("Flange size (mm)")).to_be_visible()
    yield "session form with pump and comfort open"
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
    add_container_form(page)
    expect(page.locator("#stash-list > li")).to_have_count(1)
    yield "stash with a container"
    for action, dialog in [("Move", "Move container"), ("Use", "Use milk"), ("Discard", "Discard container")]:
        page.get_by_role("button", name=f"{action} Bottle").click()
        expect(page.get_by_role("dialog", name=dialog)).to_be_visible()
        yield f"stash form: {dialog.lower()}"
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
    share_url = page.locator("#share-url").inner_text()
    for opener, dialog in [("Signed-in devices", "Signed-in devices"), ("Change password", "Change password"),
                           ("Revoke Dr. Ana", "Revoke link?"), ("Delete my account", "Delete your account?")]:
        page.get_by_role("button", name=opener).click()
        expect(page.get_by_role("dialog", name=dialog)).to_be_visible()
        yield f"settings: {dialog.lower()}"
        page.keyboard.press("Escape")
    page.get_by_role("button", name="Signed-in devices").click()
    page.get_by_role("dialog", name="Signed-in devices").get_by_role("button", name="Sign out everywhere").click()
    expect(page.get_by_role("dialog", name="Sign out everywhere?")).to_be_visible()
    yield "settings: sign out everywhere?"
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_role("button", name=re.compile("^Remove "))).to_be_visible()
    add_reminder_device(live_server, token)
    page.reload()
    expect(page.locator("#device-list > li")).to_have_text([re.compile("on")])
    yield "settings with a passkey and a device getting reminders"
    page.get_by_role("button", name=re.compile("^Remove ")).click()
    expect(page.get_by_role("dialog", name="Remove passkey?")).to_be_visible()
    yield "settings: remove passkey?"
    page.keyboard.press("Escape")
    page.get_by_role("link", name="Bring your data").click()
    expect(page.get_by_role("heading", name="Bring your data")).to_be_visible()
    yield "bring your data"
    page.get_by_label("Huckleberry").check()
    page.get_by_label("File", exact=True).set_input_files(HUCKLEBERRY)
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("region", name="What this file holds")).to_be_visible()
    yield "bring your data: a file previewed"
    page.goto(share_url)
    expect(page.locator("svg[role=img]")).to_be_visible()
    yield "share page (a consultant's view)"
    page.goto(share_url + "x")
    yield "share page for a link that does not work"
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


def timer_screens(page):
    """The timer's states that need her clock moved (installed before the app loads): a side timer, the question."""
    page.clock.install(time=datetime.now(UTC) - timedelta(hours=2))
    sign_up(page)
    page.get_by_role("button", name="Start", exact=True).click()
    page.get_by_role("button", name="Start left").click()
    expect(page.get_by_role("button", name="Pause left")).to_be_visible()
    yield "today with the left side's timer running"
    page.clock.run_for("01:00:00")
    expect(page.get_by_role("dialog", name="Still pumping?")).to_be_visible()
    yield "still pumping? (a timer left running an hour)"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_or_critical_violations_on_any_screen(browser, live_server, scheme):
    """Every screen passes axe-core's serious and critical rules (contrast included) in both colour schemes."""
    # On localhost, where WebAuthn works, a virtual fingerprint reader lets the walk add a passkey and list it.
    context = new_phone(browser, SimpleNamespace(url=live_server.url.replace("127.0.0.1", "localhost")),
                        color_scheme=scheme)
    page = context.new_page()
    add_fingerprint_reader(context, page)
    found = {}
    try:
        for name in screens(page, live_server):
            found[name] = axe_on(page)
    finally:
        context.close()
    context = new_phone(browser, live_server, color_scheme=scheme)
    try:
        page = context.new_page()
        for name in timer_screens(page):
            found[name] = axe_on(page)
    finally:
        context.close()
    record(scheme, found)
    assert {name: r["serious"] for name, r in found.items() if r["serious"]} == {}
