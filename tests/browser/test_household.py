"""The household on several phones: a parent invites, a caregiver or partner accepts on her own phone and acts for
her in what the role allows; who did what shows on the parent's phone; a revoked grant stops at the next request."""

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_past_session, new_phone, sign_up, wait_for_service_worker, wait_until
from tests.browser.test_accessibility import serious_violations
from tests.conftest import PASSWORD

# A phone of the size most sold (iPhone 12 to 15), as the issue asks.
PHONE = {"width": 390, "height": 844}
EVERY_ACCOUNT = "self.PumpwellOutbox.allAccounts()"


def phone(browser, live_server, scheme: str = "light", locale: str = "en-US"):
    """A fresh phone of its own (its own storage, its language `locale`), which may copy to the clipboard; returns
    (context, page)."""
    context = new_phone(browser, live_server, color_scheme=scheme, locale=locale)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.set_viewport_size(PHONE)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    return context, page


def call(live_server, method: str, path: str, token: str, acting_for: int | None = None, **kwargs):
    """Call the API in-process as another device would, acting for a parent when `acting_for` names her."""
    headers = {"Authorization": f"Bearer {token}"}
    if acting_for is not None:
        headers["Pumpwell-Account"] = str(acting_for)
    with live_server.app.test_client() as client:
        return client.open(f"/api{path}", method=method, headers=headers, **kwargs)


def account_id(live_server, token: str) -> int:
    """The account id of a token's account."""
    return call(live_server, "GET", "/me", token).json["id"]


def add_container(live_server, token: str, volume: int, label: str) -> str:
    """Put a container of milk expressed an hour ago in the fridge; return its id."""
    expressed = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    answer = call(live_server, "POST", "/stash", token, json={
        "volume": volume, "location": "fridge", "label": label, "expressed_at": expressed})
    assert answer.status_code == 201, answer.json
    return answer.json["id"]


def invite(page, role: str) -> str:
    """Invite someone into `role` from Settings → Household, copy the link, and return it."""
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Partner, caregiver, consultant").click()
    page.get_by_role("radio", name=re.compile(f"^{role}", re.I)).check()
    page.get_by_role("button", name="Create invitation link").click()
    url = page.locator("#invite-url").inner_text()
    page.get_by_role("button", name="Copy link").click()
    expect(page.locator("#invite-said")).to_have_text("Link copied. Paste it into a message to send it.")
    assert page.evaluate("navigator.clipboard.readText()") == url
    return url


def sign_up_to_join(page, url: str, email: str) -> None:
    """Open an invitation link signed out, create an account, and come back to the invitation."""
    page.goto(url)
    expect(page.locator("#join-waiting")).to_be_visible()
    page.get_by_role("link", name="Create an account").click()
    expect(page.locator("#join-waiting")).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Join a household")).to_be_visible()


def accept_signed_out(page, url: str, email: str) -> None:
    """Open an invitation link signed out, create an account, come back to it, accept and open her log."""
    sign_up_to_join(page, url, email)
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_role("heading", name=re.compile("^You are .*'s "))).to_be_visible()
    page.get_by_role("button", name=re.compile("^Open .*'s log$")).click()


def tabs(page) -> list[str]:
    """The names of the tabs the phone shows."""
    return page.locator("#tabs a:visible").all_inner_texts()


def revoke(page, email: str) -> None:
    """Take access back from Settings → Household, confirming."""
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Partner, caregiver, consultant").click()
    page.get_by_role("button", name=f"Revoke {email}").click()
    page.get_by_role("dialog").get_by_role("button", name="Revoke").click()
    expect(page.locator("#member-list")).to_contain_text("Nobody else has access.")


def test_a_caregiver_runs_the_stash_sees_no_pumping_until_allowed_and_loses_access_when_revoked(browser, live_server):
    """Invite, accept on another phone, use milk for the parent, who sees who used it; pumping only when ticked;
    a revoked caregiver's next request shows she has no access any more."""
    parent_context, parent = phone(browser, live_server)
    carer_context, carer = phone(browser, live_server)
    carer_email = f"carer-{uuid.uuid4().hex[:8]}@example.com"
    try:
        parent_token = sign_up(parent)
        log_past_session(parent, "60", "55")
        container = add_container(live_server, parent_token, 120, "Mon am")
        url = invite(parent, "caregiver")
        assert re.fullmatch(rf"{re.escape(live_server.url)}/#/join/\S+", url)

        asked: list[str] = []
        carer.on("request", lambda r: "/api/" in r.url and asked.append(r.url.split("/api", 1)[1]))
        accept_signed_out(carer, url, carer_email)
        parent_email = call(live_server, "GET", "/me", parent_token).json["email"]
        expect(carer.locator("#household-switch")).to_have_text(f"{parent_email} — caregiver")
        expect(carer.get_by_role("heading", name="Use first")).to_be_visible()
        assert tabs(carer) == ["Stash", "Settings"]
        expect(carer.locator("#stash-list")).to_contain_text("Mon am")
        # No volumes of her pumping anywhere: no Today, no History, not even by the address.
        carer.goto("/#/history")
        expect(carer.get_by_role("heading", name="Use first")).to_be_visible()
        expect(carer.locator("main")).not_to_contain_text("115 mL")
        assert [path for path in asked if path.startswith(("/sessions", "/summary", "/goals", "/plans"))] == []

        carer.get_by_role("button", name="Use Mon am").click()
        carer.locator("#use-amount").fill("50")
        carer.get_by_role("button", name="Use", exact=True).click()
        expect(carer.locator("#toast")).to_contain_text("Saved.")
        expect(carer.locator("#stash-list")).to_contain_text("70 mL")
        expect(carer.locator("#stash-list")).to_contain_text("Used by you")

        parent.get_by_role("link", name="Stash").click()
        row = parent.locator("#stash-list li", has_text="Mon am")
        expect(row).to_contain_text("70 mL")
        expect(row.locator(".by-whom")).to_have_text("Used by your caregiver")

        parent.get_by_role("link", name="Settings").click()
        parent.get_by_role("link", name="Partner, caregiver, consultant").click()
        expect(parent.locator("#member-list")).to_contain_text(carer_email)
        expect(parent.locator("#member-list")).to_contain_text("Caregiver since")
        parent.get_by_label("Let caregivers see my pumping").check()
        expect(parent.locator("#toast")).to_contain_text("Caregivers now see your sessions")

        carer.reload()
        expect(carer.get_by_role("heading", name="Use first")).to_be_visible()
        wait_until(carer, "document.querySelectorAll('#tabs a:not([hidden])').length === 5")
        carer.get_by_role("link", name="History").click()
        expect(carer.locator("#history-list")).to_contain_text("115 mL")
        expect(carer.get_by_role("button", name=re.compile("^(Edit|Delete) session"))).to_have_count(0)

        # A change made offline that reaches the server after the revocation is refused, and said where she looks.
        carer.get_by_role("link", name="Stash", exact=True).click()
        carer_context.set_offline(True)
        carer.get_by_role("button", name="Use Mon am").click()
        carer.locator("#use-amount").fill("20")
        carer.get_by_role("button", name="Use", exact=True).click()
        expect(carer.locator("#stash-waiting")).to_have_text("1 change waiting to send.")
        household_copies = "Object.keys(localStorage).filter((key) => key.includes('.cache.household.'))"
        assert carer.evaluate(household_copies)  # what she saw of the parent's log, kept for offline use
        revoke(parent, carer_email)
        carer_context.set_offline(False)
        expect(carer.get_by_role("heading", name="Whose log")).to_be_visible()
        expect(carer.locator("#household-choices li")).to_have_count(1)
        expect(carer.locator("#household-switch")).to_be_hidden()
        expect(carer.locator("#household-orphans")).to_contain_text(
            "1 stash change saved for a household you no longer help cannot be sent.")
        carer.locator("#household-orphans").get_by_role("button", name="Discard").click()
        expect(carer.locator("#household-orphans")).to_have_count(0)
        assert carer.evaluate(EVERY_ACCOUNT) == []
        assert carer.evaluate(household_copies) == []
        assert tabs(carer) == ["Today", "History", "Plans", "Stash", "Settings"]
        assert call(live_server, "GET", f"/stash/{container}", parent_token).json["remaining_ml"] == 70
        assert not parent.errors and not carer.errors, (parent.errors, carer.errors)
    finally:
        parent_context.close()
        carer_context.close()


def test_a_session_a_partner_logs_offline_reaches_the_parent_once_after_a_switch_and_a_restart(browser, live_server):
    """Queued while acting for her, it waits under the partner's account for the parent's household; switching to her
    own log and restarting the app change nothing: it is sent once, into the parent's account, logged by the partner."""
    parent_context, parent = phone(browser, live_server)
    partner_context, partner = phone(browser, live_server)
    try:
        parent_token = sign_up(parent)
        parent_id = account_id(live_server, parent_token)
        url = invite(parent, "partner")
        partner_token = sign_up(partner)
        partner.goto(url)
        partner.get_by_role("button", name="Accept").click()
        partner.get_by_role("button", name=re.compile("^Open .*'s log$")).click()
        expect(partner.get_by_role("heading", name="Today", exact=True)).to_be_visible()
        assert tabs(partner) == ["Today", "History", "Plans", "Stash", "Settings"]
        wait_for_service_worker(partner)

        partner_context.set_offline(True)
        log_past_session(partner, "40", "45")
        expect(partner.locator("#today-waiting")).to_contain_text("85 mL waiting to send")
        [item] = partner.evaluate(EVERY_ACCOUNT)
        assert item["household"] == str(parent_id)
        partner.locator("#household-switch").click()
        partner.get_by_role("button", name="My pumping").click()
        expect(partner.locator("#today-total")).to_have_text("0 mL")
        expect(partner.locator("#today-waiting")).to_have_count(0)
        partner.reload()  # the app restarts, offline, in her own log
        expect(partner.locator("#net")).to_contain_text("1 waiting to send")

        partner_context.set_offline(False)
        wait_until(partner, f"{EVERY_ACCOUNT}.then((items) => items.length === 0)")
        partner.reload()
        partner.wait_for_timeout(500)  # a second flush, after the restart, must find nothing more to send
        [session] = call(live_server, "GET", "/sessions", parent_token).json["items"]
        assert (session["left_ml"], session["right_ml"], session["logged_by_role"]) == (40, 45, "partner")
        assert call(live_server, "GET", "/sessions", partner_token).json["items"] == []

        parent.get_by_role("link", name="History").click()
        expect(parent.locator("#history-list li").first.locator(".by-whom")).to_have_text("Logged by your partner")
        assert not parent.errors and not partner.errors, (parent.errors, partner.errors)
    finally:
        parent_context.close()
        partner_context.close()


def test_a_consultant_reads_every_screen_and_is_offered_no_change(browser, live_server):
    """Today, History, Plans, Stash: read-only: no Start, no Edit or Delete, no plan to start, no stash change."""
    parent_context, parent = phone(browser, live_server)
    consultant_context, consultant = phone(browser, live_server)
    try:
        parent_token = sign_up(parent)
        log_past_session(parent, "70", "65")
        add_container(live_server, parent_token, 90, "Daycare")
        url = invite(parent, "consultant")
        sign_up(consultant)
        consultant.goto(url)
        consultant.get_by_role("button", name="Accept").click()
        # Her first client gives her the Clients tab at once, before she opens anyone's log.
        expect(consultant.locator("#tabs").get_by_role("link", name="Clients")).to_be_visible()
        consultant.get_by_role("button", name=re.compile("^Open .*'s log$")).click()
        expect(consultant.locator("#today-total")).to_have_text("135 mL")
        assert tabs(consultant) == ["Today", "History", "Plans", "Stash", "Clients", "Settings"]
        expect(consultant.get_by_role("button", name="Start", exact=True)).to_have_count(0)
        expect(consultant.get_by_role("button", name="Log a past session")).to_have_count(0)
        expect(consultant.locator("#next-reminder")).to_have_count(0)
        consultant.get_by_role("link", name="History").click()
        expect(consultant.locator("#history-list")).to_contain_text("135 mL")
        expect(consultant.locator("#history-list button, #history-list a")).to_have_count(0)
        consultant.get_by_role("link", name="Plans").click()
        expect(consultant.get_by_text("No active plan.")).to_be_visible()
        expect(consultant.get_by_role("button", name=re.compile("^Choose "))).to_have_count(0)
        consultant.get_by_role("link", name="Stash", exact=True).click()
        expect(consultant.locator("#stash-list")).to_contain_text("Daycare")
        expect(consultant.locator("#stash-list button")).to_have_count(0)
        expect(consultant.get_by_role("button", name="Add a container")).to_have_count(0)
        expect(consultant.locator("#stash-guideline")).to_be_disabled()
        assert not parent.errors and not consultant.errors, (parent.errors, consultant.errors)
    finally:
        parent_context.close()
        consultant_context.close()


def test_an_invitation_already_used_or_her_own_is_refused_in_plain_words(browser, live_server):
    """A used link says it cannot be used and why; the parent's own link says to send it on."""
    phones = [phone(browser, live_server) for _ in range(3)]
    (_, parent), (_, first), (_, second) = phones
    try:
        sign_up(parent)
        url = invite(parent, "consultant")
        parent.goto(url)
        parent.get_by_role("button", name="Accept").click()
        expect(parent.locator("#join-error")).to_have_text(
            "This is your own invitation link: send it to the person you want to invite.")
        sign_up(first)
        first.goto(url)
        first.get_by_role("button", name="Accept").click()
        expect(first.get_by_role("heading", name=re.compile("consultant$"))).to_be_visible()
        sign_up(second)
        second.goto(url)
        second.get_by_role("button", name="Accept").click()
        expect(second.locator("#join-error")).to_contain_text("cannot be used: it was already accepted")
    finally:
        for context, _ in phones:
            context.close()


def test_an_answer_overtaken_by_her_joining_does_not_take_her_out_of_the_household(browser, live_server):
    """On a slow line the list of households asked at sign-up (none yet) comes back after she joined: it is out of
    date, so she stays in the parent's log rather than being told she lost access."""
    parent_context, parent = phone(browser, live_server)
    context, page = phone(browser, live_server)
    held = []

    def hold_the_first(route):
        """Answer the sign-up's own request for the households she helps (none yet) only once she is in one."""
        if held:
            route.continue_()
        else:
            held.append((route, route.fetch()))

    page.route("**/api/household/parents", hold_the_first)
    try:
        sign_up(parent)
        url = invite(parent, "caregiver")
        accept_signed_out(page, url, f"{uuid.uuid4().hex[:12]}@example.com")
        expect(page.get_by_role("heading", name="Use first")).to_be_visible()
        assert len(held) == 1
        route, answer = held[0]
        assert answer.json()["items"] == []
        route.fulfill(response=answer)
        page.wait_for_timeout(500)  # the late answer's handling is a few tasks away
        expect(page.get_by_role("heading", name="Use first")).to_be_visible()
        assert "#/stash" in page.url
        expect(page.locator("#household-switch")).to_contain_text("caregiver")
        assert not page.errors, page.errors
    finally:
        parent_context.close()
        context.close()


def household_screens(page, url: str):
    """Walk through every screen of the household, yielding each one's name once it shows."""
    page.goto(url)
    page.get_by_role("heading", name="Sign in").wait_for()
    yield "sign in with an invitation waiting"
    sign_up_to_join(page, url, f"{uuid.uuid4().hex[:12]}@example.com")
    yield "join"
    page.get_by_role("button", name="Accept").click()
    page.get_by_role("heading", name=re.compile("^You are")).wait_for()
    yield "joined"
    page.get_by_role("button", name=re.compile("^Open .*'s log$")).click()
    page.get_by_role("heading", name="Use first").wait_for()
    yield "a caregiver's stash"
    page.locator("#household-switch").click()
    page.get_by_role("heading", name="Whose log").wait_for()
    yield "switcher"
    page.get_by_role("link", name="Invite someone, or leave a household").click()
    page.get_by_role("button", name="Create invitation link").click()
    page.locator("#invite-url").wait_for()
    page.locator("#helped-list").wait_for()
    yield "household"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_or_critical_violations_on_the_household_screens_at_320_px(browser, live_server, scheme):
    """axe-core finds nothing serious on any household screen, on the narrowest phone, light and dark."""
    parent_context, parent = phone(browser, live_server, scheme)
    context, page = phone(browser, live_server, scheme)
    page.set_viewport_size({"width": 320, "height": 640})
    try:
        sign_up(parent)
        url = invite(parent, "caregiver")
        found = {name: serious_violations(page) for name in household_screens(page, url)}
        assert {name: v for name, v in found.items() if v} == {}
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        assert not page.errors, page.errors
    finally:
        parent_context.close()
        context.close()


def test_a_stash_reminder_tapped_on_a_caregivers_phone_opens_the_parents_stash(browser, live_server):
    """The reminder names the parent's account: her caregiver, looking at her own log, lands in the parent's Stash."""
    parent_context, parent = phone(browser, live_server)
    carer_context, carer = phone(browser, live_server)
    try:
        parent_token = sign_up(parent)
        parent_id = account_id(live_server, parent_token)
        add_container(live_server, parent_token, 90, "Tue pm")
        url = invite(parent, "caregiver")
        sign_up(carer)
        carer.goto(url)
        carer.get_by_role("button", name="Accept").click()
        carer.get_by_role("heading", name=re.compile("^You are")).wait_for()
        carer.goto("/#/settings")
        wait_for_service_worker(carer)
        worker = carer_context.service_workers[0]
        # What the service worker does with a tap on the stash reminder the clock sent to her phone.
        worker.evaluate("""(account) => handleNotificationClick({ data: { reminder_id: 7, kind: 'stash_expiry',
            url: '/#/stash', account_id: account }, close() {} }, '')""", parent_id)
        expect(carer.locator("#stash-list")).to_contain_text("Tue pm")
        expect(carer.locator("#household-switch")).to_contain_text("caregiver")
        assert carer.url.endswith("#/stash")
        assert not parent.errors and not carer.errors, (parent.errors, carer.errors)
    finally:
        parent_context.close()
        carer_context.close()
