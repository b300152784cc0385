"""Account and security on a phone: change the password, sign out another device, and a forgotten password
reset through a real SMTP server on loopback."""

import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_up
from tests.conftest import PASSWORD
from tests.smtpserver import reset_link, smtp_server, smtp_settings

NEW_PASSWORD = "a quiet night at last"


def open_security(page):
    """Open Settings and return its Account and security card."""
    page.get_by_role("link", name="Settings").click()
    card = page.get_by_role("region", name="Account and security")
    expect(card.get_by_text("Signed in on this phone")).to_be_visible()
    return card


def open_devices(page):
    """Open the signed-in devices from Settings and return the dialog."""
    open_security(page).get_by_role("button", name="Signed-in devices").click()
    dialog = page.get_by_role("dialog", name="Signed-in devices")
    expect(dialog.get_by_text("This phone", exact=True)).to_be_visible()
    return dialog


def sign_in(page, email: str, password: str) -> None:
    """Sign in through the sign-in screen."""
    page.goto("/#/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_change_password_then_sign_in_with_the_new_one(page, live_server):
    email = f"{uuid.uuid4().hex[:12]}@example.com"
    sign_up(page, email)
    tablet = live_server.api("POST", "/auth/login", json={"email": email, "password": PASSWORD}).json["token"]
    card = open_security(page)
    card.get_by_role("button", name="Change password").click()
    form = page.get_by_role("dialog", name="Change password")
    form.get_by_label("Current password").fill("not my password")
    form.get_by_label("New password").fill(NEW_PASSWORD)
    form.get_by_role("button", name="Change password").click()
    expect(form.get_by_text("Wrong password.")).to_be_visible()
    form.get_by_label("Current password").fill(PASSWORD)
    form.get_by_role("button", name="Change password").click()
    expect(page.locator("#toast")).to_contain_text("Password changed.")
    # The tablet was signed out (the box was not ticked); this phone stays signed in.
    assert live_server.api("GET", "/me", tablet).status_code == 401
    page.get_by_role("button", name="Sign out", exact=True).click()
    sign_in(page, email, NEW_PASSWORD)
    page.get_by_role("button", name="Start", exact=True).wait_for()


def test_sign_out_another_device_from_the_list(page, live_server):
    email = f"{uuid.uuid4().hex[:12]}@example.com"
    sign_up(page, email)
    body = {"email": email, "password": PASSWORD, "device_label": "Partner's tablet"}
    tablet = live_server.api("POST", "/auth/login", json=body).json["token"]
    card = open_security(page)
    expect(card).to_contain_text("Signed in on this phone and 1 other device.")
    dialog = open_devices(page)
    devices = dialog.locator("#signed-in-devices > li")
    expect(devices).to_have_count(2)
    expect(devices.filter(has_text="Partner's tablet")).to_contain_text("Signed in")
    dialog.get_by_role("button", name="Sign out Partner's tablet").click()
    expect(page.locator("#toast")).to_contain_text("Partner's tablet is signed out.")
    expect(devices).to_have_count(1)
    assert live_server.api("GET", "/me", tablet).status_code == 401
    dialog.get_by_role("button", name="Close").click()
    expect(card).to_contain_text("Signed in on this phone only.")


def test_sign_out_everywhere_asks_first(page, live_server):
    email = f"{uuid.uuid4().hex[:12]}@example.com"
    token = sign_up(page, email)
    open_devices(page).get_by_role("button", name="Sign out everywhere").click()
    page.get_by_role("dialog", name="Sign out everywhere?").get_by_role("button", name="Cancel").click()
    assert live_server.api("GET", "/me", token).status_code == 200
    page.get_by_role("button", name="Signed-in devices").click()
    page.get_by_role("dialog", name="Signed-in devices").get_by_role("button", name="Sign out everywhere").click()
    page.get_by_role("dialog", name="Sign out everywhere?").get_by_role("button", name="Sign out everywhere").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert live_server.api("GET", "/me", token).status_code == 401


@pytest.fixture
def inbox(live_server):
    """A real SMTP server on loopback that the live server sends through, for this test only."""
    config = live_server.app.config
    before = {name: config[name] for name in smtp_settings(0)}
    with smtp_server() as (inbox, port):
        config.update(smtp_settings(port, PUBLIC_URL=live_server.url))
        yield inbox
    config.update(before)


def test_forgot_password_by_e_mail_then_signed_in_with_the_new_one(page, browser, live_server, inbox):
    email = f"{uuid.uuid4().hex[:12]}@example.com"
    old = live_server.api("POST", "/auth/register", json={"email": email, "password": PASSWORD}).json["token"]
    page.goto("/#/signin")
    page.get_by_role("link", name="Forgot password?").click()
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("status").filter(has_text="If an account uses this address, we sent")).to_be_visible()
    link = reset_link(inbox.wait_for(1)[0])
    assert link.startswith(f"{live_server.url}/#/reset/")
    page.goto(link)
    page.get_by_label("New password").fill("password1")
    page.get_by_role("button", name="Save and sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("one of the most common ones")
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save and sign in").click()
    page.get_by_role("button", name="Start", exact=True).wait_for()
    expect(page.locator("#toast")).to_contain_text("New password saved.")
    assert live_server.api("GET", "/me", old).status_code == 401
    login = {"email": email, "password": NEW_PASSWORD}
    assert live_server.api("POST", "/auth/login", json=login).status_code == 200
    # The link worked once.
    page.goto(link)
    page.get_by_label("New password").fill("another fine night")
    page.get_by_role("button", name="Save and sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("expired or was used")
