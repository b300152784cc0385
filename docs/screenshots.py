"""Save every screen of the app at phone size, light and dark, into docs/screenshots/ (run by `make screenshots`),
and the key screens in each language into docs/screenshots/<language>/ (`python docs/screenshots.py languages`)."""

import argparse
import re
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from server.domain.languages import LANGUAGES  # noqa: E402
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


def seed_week_before(server: LiveServer, token: str) -> None:
    """Log the week before the two seeded ones, and a birth date 20 days ago, for Trends."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    for day in range(20, 13, -1):
        for n in range(6):
            server.api("POST", "/sessions", token, json={
                "started_at": (now - timedelta(days=day, hours=4 * n + 1)).isoformat(), "duration_min": 18,
                "left_ml": 35 + n, "right_ml": 30, "mode": "double"})
    server.api("PATCH", "/me", token, json={"birth_date": (now - timedelta(days=20)).date().isoformat()})


def trends(server: LiveServer, token: str, page, scheme: str) -> None:
    """Trends with the week before the two seeded ones logged too, and a birth date 20 days ago."""
    seed_week_before(server, token)
    page.get_by_role("navigation", name="History views").get_by_role("link", name="Trends").click()
    page.locator(".statements li").first.wait_for()
    shoot(page, "trends", scheme)
    page.locator(".chart").scroll_into_view_if_needed()
    shoot(page, "trends-chart", scheme)


def shoot(page, name: str, scheme: str, out: Path = OUT) -> None:
    """Save the current page as docs/screenshots/<name>-<scheme>.png (or in `out`) once it settles."""
    page.wait_for_load_state("networkidle")
    page.evaluate("document.getElementById('toast')?.replaceChildren()")
    page.wait_for_timeout(300)
    path = out / f"{name}-{scheme}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))
    print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


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


# The key screens shown in each language: the route that opens each, and what shows once it has drawn. The walk
# finds its way by routes and ids, never by a word, so it runs the same in every language.
KEY_SCREENS = {
    "today": ("#/today", "#today-sessions"), "history": ("#/history", "#history-list > li"),
    "trends": ("#/trends", ".statements li"), "stash": ("#/stash", "#stash-list > li"),
    "settings": ("#/settings", "#share-list > li"), "share-page": (None, "svg"),
}
# Her phone in each language: its locale, as new_phone takes it.
PHONE_LOCALES = {"en": "en-US", "es": "es-ES", "fr": "fr-FR"}


def language_screens(browser, server: LiveServer, scheme: str, languages=tuple(LANGUAGES), only=tuple(KEY_SCREENS),
                     out: Path = OUT) -> None:
    """The key screens of an account in each language, from a phone in that language, into <out>/<language>/."""
    for language in languages:
        answer = server.api("POST", "/auth/register", json={
            "email": f"screens-{language}-{scheme}@example.com", "password": PASSWORD, "time_zone": "UTC",
            "language": language})
        token = answer.json["token"]
        seed_two_weeks(server, token)
        seed_week_before(server, token)
        seed_stash(server, token)
        server.api("PUT", "/goals", token, json={
            "daily_volume_ml": 750, "sessions_per_day": 8, "max_gap_day_min": 180, "max_gap_night_min": 300,
            "night_start": "22:00", "night_end": "06:00"})
        share = server.api("POST", "/shares", token, json={"label": "Dr. Ana, IBCLC", "expires_in_days": 14}).json
        context = new_phone(browser, server, color_scheme=scheme, locale=PHONE_LOCALES[language])
        context.add_init_script(f"localStorage.setItem('pumpwell.token', {token!r})")
        page = context.new_page()
        for name in only:
            route, drawn = KEY_SCREENS[name]
            # The share page is the server's, in the parent's language, whoever opens it.
            page.goto(route or "/share/" + share["url"].split("/share/", 1)[1])
            page.locator(drawn).first.wait_for()
            shoot(page, name, scheme, out / language)
        context.close()


# Each walk through the app, by the name `python docs/screenshots.py NAME...` runs alone (all of them by default).
WALKS = {"screens": screens, "household": household, "consultant": consultant_screens, "languages": language_screens}


def main(names: list[str], schemes=("light", "dark"), **languages) -> None:
    """Start a throwaway server and browser and shoot every screen (of the walks named) in each colour scheme;
    `languages` narrows the languages walk (its languages, screens and folder)."""
    OUT.mkdir(parents=True, exist_ok=True)
    walks = {**WALKS, "languages": partial(language_screens, **languages)}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        server = LiveServer(Path(tmp))
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            for walk in names or WALKS:
                for scheme in schemes:
                    walks[walk](browser, server, scheme)
        finally:
            browser.close()
            server.stop()


def arguments() -> dict:
    """What the command line asks: `languages --language fr --screen today --scheme light --out /tmp/shots`."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", metavar="WALK", help=f"any of {', '.join(WALKS)}; all by default")
    parser.add_argument("--scheme", action="append", choices=["light", "dark"], help="light and dark by default")
    parser.add_argument("--language", action="append", choices=list(LANGUAGES),
                        help="the languages walk: only these (every one by default)")
    parser.add_argument("--screen", action="append", choices=list(KEY_SCREENS),
                        help="the languages walk: only these screens (all six by default)")
    parser.add_argument("--out", type=Path, help="the languages walk: instead of docs/screenshots (<out>/<language>/)")
    args = parser.parse_args()
    if unknown := set(args.names) - set(WALKS):
        parser.error(f"no walk named {', '.join(sorted(unknown))}")
    languages = {"languages": args.language, "only": args.screen, "out": args.out}
    return {"names": args.names, "schemes": args.scheme or ("light", "dark"),
            **{name: value for name, value in languages.items() if value}}


if __name__ == "__main__":
    main(**arguments())
