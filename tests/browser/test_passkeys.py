"""Passkeys on a phone: Chromium's virtual authenticator (DevTools protocol) adds one in Settings and signs in with it.

WebAuthn refuses an IP address as the site's id, so these pages open the live server as http://localhost:<port>
(a secure context, like https).
"""

import uuid
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import add_fingerprint_reader, new_phone, sign_up
from tests.conftest import PASSWORD

# Older browsers have no parse*OptionsFromJSON nor toJSON: the app's own converters stand in.
WITHOUT_JSON_HELPERS = """
    delete PublicKeyCredential.parseCreationOptionsFromJSON;
    delete PublicKeyCredential.parseRequestOptionsFromJSON;
    delete PublicKeyCredential.prototype.toJSON;
"""


@pytest.fixture(params=["browser's JSON helpers", "app's converters"])
def phone(request, browser, live_server):
    """A phone page on http://localhost:<port> with a platform authenticator that verifies its user (a fingerprint)."""
    context = new_phone(browser, SimpleNamespace(url=live_server.url.replace("127.0.0.1", "localhost")))
    if request.param == "app's converters":
        context.add_init_script(WITHOUT_JSON_HELPERS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    devtools, authenticator = add_fingerprint_reader(context, page)
    yield SimpleNamespace(page=page, credentials=lambda: devtools.send(
        "WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"])
    context.close()
    assert not errors, f"script errors on the page: {errors}"


def sign_out(page) -> None:
    """Sign out from Settings and wait for the sign-in screen."""
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_add_a_passkey_in_settings_then_sign_in_with_it_and_passwords_keep_working(phone, live_server):
    page = phone.page
    email = f"{uuid.uuid4().hex[:12]}@example.com"
    first_token = sign_up(page, email)
    page.get_by_role("link", name="Settings").click()
    card = page.get_by_role("region", name="Passkeys")
    expect(card.get_by_text("No passkeys yet.")).to_be_visible()
    card.get_by_role("button", name="Add a passkey").click()
    expect(page.locator("#toast")).to_contain_text("Passkey added.")
    expect(card.get_by_role("button", name="Remove Browser")).to_be_visible()
    expect(card.get_by_text("not used yet")).to_be_visible()
    [credential] = phone.credentials()
    assert credential["isResidentCredential"] and credential["rpId"] == "localhost"

    sign_out(page)
    page.get_by_role("button", name="Sign in with a passkey").click()
    page.get_by_role("button", name="Start", exact=True).wait_for()
    token = page.evaluate("localStorage.getItem('pumpwell.token')")
    assert token and token != first_token
    assert live_server.api("GET", "/me", token).json["email"] == email
    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("region", name="Passkeys").get_by_text("last used")).to_be_visible()

    sign_out(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("button", name="Start", exact=True).wait_for()


def test_a_removed_passkey_no_longer_signs_in_and_says_so(phone):
    page = phone.page
    sign_up(page)
    page.get_by_role("link", name="Settings").click()
    card = page.get_by_role("region", name="Passkeys")
    card.get_by_role("button", name="Add a passkey").click()
    card.get_by_role("button", name="Remove Browser").click()
    page.get_by_role("dialog", name="Remove passkey?").get_by_role("button", name="Remove").click()
    expect(card.get_by_text("No passkeys yet.")).to_be_visible()
    sign_out(page)
    # The phone still holds the passkey; the server no longer knows it.
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page.get_by_role("alert")).to_have_text("This passkey could not sign you in.")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_without_passkeys_in_the_browser_the_buttons_are_not_offered(browser, live_server):
    context = new_phone(browser, SimpleNamespace(url=live_server.url.replace("127.0.0.1", "localhost")))
    context.add_init_script("delete window.PublicKeyCredential")
    page = context.new_page()
    sign_up(page)
    page.get_by_role("link", name="Settings").click()
    card = page.get_by_role("region", name="Passkeys")
    expect(card.get_by_text("This browser cannot use passkeys.")).to_be_visible()
    expect(card.get_by_role("button", name="Add a passkey")).to_have_count(0)
    sign_out(page)
    expect(page.get_by_role("button", name="Sign in with a passkey")).to_have_count(0)
    context.close()
