"""Every screen in Spanish and in French: a walk through the whole app on a phone of that language, with an account
full of data, that lists every text a catalog did not write, screen by screen (tests/browser/languages.py).

The walk finds its way by routes and ids, never by a word: the words are what it checks.
"""

import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from tests.browser import languages
from tests.browser.conftest import account_key, new_phone, wait_until
from tests.browser.test_household import call
from tests.conftest import PASSWORD

PHONES = {"es": "es-ES", "fr": "fr-FR"}
# How long a screen may take to show what it waits for (as long as an action may, conftest.py); a screen that never
# shows it is listed as not reached.
WAIT_MS = 10_000


class Walk:
    """One phone going from screen to screen, noting what each shows untranslated that no screen before showed (the
    tabs are listed once, on the first screen that has them, not on every one)."""

    def __init__(self, page, language: str):
        """Start with nothing found."""
        self.page = page
        self.language = language
        self.found: dict[str, list[str]] = {}
        self.seen: set[str] = set()

    def read(self, screen: str, opened: str, action=None) -> None:
        """Run `action` (open the screen), wait for `opened` (a selector), then note what it shows untranslated.

        A screen that cannot be opened is noted too, with why, and the walk goes on to the next one.
        """
        page = self.page
        try:
            if action:
                action(page)
            page.locator(opened).first.wait_for(timeout=WAIT_MS)
            page.wait_for_load_state("networkidle")
            # Today and a few others draw twice (the figures last seen, then fresh ones).
            page.wait_for_timeout(150)
            left = [text for text in languages.untranslated(page, self.language) if text not in self.seen]
            self.seen.update(left)
            lang = page.evaluate("document.documentElement.lang")
            if lang != self.language:
                left.insert(0, f"<html lang={lang!r}>")
        except Exception as err:  # noqa: BLE001 (any failure is this screen's finding, and the walk goes on)
            left = [f"(not reached: {str(err).splitlines()[0]})"]
        if left:
            self.found[screen] = left

    def go(self, route: str, opened: str, screen: str | None = None) -> None:
        """Open a route of the app (#/...) and read it."""
        self.read(screen or route, opened, lambda page: page.goto(f"/#/{route}"))

    def click(self, screen: str, target: str, opened: str) -> None:
        """Tap `target` on the screen shown and read what opens; the dialog it opened, if any, is closed after."""
        self.read(screen, opened, lambda page: page.locator(target).first.click(timeout=WAIT_MS))
        self.page.keyboard.press("Escape")


def register(live_server, email: str, language: str) -> str:
    """Make an account in `language` through the API; return its token."""
    answer = live_server.api("POST", "/auth/register", json={
        "email": email, "password": PASSWORD, "time_zone": "UTC", "language": language})
    assert answer.status_code == 201, answer.json
    return answer.json["token"]


def join(live_server, parent_token: str, role: str, token: str | None = None) -> str:
    """Invite someone into `role`; join with `token`'s account, or return the link's token unused."""
    url = call(live_server, "POST", "/household/invitations", parent_token, json={"role": role}).json["url"]
    invitation = url.split("/#/join/", 1)[1]
    if token:
        assert call(live_server, "POST", "/household/join", token, json={"token": invitation}).status_code == 201
    return invitation


def seed(live_server, token: str) -> dict:
    """Three weeks of sessions (one twenty minutes ago), a goal, a birth date, milk in the fridge and the freezer, an
    active plan and a share link; return the plan and the share link's path."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    starts = [now - timedelta(minutes=20)] + [now - timedelta(days=day, hours=3 * n + 1)
                                              for day in range(21) for n in range(6)]
    for i, start in enumerate(starts):
        answer = call(live_server, "POST", "/sessions", token, json={
            "started_at": start.isoformat(), "duration_min": 18, "left_ml": 40 + i % 20, "right_ml": 35,
            "mode": "double", "pump": "Spectra S1", "flange_mm": 24, "pain": 1})
        assert answer.status_code == 201, answer.json
    call(live_server, "PUT", "/goals", token, json={
        "daily_volume_ml": 750, "sessions_per_day": 8, "max_gap_day_min": 180, "max_gap_night_min": 300,
        "night_start": "22:00", "night_end": "06:00"})
    call(live_server, "PATCH", "/me", token, json={"birth_date": (now - timedelta(days=40)).date().isoformat()})
    for volume, location, label, hours in ((120, "fridge", "Mon am", 30), (150, "freezer", "Bag 12", 24 * 20),
                                           (60, "room", "After work", 1)):
        answer = call(live_server, "POST", "/stash", token, json={
            "volume": volume, "location": location, "label": label,
            "expressed_at": (now - timedelta(hours=hours)).isoformat()})
        assert answer.status_code == 201, answer.json
    plan = call(live_server, "POST", "/plans", token, json={
        "template": "power-hour", "starts_at": now.isoformat(), "params": {}})
    assert plan.status_code == 201, plan.json
    share = call(live_server, "POST", "/shares", token, json={"label": "Dr. Ana", "expires_in_days": 14}).json
    return {"plan": plan.json, "share": urlsplit(share["url"]).path}


def sign_in(page, email: str) -> None:
    """Sign out of the phone's account and sign in as `email` through the sign-in form."""
    page.evaluate("localStorage.removeItem('pumpwell.token')")
    page.goto("/#/signin")
    page.reload()
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form.card button[type=submit]").click()
    wait_until(page, "localStorage.getItem('pumpwell.token')")


def signed_out(walk: Walk) -> None:
    """The screens before an account: sign in, create an account, forgotten password."""
    walk.go("signin", "input[name=email]")
    walk.go("signup", "select[name=unit]")
    walk.go("forgot", "input[name=email]")
    walk.read("forgot, link sent", "#reset-sent:visible", lambda page: (
        page.locator("input[name=email]").fill("someone@example.com"),
        page.locator("form.card button[type=submit]").click()))


def parents_screens(walk: Walk, seeded: dict) -> None:
    """Every screen of the parent's own log, each form open."""
    page = walk.page
    page.reload()
    walk.go("today", "#today-total")
    walk.read("log form", "dialog[open] details.equipment", lambda page: page.goto("/#/log"))
    walk.read("log form, all fields open", "dialog[open] #stash-in:visible", lambda page: (
        page.locator("dialog[open] details.equipment summary").click(),
        page.locator("dialog[open] #stash-it").check()))
    page.keyboard.press("Escape")
    walk.go("history", "#history-list > li")
    walk.go("trends", ".statements li")
    walk.go("plans", ".active-plan")
    walk.go("plans/frequent-boost", "#tpl-frequent-boost form", screen="plan start form")
    plan = seeded["plan"]
    walk.go(f"timer/{plan['id']}/{plan['slots'][0]['id']}", ".big-start", screen="phase timer")
    walk.read("phase timer, running", ".phase-screen", lambda page: page.locator(".big-start").click())
    page.evaluate(f"localStorage.removeItem({account_key('phases')})")
    walk.go("reminders", "#reminder-list > li")
    walk.go("stash", "#stash-list > li")
    walk.click("stash, add form", "#stash-add-open", "dialog[open] #stash-add")
    walk.click("stash, use form", "#stash-list .item-actions button:nth-child(2)", "dialog[open] #use-amount")
    walk.go("settings", "#share-list > li")
    for form in ("display", "goals", "quiet", "share-new"):
        walk.click(f"settings, {form} form", f"#{form}-open", f"dialog[open] #{form}")
    walk.click("security, devices", "#devices-open", "dialog[open] #signed-in-devices > li:not(.muted)")
    walk.click("security, password", "#password-change-open", "dialog[open] #password-change")
    walk.go("import", "#import-form")
    walk.go("household", "#member-list > li")
    still_pumping(walk)


def still_pumping(walk: Walk) -> None:
    """A timer left running for hours: Today asks "Still pumping?"."""
    started = (datetime.now(UTC) - timedelta(hours=2, minutes=47)).isoformat()
    keep = f"t => localStorage.setItem({account_key('timer')}, JSON.stringify({{started_at: t}}))"
    walk.read("still pumping?", "dialog[open] #ended-at", lambda page: (
        page.evaluate(keep, started), page.goto("/#/today"), page.reload()))
    walk.page.evaluate(f"localStorage.removeItem({account_key('timer')})")
    walk.page.keyboard.press("Escape")


def share_page(walk: Walk, path: str) -> None:
    """The read-only page her consultant opens from the share link: in the parent's language, whoever opens it."""
    walk.read("share page", "svg", lambda page: page.goto(path))


def helpers_screens(walk: Walk, caregiver: str, consultant: str, invitation: str) -> None:
    """A caregiver's switcher and an invitation waiting for her; the consultant's workspace and her Plans."""
    walk.read("sign in as caregiver", "#tabs:visible", lambda page: sign_in(page, caregiver))
    walk.go("households", "#household-choices > li")
    walk.go(f"join/{invitation}", "#join-accept", screen="join")
    walk.read("sign in as consultant", "#tabs:visible", lambda page: sign_in(page, consultant))
    walk.go("workspace", ".client-cards > li")
    walk.read("workspace, a client's plans", "#propose-h", lambda page: (
        page.locator(".client-cards .client-name").first.click(), page.goto("/#/plans")))


@pytest.mark.parametrize("language", PHONES)
def test_every_screen_shows_only_texts_of_the_phones_language(browser, live_server, language):
    """On a phone in Spanish or French, an account made there speaks its language, and every screen, form and page
    shows only what a catalog translated, data, or what Intl wrote: one list of every leftover, screen by screen."""
    context = new_phone(browser, live_server, locale=PHONES[language])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    walk = Walk(page, language)
    try:
        signed_out(walk)
        token = languages.sign_up(page)
        me = call(live_server, "GET", "/me", token).json
        assert me["language"] == language
        seeded = seed(live_server, token)
        tag = uuid.uuid4().hex[:8]
        caregiver, consultant = f"carer-{tag}@example.com", f"consultant-{tag}@example.com"
        carer_token = register(live_server, caregiver, language)
        consultant_token = register(live_server, consultant, language)
        join(live_server, token, "caregiver", carer_token)
        join(live_server, token, "consultant", consultant_token)
        invitation = join(live_server, token, "partner")
        call(live_server, "POST", "/plans/proposals", consultant_token, acting_for=me["id"], json={
            "template": "frequent-boost", "starts_at": datetime.now(UTC).isoformat(), "overrides": {},
            "note": "Une semaine, puis on en parle."})
        parents_screens(walk, seeded)
        share_page(walk, seeded["share"])
        helpers_screens(walk, caregiver, consultant, invitation)
    finally:
        context.close()
    report = "\n".join(f"{screen} ({len(left)}): {left}" for screen, left in walk.found.items())
    assert not walk.found, f"texts left untranslated, by the screen that first showed them:\n{report}"
    assert errors == [], f"script errors on the page: {errors}"


@pytest.mark.parametrize("language", ["en", *PHONES])
def test_every_tab_fits_the_narrowest_phone_in_each_language(browser, live_server, language):
    """Longer words (Aujourd'hui, Programmes, Réglages) must not push a tab off a 320 px screen."""
    context = new_phone(browser, live_server, locale=PHONES.get(language, "en-US"))
    page = context.new_page()
    page.set_viewport_size({"width": 320, "height": 640})
    try:
        languages.sign_up(page)
        page.locator("#tabs a[data-tab=settings]").wait_for()
        tabs = page.locator("#tabs")
        assert tabs.evaluate("(bar) => bar.scrollWidth <= bar.clientWidth"), tabs.inner_text()
        sizes = tabs.evaluate("(bar) => [...bar.querySelectorAll('a:not([hidden])')].map((a) => "
                              "parseFloat(getComputedStyle(a).fontSize))")
        assert len(sizes) == 5 and min(sizes) >= 12, sizes  # still readable
    finally:
        context.close()


CHECKED = """<main>
  <h1>Pumpwell</h1>
  <p>Saved.</p>
  <p>3 séances aujourd’hui</p>
  <p id="date"></p>
  <p translate="no">Bag 12 from grandma</p>
  <input placeholder="Optional">
</main>
<script>
  document.getElementById('date').textContent = new Intl.DateTimeFormat('fr', {
    weekday: 'long', day: 'numeric', month: 'long', hour: 'numeric', minute: '2-digit' }).format(new Date());
</script>"""


def test_untranslated_flags_english_and_accepts_translations_dates_and_her_own_words(browser, monkeypatch):
    """On a French page, an English sentence and placeholder are flagged; a translation with its {count} filled,
    a date Intl wrote (with its "à"), the app's name and what she typed (translate="no") are not."""
    monkeypatch.setattr(languages, "app_messages", lambda language: {"{count} sessions today": [
        "{count} séance aujourd’hui", "{count} séances aujourd’hui"]})
    monkeypatch.setattr(languages, "read_catalog", lambda path, language: [])
    languages.translations.cache_clear()
    page = browser.new_page()
    try:
        page.set_content(CHECKED)
        assert languages.untranslated(page, "fr") == ["Optional", "Saved."]
    finally:
        page.close()
        languages.translations.cache_clear()
