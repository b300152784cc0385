"""Settings on a phone: the display unit, the iOS install advice, and a clean update to a new app version."""

from playwright.sync_api import expect

from server import pwa
from tests.browser.conftest import PHONE, sign_up, wait_for_service_worker, wait_until

IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def test_in_ounces_the_stop_form_asks_oz_and_the_server_stores_ml(signed_in, live_server):
    """Switching to oz changes what the steppers mean; the API still receives millilitres."""
    page, token = signed_in
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="Change units and time zone").click()
    page.get_by_label("US fl oz").check()
    page.locator("#display").get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    page.get_by_role("link", name="Today").click()
    page.get_by_role("button", name="Log a past session").click()
    dialog = page.get_by_role("dialog", name="Log a session")
    dialog.get_by_label("Left (oz)").fill("2")
    dialog.get_by_role("button", name="More right").click()
    dialog.get_by_role("button", name="More right").click()
    expect(dialog.get_by_label("Right (oz)")).to_have_value("0.5")
    dialog.get_by_role("button", name="Save").click()
    expect(page.locator("#today-total")).to_have_text("2.5 oz")
    [session] = live_server.api("GET", "/sessions", token).json["items"]
    assert (session["left_ml"], session["right_ml"]) == (59.15, 14.79)


def test_iphone_safari_not_installed_explains_add_to_home_screen_before_reminders(browser, live_server):
    """On iOS push needs the installed app, so Settings shows the steps instead of a reminders switch."""
    context = browser.new_context(base_url=live_server.url, user_agent=IPHONE_SAFARI, viewport=PHONE)
    try:
        page = context.new_page()
        sign_up(page)
        page.get_by_role("link", name="Settings").click()
        expect(page.get_by_text('Choose "Add to Home Screen".')).to_be_visible()
        expect(page.get_by_role("button", name="Turn reminders on")).to_have_count(0)
    finally:
        context.close()


def test_a_new_version_waits_for_reload_then_replaces_the_old_cache(page, live_server, monkeypatch):
    """A deploy installs a new worker; the app offers Reload, and after it only the new cache is left."""
    page.goto("/")
    wait_for_service_worker(page)
    old = page.evaluate("caches.keys()")
    monkeypatch.setattr(pwa, "shell_version", lambda: "0123456789abcdef")
    page.evaluate("navigator.serviceWorker.ready.then(r => r.update())")
    with page.expect_navigation():  # the app reloads once the new worker has taken over
        page.get_by_role("button", name="Reload").click()
    wait_until(page, "caches.keys().then(k => k.length === 1 && k[0] === 'pumpwell-shell-0123456789abcdef')")
    assert old != ["pumpwell-shell-0123456789abcdef"]
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


# What the service worker reads, through the outbox code it shares with the page: the "kv" store's account token.
WORKER_TOKEN = "self.PumpwellOutbox.kvGet('account').then((account) => account?.token ?? null)"


def test_sign_out_forgets_the_token_for_the_page_and_the_service_worker(signed_in, live_server):
    """After Sign out the app shows Sign in, and neither storage keeps a token the old device could use."""
    page, token = signed_in
    assert page.evaluate(WORKER_TOKEN) == token
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert page.evaluate("localStorage.getItem('pumpwell.token')") is None
    assert page.evaluate(WORKER_TOKEN) is None
    assert live_server.api("GET", "/me", token).status_code == 401
