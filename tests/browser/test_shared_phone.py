"""One phone, two parents: what the phone keeps (queued sessions, the running timer) belongs to the account that
made it."""

import json
import re
import uuid
from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from tests.browser.conftest import account_key, log_past_session, sign_up, wait_until
from tests.browser.test_outbox import V1_DATABASE, past_session
from tests.browser.test_push import registration_id
from tests.browser.test_sessions import server_sessions
from tests.conftest import PASSWORD

OUTBOX = "self.PumpwellOutbox.all()"
EVERY_ACCOUNT = "self.PumpwellOutbox.allAccounts()"


def new_email() -> str:
    """An address starting with "a", so the sign-in screen masks it as a…@example.org."""
    return f"a{uuid.uuid4().hex[:10]}@example.org"


def sign_in(page, email: str) -> None:
    """Sign in through the sign-in screen and wait for Today."""
    page.goto("/#/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("heading", name="Today", exact=True).wait_for()


def sign_out(page) -> None:
    """Sign out from Settings, where nothing waits to be sent (no question asked)."""
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def sessions_of(live_server, email: str) -> list[dict]:
    """What the server holds for an account, read through a fresh sign-in of a second device."""
    token = live_server.api("POST", "/auth/login", json={"email": email, "password": PASSWORD}).json["token"]
    return server_sessions(live_server, token)


def block_session_posts(context) -> list[bool]:
    """Fail every POST /api/sessions (the worker's too) as a dead connection would, while the returned list is not
    empty."""
    blocked = [True]

    def handle(route):
        """Abort the POST while blocked; let everything else through."""
        if blocked and route.request.method == "POST":
            return route.abort()
        return route.fallback()

    context.route("**/api/sessions", handle)
    return blocked


def test_a_session_queued_before_its_token_was_refused_waits_for_its_account_never_the_next(page, context, live_server):
    """A's offline session outlives A's revoked token: B never sees, counts or sends it; A's next sign-in sends it
    once."""
    email_a, email_b = new_email(), new_email()
    token_a = sign_up(page, email_a)
    context.set_offline(True)
    log_past_session(page, "66", "77")
    expect(page.locator("#net")).to_contain_text("1 waiting to send")
    assert live_server.api("POST", "/auth/logout", token_a).status_code == 204  # signed out from another device
    context.set_offline(False)
    page.reload()  # the app's first read is refused: back to sign-in
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    notice = f"1 session from a…@{email_a.split('@')[1]} waits to be sent: sign in as that account to send it."
    expect(page.locator("#waiting p")).to_have_text(notice)
    expect(page.locator("#net")).not_to_contain_text("waiting")

    token_b = sign_up(page, email_b)
    expect(page.locator("#today-total")).to_have_text("0 mL")
    expect(page.locator("#same-again")).to_have_count(0)
    expect(page.locator("#net")).not_to_contain_text("waiting")
    assert page.evaluate(OUTBOX) == []
    assert page.evaluate("self.PumpwellOutbox.flush({force: true}).then((r) => r.sent)") == []
    cdp = context.new_cdp_session(page)
    cdp.send("ServiceWorker.dispatchSyncEvent", {
        "origin": live_server.url, "registrationId": registration_id(page, live_server, cdp), "tag": "outbox",
        "lastChance": False,
    })
    page.wait_for_timeout(1000)  # time for the worker's flush, which must send nothing of A's with B's token
    assert len(page.evaluate(EVERY_ACCOUNT)) == 1
    assert server_sessions(live_server, token_b) == []
    assert sessions_of(live_server, email_a) == []

    sign_out(page)
    expect(page.locator("#waiting p")).to_have_text(notice)
    sign_in(page, email_a)
    expect(page.locator("#toast")).to_contain_text("1 saved session sent.")
    expect(page.locator("#today-total")).to_have_text("143 mL")
    wait_until(page, f"{EVERY_ACCOUNT}.then((items) => items.length === 0)")
    page.reload()
    expect(page.locator("#today-total")).to_have_text("143 mL")
    [session] = sessions_of(live_server, email_a)
    assert (session["left_ml"], session["right_ml"]) == (66, 77)
    assert sessions_of(live_server, email_b) == []


def test_a_running_timer_stays_with_the_account_that_started_it(page, live_server):
    """A's timer does not run on B's Today; A finds it after signing in again, and Stop saves into A's account."""
    page.clock.install(time=datetime.now(UTC) - timedelta(minutes=30))
    email_a, email_b = new_email(), new_email()
    sign_up(page, email_a)
    page.get_by_role("button", name="Start", exact=True).click()
    expect(page.get_by_text("Pumping since")).to_be_visible()
    sign_out(page)

    sign_up(page, email_b)
    expect(page.get_by_role("button", name="Start", exact=True)).to_be_visible()
    expect(page.get_by_text("Pumping since")).to_have_count(0)
    assert page.evaluate(f"localStorage.getItem({account_key('timer')})") is None
    sign_out(page)

    sign_in(page, email_a)
    expect(page.get_by_text("Pumping since")).to_be_visible()
    page.clock.fast_forward("20:00")
    page.get_by_role("button", name="Stop").click()
    dialog = page.get_by_role("dialog", name="How much did you pump?")
    dialog.get_by_label("Left (mL)").fill("50")
    dialog.get_by_role("button", name="Save session").click()
    expect(page.locator("#toast")).to_contain_text("Session saved.")
    [session] = sessions_of(live_server, email_a)
    assert session["left_ml"] == 50
    assert sessions_of(live_server, email_b) == []


def test_sign_out_offers_to_send_first_and_says_how_it_went(page, context, live_server):
    """Send first without a connection says why and asks again; with one it sends, then signs out."""
    page.clock.install()
    email = new_email()
    sign_up(page, email)
    blocked = block_session_posts(context)
    log_past_session(page, "30", "40")
    # From here no retry timer fires: only Send first sends.
    page.clock.pause_at(datetime.now(UTC) + timedelta(seconds=1))
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="Sign out").click()
    dialog = page.get_by_role("dialog", name="Sign out?")
    expect(dialog).to_contain_text("1 session from this phone has not reached the server yet.")
    expect(dialog).to_contain_text("Sign out anyway and it stays on this phone under your account")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    expect(page.get_by_role("heading", name="Account", exact=True)).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    dialog.get_by_role("button", name="Send first").click()
    expect(dialog.get_by_role("status")).to_have_text("1 session could not be sent: No connection.")
    assert sessions_of(live_server, email) == []
    blocked.clear()
    dialog.get_by_role("button", name="Send first").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.locator("#toast")).to_have_text("1 sent. Signed out.")
    expect(page.locator("#waiting")).to_be_hidden()
    [session] = sessions_of(live_server, email)
    assert (session["left_ml"], session["right_ml"]) == (30, 40)


def test_sign_out_anyway_keeps_the_session_for_its_account_and_the_next_sign_in_sends_it(page, context, live_server):
    """Sign out anyway loses nothing: the session waits under A (named on the sign-in screen) and goes when A
    returns."""
    email = new_email()
    sign_up(page, email)
    blocked = block_session_posts(context)
    log_past_session(page, "20", "25")
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("dialog", name="Sign out?").get_by_role("button", name="Sign out anyway").click()
    expect(page.locator("#waiting")).to_contain_text(re.compile(r"1 session from a…@example\.org waits to be sent"))
    blocked.clear()
    page.wait_for_timeout(3000)  # the page's retry timer fires meanwhile: signed out, it sends nothing
    assert sessions_of(live_server, email) == []
    sign_in(page, email)
    expect(page.locator("#today-total")).to_have_text("45 mL")
    wait_until(page, f"{EVERY_ACCOUNT}.then((items) => items.length === 0)")
    [session] = sessions_of(live_server, email)
    assert (session["left_ml"], session["right_ml"]) == (20, 25)


def test_the_sign_in_screen_discards_an_accounts_waiting_sessions_only_after_asking(page, live_server):
    """Discard on the sign-in screen asks first; confirmed, the sessions are gone and the account's next sign-in sends
    nothing."""
    email = new_email()
    sign_up(page, email)
    page.evaluate("(item) => self.PumpwellOutbox.enqueue({id: item.id, method: 'POST', path: '/sessions', body: item})",
                  past_session(5000))
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("dialog", name="Sign out?").get_by_role("button", name="Sign out anyway").click()
    notice = page.locator("#waiting")
    notice.get_by_role("button", name="Discard").click()
    page.get_by_role("dialog", name="Discard them?").get_by_role("button", name="Cancel").click()
    expect(notice).to_contain_text("1 session from a…@example.org waits")
    assert len(page.evaluate(EVERY_ACCOUNT)) == 1
    notice.get_by_role("button", name="Discard").click()
    page.get_by_role("dialog", name="Discard them?").get_by_role("button", name="Discard").click()
    expect(notice).to_be_hidden()
    assert page.evaluate(EVERY_ACCOUNT) == []
    sign_in(page, email)
    expect(page.locator("#today-total")).to_have_text("0 mL")
    assert sessions_of(live_server, email) == []


def test_a_phone_updated_while_signed_in_gives_the_old_queue_and_timer_to_that_account(page, live_server):
    """The previous release kept one unscoped outbox, token and timer: the account signed in at the update takes
    them."""
    email = new_email()
    token = live_server.api("POST", "/auth/register", json={"email": email, "password": PASSWORD}).json["token"]
    item = past_session(40)
    started = (datetime.now(UTC) - timedelta(minutes=10)).isoformat()
    page.goto("/manifest.webmanifest")  # the app's origin, without the app running yet
    page.evaluate(V1_DATABASE, item)
    page.evaluate("""([token, timer]) => {
        localStorage.setItem('pumpwell.token', token);
        localStorage.setItem('pumpwell.timer', timer);
    }""", [token, json.dumps({"started_at": started})])
    page.goto("/")
    expect(page.get_by_text("Pumping since")).to_be_visible()
    wait_until(page, f"{EVERY_ACCOUNT}.then((items) => items.length === 0)")
    assert [s["id"] for s in server_sessions(live_server, token)] == [item["id"]]
    assert page.evaluate("localStorage.getItem('pumpwell.timer')") is None
    assert json.loads(page.evaluate(f"localStorage.getItem({account_key('timer')})")) == {"started_at": started}
