"""Save every screen of the app at phone size, light and dark, into docs/screenshots/ (run by `make screenshots`)."""

import re
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, LiveServer, account_key, new_phone, sign_up  # noqa: E402
from tests.conftest import PASSWORD  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
# The install sheet's pictures (manifest "screenshots"): Today on a phone and on a wide screen.
SHEET = ROOT / "frontend" / "screenshots"
# Huckleberry's export as the tests read it, with one pump row whose start is not a date.
HUCKLEBERRY = (ROOT / "tests" / "imports" / "fixtures" / "huckleberry.csv").read_bytes() + b"Pump,last Tuesday,,,,,,,\n"


def seed_two_weeks(server: LiveServer, token: str) -> None:
    """Log 14 days of sessions, growing towards the goal, so the chart and lists have something to show."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    for day in range(13, -1, -1):
        for n in range(7 if day else 3):
            start = now - timedelta(days=day, hours=3 * n + 1)
            side = 38 + (13 - day) * 3 + n
            server.api("POST", "/sessions", token, json={
                "started_at": start.isoformat(), "duration_min": 18,
                "left_ml": side, "right_ml": side - 6, "mode": "double",
            })


def seed_stash(server: LiveServer, token: str) -> None:
    """Store a few containers in different places so the Stash screen shows its order and totals."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    for volume, location, label, hours_ago in (
        (120, "fridge", "Mon am", 50), (150, "freezer", "Bag 12", 24 * 20), (60, "room", "After work", 1),
        (90, "cooler", "Daycare", 6),
    ):
        server.api("POST", "/stash", token, json={
            "volume": volume, "location": location, "label": label,
            "expressed_at": (now - timedelta(hours=hours_ago)).isoformat(),
        })


def trends(server: LiveServer, token: str, page, scheme: str) -> None:
    """Trends with the week before the two seeded ones logged too, and a birth date 20 days ago."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    for day in range(20, 13, -1):
        for n in range(6):
            server.api("POST", "/sessions", token, json={
                "started_at": (now - timedelta(days=day, hours=4 * n + 1)).isoformat(), "duration_min": 18,
                "left_ml": 35 + n, "right_ml": 30, "mode": "double"})
    server.api("PATCH", "/me", token, json={"birth_date": (now - timedelta(days=20)).date().isoformat()})
    page.get_by_role("navigation", name="History views").get_by_role("link", name="Trends").click()
    page.locator(".statements li").first.wait_for()
    shoot(page, "trends", scheme)
    page.locator(".chart").scroll_into_view_if_needed()
    shoot(page, "trends-chart", scheme)


def shoot(page, name: str, scheme: str) -> None:
    """Save the current page as docs/screenshots/<name>-<scheme>.png once it settles."""
    page.wait_for_load_state("networkidle")
    page.evaluate("document.getElementById('toast')?.replaceChildren()")
    page.wait_for_timeout(300)
    page.screenshot(path=str(OUT / f"{name}-{scheme}.png"))
    print(f"docs/screenshots/{name}-{scheme}.png")


def account_and_security(page, scheme: str) -> None:
    """Settings' account cards (passkeys, password, devices) and their dialogs."""
    page.locator("#security-h").scroll_into_view_if_needed()
    shoot(page, "settings-security", scheme)
    page.get_by_role("button", name="Signed-in devices").click()
    page.get_by_role("dialog").wait_for()
    shoot(page, "devices", scheme)
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Change password").click()
    page.get_by_role("dialog").wait_for()
    shoot(page, "password-change", scheme)
    page.keyboard.press("Escape")


def bring_your_data(page, scheme: str) -> None:
    """Bring your data from Settings: Huckleberry chosen with its file, then the file's preview."""
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Bring your data").click()
    page.get_by_label("Huckleberry").check()
    page.get_by_label("File", exact=True).set_input_files(
        files=[{"name": "huckleberry.csv", "mimeType": "text/csv", "buffer": HUCKLEBERRY}])
    shoot(page, "import", scheme)
    page.get_by_role("button", name="Preview").click()
    found = page.get_by_role("region", name="What this file holds")
    found.wait_for()
    found.scroll_into_view_if_needed()
    shoot(page, "import-preview", scheme)


def shared_phone(page, scheme: str) -> None:
    """The sign-in screen of a phone with a session of another account waiting, and the forgotten-password form."""
    page.keyboard.press("Escape")  # the stash's add form
    page.context.set_offline(True)
    page.get_by_role("link", name="Today").click()
    page.get_by_role("button", name="Log a past session").click()
    page.get_by_label("Left (mL)").fill("66")
    page.get_by_label("Right (mL)").fill("77")
    page.get_by_role("button", name="Save").click()
    page.wait_for_timeout(500)
    page.evaluate("localStorage.removeItem('pumpwell.token')")  # as when her token was refused
    page.context.set_offline(False)
    page.goto("/#/signin")
    page.get_by_role("heading", name="Sign in").wait_for()
    shoot(page, "sign-in-waiting", scheme)
    page.get_by_role("link", name="Forgot password?").click()
    page.get_by_role("heading", name="Forgot your password?").wait_for()
    shoot(page, "forgot-password", scheme)


def timer_questions(page, scheme: str) -> None:
    """The running timer with its left and right timers, then "Still pumping?" on one left running for hours."""
    now = datetime.now(UTC)
    sides = {"left": {"seconds": 452, "since": None},
             "right": {"seconds": 0, "since": (now - timedelta(minutes=5, seconds=21)).isoformat()}}
    keep_timer = f"t => localStorage.setItem({account_key('timer')}, JSON.stringify(t))"
    page.evaluate(keep_timer, {"started_at": (now - timedelta(minutes=14, seconds=5)).isoformat(), "sides": sides})
    page.reload()
    page.get_by_role("button", name="Pause right").wait_for()
    shoot(page, "timer-sides", scheme)
    page.evaluate(keep_timer, {"started_at": (now - timedelta(hours=2, minutes=47)).isoformat()})
    page.reload()
    dialog = page.get_by_role("dialog", name="Still pumping?")
    dialog.wait_for()
    shoot(page, "still-pumping", scheme)
    dialog.get_by_role("button", name="Still pumping").click()


def install_sheet(browser, server: LiveServer, page, token: str) -> None:
    """Save Today narrow (this phone) and wide (1280 x 720) for the manifest's richer install sheet."""
    SHEET.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHEET / "today-narrow.png"))
    wide = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 720}, locale="en-US",
                               timezone_id="UTC", color_scheme="light")
    wide_page = wide.new_page()
    wide_page.add_init_script(f"localStorage.setItem('pumpwell.token', {token!r})")
    wide_page.goto("/#/today")
    wide_page.locator("#today-sessions").wait_for()
    wide_page.wait_for_load_state("networkidle")
    wide_page.screenshot(path=str(SHEET / "today-wide.png"))
    wide.close()
    print("frontend/screenshots/today-narrow.png, frontend/screenshots/today-wide.png")


def screens(browser, server: LiveServer, scheme: str) -> None:
    """Walk through every screen in one colour scheme."""
    context = new_phone(browser, server, color_scheme=scheme)
    page = context.new_page()
    page.goto("/#/signin")
    page.get_by_role("heading", name="Sign in").wait_for()
    shoot(page, "sign-in", scheme)
    token = sign_up(page, f"screens-{scheme}@example.com")
    seed_two_weeks(server, token)
    page.reload()
    page.locator("#today-sessions").wait_for()
    shoot(page, "today", scheme)
    if scheme == "light":
        install_sheet(browser, server, page, token)
    started = (datetime.now(UTC) - timedelta(minutes=12, seconds=34)).isoformat()
    page.evaluate(f"t => localStorage.setItem({account_key('timer')}, JSON.stringify({{started_at: t}}))", started)
    page.reload()
    page.get_by_role("button", name="Stop").click()
    page.get_by_label("Left (mL)").fill("65")
    page.get_by_label("Right (mL)").fill("60")
    shoot(page, "stop-volumes", scheme)
    page.keyboard.press("Escape")
    shoot(page, "timer-running", scheme)
    timer_questions(page, scheme)
    page.get_by_role("button", name="Discard timer").click()
    page.get_by_role("link", name="History").click()
    page.locator("#history-list > li").first.wait_for()
    shoot(page, "history", scheme)
    trends(server, token, page, scheme)
    page.get_by_role("link", name="Plans").click()
    card = page.locator("#tpl-power-hour")
    card.get_by_role("button", name="Choose Power pumping hour").click()
    card.get_by_role("button", name="Preview times").click()
    card.locator(".preview ol").wait_for()
    card.scroll_into_view_if_needed()
    shoot(page, "plan-preview", scheme)
    card.get_by_role("button", name="Start plan").click()
    page.locator(".active-plan").first.wait_for()
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, "plans", scheme)
    page.locator(".active-plan").first.get_by_role("link", name="Open phase timer").click()
    page.get_by_role("button", name="Start", exact=True).click()
    page.get_by_label("Phase timer").wait_for()
    shoot(page, "phase-timer", scheme)
    page.get_by_role("button", name="Cancel timer").click()
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="New link").click()
    page.get_by_label("Who is it for?").fill("Dr. Ana, IBCLC")
    shoot(page, "settings-share-form", scheme)
    page.get_by_role("button", name="Create link").click()
    page.locator("#share-url").wait_for()
    shoot(page, "settings-share", scheme)
    share_url = page.locator("#share-url").inner_text().strip()
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, "settings", scheme)
    account_and_security(page, scheme)
    bring_your_data(page, scheme)
    seed_stash(server, token)
    page.get_by_role("link", name="Stash").click()
    page.locator("#stash-list > li").first.wait_for()
    shoot(page, "stash", scheme)
    page.get_by_role("button", name="Add a container").click()
    page.locator("#stash-add").wait_for()
    shoot(page, "stash-add", scheme)
    shared_phone(page, scheme)
    context.close()
    # What the consultant sees: a fresh context with no account, as on their own device.
    consultant = new_phone(browser, server, color_scheme=scheme)
    share_page = consultant.new_page()
    share_page.goto(share_url)
    share_page.locator("svg").first.wait_for()
    shoot(share_page, "share-page", scheme)
    consultant.close()


def household(browser, server: LiveServer, scheme: str) -> None:
    """The household on two phones: the parent's Household screen, a caregiver joining, the switcher, and the stash
    each of them sees once the caregiver used milk."""
    parent_context, carer_context = (new_phone(browser, server, color_scheme=scheme) for _ in range(2))
    parent, carer = parent_context.new_page(), carer_context.new_page()
    parent_token = sign_up(parent, f"maria-{scheme}@example.com")
    seed_stash(server, parent_token)
    invited = server.api("POST", "/household/invitations", parent_token, json={"role": "caregiver"}).json["url"]
    # Made in-process, the link names the test client's host: the same route on the live server.
    carer.goto("/#" + invited.split("#", 1)[1])
    carer.get_by_role("heading", name="Sign in").wait_for()
    shoot(carer, "join-sign-in", scheme)
    carer.get_by_role("link", name="Create an account").click()
    carer.get_by_label("Email").fill(f"grandma-{scheme}@example.com")
    carer.get_by_label("Password").fill(PASSWORD)
    carer.get_by_role("button", name="Create account").click()
    carer.get_by_role("heading", name="Join a household").wait_for()
    shoot(carer, "join", scheme)
    carer.get_by_role("button", name="Accept").click()
    carer.get_by_role("heading", name=re.compile("^You are")).wait_for()
    shoot(carer, "joined", scheme)
    carer.get_by_role("button", name=re.compile("^Open .*'s log$")).click()
    carer.get_by_role("button", name="Use Mon am").click()
    carer.locator("#use-amount").fill("60")
    carer.get_by_role("button", name="Use", exact=True).click()
    carer.locator("#stash-list .by-whom").first.scroll_into_view_if_needed()
    shoot(carer, "household-stash-caregiver", scheme)
    carer.locator("#household-switch").click()
    carer.get_by_role("heading", name="Whose log").wait_for()
    shoot(carer, "household-switcher", scheme)
    parent.get_by_role("link", name="Stash").click()
    parent.locator("#stash-list .by-whom").first.scroll_into_view_if_needed()
    shoot(parent, "household-stash-parent", scheme)
    server.api("POST", "/household/invitations", parent_token, json={"role": "partner"})
    parent.get_by_role("link", name="Settings").click()
    parent.get_by_role("link", name="Partner, caregiver, consultant").click()
    parent.get_by_role("button", name="Create invitation link").click()
    parent.locator("#invite-url").wait_for()
    shoot(parent, "household", scheme)
    parent.locator("#members-h").scroll_into_view_if_needed()
    shoot(parent, "household-members", scheme)
    parent_context.close()
    carer_context.close()


def consultant_screens(browser, server: LiveServer, scheme: str) -> None:
    """The consultant's workspace on a phone and on a laptop, and the plan she proposes as the parent sees it."""
    # Imported here: the tests' seeding of three clients is not needed by the other screens.
    from tests.browser.clients import seed_clients

    context = new_phone(browser, server, color_scheme=scheme)
    page = context.new_page()
    token = sign_up(page, f"consultant-{scheme}@example.com")
    clients = seed_clients(server, server.api("GET", "/me", token).json["id"])
    page.reload()
    page.get_by_role("link", name="Clients").click()
    page.locator(".client-cards > li").first.wait_for()
    shoot(page, "workspace-phone", scheme)
    context.close()
    laptop = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 800}, color_scheme=scheme,
                                 locale="en-US", timezone_id="UTC")
    page = laptop.new_page()
    page.goto("/#/signin")
    page.get_by_label("Email").fill(f"consultant-{scheme}@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("link", name="Clients").click()
    page.locator(".clients-table tbody tr").first.wait_for()
    shoot(page, "workspace-laptop", scheme)
    laptop.close()
    parent_id, parent_token = clients["amara"]
    proposal = {"template": "power-hour", "starts_at": datetime.now(UTC).isoformat(), "overrides": {"days": 7},
                "note": "One hour a day for a week, then we talk about how it went."}
    with server.app.test_client() as client:
        client.post("/api/plans/proposals", json=proposal,
                    headers={"Authorization": f"Bearer {token}", "Pumpwell-Account": str(parent_id)})
    context = new_phone(browser, server, color_scheme=scheme)
    page = context.new_page()
    page.goto("/")
    page.evaluate("t => localStorage.setItem('pumpwell.token', t)", parent_token)
    page.goto("/#/plans")
    page.locator(".proposal").wait_for()
    shoot(page, "plan-proposal", scheme)
    context.close()


# Each walk through the app, by the name `python docs/screenshots.py NAME...` runs alone (all of them by default).
WALKS = {"screens": screens, "household": household, "consultant": consultant_screens}


def main(names: list[str]) -> None:
    """Start a throwaway server and browser and shoot every screen (of the walks named) twice."""
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        server = LiveServer(Path(tmp))
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            for walk in names or WALKS:
                for scheme in ("light", "dark"):
                    WALKS[walk](browser, server, scheme)
        finally:
            browser.close()
            server.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
