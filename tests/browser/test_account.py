"""Settings, Your data: download everything as a file, and delete the account after a password check."""

import json

from playwright.sync_api import expect

from tests.browser.conftest import log_past_session
from tests.conftest import PASSWORD


def test_download_all_my_data_saves_one_json_file_with_her_sessions(signed_in):
    page, _ = signed_in
    log_past_session(page, "60", "50")
    page.get_by_role("link", name="Settings").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download all my data").click()
    assert download.value.suggested_filename == "pumpwell-export.json"
    document = json.loads(open(download.value.path()).read())
    assert (document["format"], document["version"]) == ("pumpwell-export", 1)
    [session] = document["sessions"]
    assert (session["left_ml"], session["right_ml"]) == (60, 50)
    assert "password_hash" not in document["account"]


def test_delete_my_account_asks_the_password_then_signs_out_every_device(signed_in, live_server):
    page, token = signed_in
    email = live_server.api("GET", "/me", token).json["email"]
    other_device = live_server.api("POST", "/auth/login", json={"email": email, "password": PASSWORD}).json["token"]
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="Delete my account").click()
    dialog = page.get_by_role("dialog", name="Delete your account?")
    dialog.get_by_label("Your password").fill("not my password")
    dialog.get_by_role("button", name="Delete for good").click()
    expect(page.get_by_role("status").filter(has_text="Wrong password")).to_be_visible()
    assert live_server.api("GET", "/me", token).status_code == 200
    # A session still queued is the deleted account's: it goes with it, and the sign-in screen names nothing.
    page.evaluate("self.PumpwellOutbox.enqueue({id: crypto.randomUUID(), method: 'POST', path: '/sessions', body: {}})")
    dialog.get_by_label("Your password").fill(PASSWORD)
    dialog.get_by_role("button", name="Delete for good").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.locator("#waiting")).to_be_hidden()
    assert page.evaluate("self.PumpwellOutbox.allAccounts()") == []
    assert page.evaluate("localStorage.getItem('pumpwell.token')") is None
    for device in (token, other_device):
        assert live_server.api("GET", "/me", device).status_code == 401
