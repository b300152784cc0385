"""Reminders that stop say so on the phone, renew themselves after a key change, and Settings lists every device."""

import json
import os
import uuid
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from playwright.sync_api import expect
from sqlalchemy import update
from sqlalchemy.orm import Session

from server.models import PushSubscription
from server.push import b64url_encode
from tests.browser.conftest import sign_up, wait_until
from tests.conftest import PASSWORD

# Headless Chromium has no push service to register with, so the page gets a PushManager that
# behaves like the browser's (one subscription per key, InvalidStateError for another key) and
# keeps its subscription in localStorage; everything after it (the API, the server) is real.
FAKE_PUSH_MANAGER = """(() => {
  const STORE = 'test.push';
  const keys = %s;
  const pad = (text) => text + '='.repeat((4 - (text.length %% 4)) %% 4);
  const decode = (text) => Uint8Array.from(
    atob(pad(text.replace(/-/g, '+').replace(/_/g, '/'))), (c) => c.charCodeAt(0));
  const encode = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
  const make = (state) => ({
    endpoint: state.endpoint,
    options: { userVisibleOnly: true, applicationServerKey: decode(state.key).buffer },
    toJSON: () => ({ endpoint: state.endpoint, expirationTime: null, keys }),
    unsubscribe: async () => { localStorage.removeItem(STORE); return true; },
  });
  const stored = () => JSON.parse(localStorage.getItem(STORE));
  PushManager.prototype.getSubscription = async function () { return stored() && make(stored()); };
  PushManager.prototype.subscribe = async function (options) {
    const key = encode(options.applicationServerKey);
    if (stored() && stored().key !== key) throw new DOMException('another key', 'InvalidStateError');
    const state = stored() || { endpoint: `${location.origin}/push-test/${crypto.randomUUID()}`, key };
    localStorage.setItem(STORE, JSON.stringify(state));
    return make(state);
  };
})();"""


def p256_public_key() -> str:
    """A fresh P-256 public key, base64url, as p256dh and VAPID keys are written."""
    point = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return b64url_encode(point)


@pytest.fixture
def phone(context, live_server):
    """A phone that allows notifications and has the stand-in PushManager."""
    context.grant_permissions(["notifications"], origin=live_server.url)
    keys = {"p256dh": p256_public_key(), "auth": b64url_encode(os.urandom(16))}
    context.add_init_script(FAKE_PUSH_MANAGER % json.dumps(keys))
    return keys


def subscriptions(live_server, token) -> list[dict]:
    """This account's subscriptions as the API lists them."""
    response = live_server.api("GET", "/push/subscriptions", token)
    assert response.status_code == 200
    return response.json["items"]


def change_subscription(live_server, subscription_id: int, **values) -> None:
    """Write a subscription's delivery columns as the clock would."""
    with Session(live_server.app.extensions["engine"]) as db:
        db.execute(update(PushSubscription).where(PushSubscription.id == subscription_id).values(**values))
        db.commit()


def turn_reminders_on(page) -> None:
    """Turn reminders on from Settings."""
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="Turn reminders on").click()
    expect(page.locator("#reminders-state")).to_have_text("Reminders are on for this phone.")


def test_stopped_reminders_show_on_the_phone_and_one_tap_turns_them_on_again(phone, page, live_server):
    """After the server stops this phone's subscription, the app says so on open; one tap subscribes again."""
    token = sign_up(page)
    turn_reminders_on(page)
    [old] = subscriptions(live_server, token)
    assert (old["state"], old["current_device"]) == ("active", True)
    change_subscription(live_server, old["id"], stopped_at=datetime.now(UTC), refusals=3,
                        stop_reason="The push service refused it 3 times (403).")
    page.goto("/#/today")
    page.reload()
    banner = page.get_by_role("region", name="Reminders")
    expect(banner).to_contain_text("Reminders stopped on this phone.")
    banner.get_by_role("button", name="Turn on again").click()
    expect(banner).to_be_hidden()
    [new] = subscriptions(live_server, token)
    assert (new["state"], new["current_device"]) == ("active", True)
    assert new["endpoint"] != old["endpoint"]
    page.reload()
    expect(page.get_by_text("Reminders are on again.")).to_have_count(0)
    expect(banner).to_be_hidden()


def test_a_subscription_made_with_another_server_key_is_renewed_on_the_next_open(phone, page, live_server):
    """The server's VAPID key changed since this phone subscribed: opening the app subscribes again by itself."""
    token = sign_up(page)
    old_endpoint = f"{live_server.url}/push-test/{uuid.uuid4()}"
    page.evaluate("(state) => localStorage.setItem('test.push', JSON.stringify(state))",
                  {"endpoint": old_endpoint, "key": p256_public_key()})
    saved = live_server.api("POST", "/push/subscriptions", token, json={"endpoint": old_endpoint, "keys": phone})
    assert saved.status_code == 201
    page.reload()
    server_key = live_server.api("GET", "/push/key").json["public_key"]
    wait_until(page, f"JSON.parse(localStorage.getItem('test.push'))?.key === '{server_key}'")
    for _ in range(100):  # the key is stored before the POST answers; the old one is deleted before both
        if [s["endpoint"] for s in subscriptions(live_server, token)] not in ([old_endpoint], []):
            break
        page.wait_for_timeout(100)
    [renewed] = subscriptions(live_server, token)
    assert (renewed["state"], renewed["current_device"]) == ("active", True)
    assert renewed["endpoint"] != old_endpoint
    expect(page.get_by_role("region", name="Reminders")).to_be_hidden()


def test_settings_lists_the_accounts_devices_with_state_and_last_reminder(phone, page, live_server):
    """This phone and a second device appear with their label, state, stop reason and last delivered reminder."""
    email = f"{uuid.uuid4().hex[:12]}@example.com"
    token = sign_up(page, email)
    turn_reminders_on(page)
    tablet = live_server.api("POST", "/auth/login", json={"email": email, "password": PASSWORD,
                                                          "device_label": "Partner's tablet"}).json["token"]
    tablet_sub = live_server.api("POST", "/push/subscriptions", tablet, json={
        "endpoint": f"{live_server.url}/push-test/{uuid.uuid4()}",
        "keys": {"p256dh": p256_public_key(), "auth": b64url_encode(os.urandom(16))},
    }).json
    mine = next(s for s in subscriptions(live_server, token) if s["current_device"])
    change_subscription(live_server, mine["id"], last_success_at=datetime(2026, 11, 20, 9, 30, tzinfo=UTC))
    change_subscription(live_server, tablet_sub["id"], stopped_at=datetime(2026, 11, 21, 8, 0, tzinfo=UTC),
                        stop_reason="The push service refused it 3 times (410).")
    page.reload()
    rows = page.locator("#device-list > li")
    expect(rows).to_have_count(2)
    this_phone = rows.filter(has_text="(this phone)")
    expect(this_phone).to_contain_text("on")
    expect(this_phone).to_contain_text("Last reminder delivered")
    expect(this_phone).to_contain_text("Nov 20")
    other = rows.filter(has_text="Partner's tablet")
    expect(other).to_contain_text("stopped")
    expect(other).to_contain_text("The push service refused it 3 times (410).")
    expect(other).to_contain_text("No reminder delivered yet")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert page.evaluate("localStorage.getItem('test.push')") is None  # the phone forgot it with the server
    assert [s["device_label"] for s in subscriptions(live_server, tablet)] == ["Partner's tablet"]
