"""A real server on a free port and Debian's Chromium at phone size, for the browser tests."""

import logging
import os
import re
import threading
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

from server import create_app
from server.models import Base
from tests.conftest import PASSWORD, TEST_CONFIG

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PHONE = {"width": 360, "height": 740}
# As long as an action may take (new_phone): on a CI machine running the suite two at a time, a save through the
# outbox, a redraw or a toast can take longer than Playwright's 5 s, which measures the machine, not the app.
expect.set_options(timeout=10_000)

# One log line per request would bury the test output.
logging.getLogger("werkzeug").setLevel(logging.WARNING)


class LiveServer:
    """The app served by werkzeug in a thread, with its database at hand for checks."""

    def __init__(self, tmp: Path):
        """Create the app on a fresh SQLite file and start serving on 127.0.0.1."""
        self.app = create_app({**TEST_CONFIG, "DATABASE_URL": f"sqlite:///{tmp / 'browser.db'}"})
        self.app.instance_path = str(tmp)
        Base.metadata.create_all(self.app.extensions["engine"])
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def api(self, method: str, path: str, token: str | None = None, **kwargs):
        """Call the API in-process as a second client would, to check what the browser stored."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        with self.app.test_client() as client:
            return client.open(f"/api{path}", method=method, headers=headers, **kwargs)

    def stop(self):
        """Stop serving and release the database."""
        self.server.shutdown()
        self.app.extensions["engine"].dispose()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """One server for the whole browser run."""
    server = LiveServer(tmp_path_factory.mktemp("browser"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def playwright():
    """Playwright, checked to have Debian's Chromium; missing Chromium is a failure, never a skip."""
    assert os.access(CHROMIUM, os.X_OK), f"{CHROMIUM} is missing: install Debian's chromium (see .ci/run)"
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright):
    """Debian's Chromium, headless, shared by the tests (each gets its own context)."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


def new_phone(browser, live_server, color_scheme="light", locale="en-US"):
    """A fresh phone-sized browser context on the live server, its language `locale`."""
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
        color_scheme=color_scheme, locale=locale, timezone_id="UTC",
    )
    context.set_default_timeout(10_000)
    return context


def sized_page(browser, live_server, width: int = PHONE["width"], height: int = PHONE["height"], locale="en-US"):
    """Yield a page on a phone of this size and language, then fail the test if any script error happened on it."""
    context = new_phone(browser, live_server, locale=locale)
    page = context.new_page()
    page.set_viewport_size({"width": width, "height": height})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"script errors on the page: {errors}"


@pytest.fixture
def context(browser, live_server):
    """A fresh phone context per test, so storage never leaks between tests."""
    context = new_phone(browser, live_server)
    yield context
    context.close()


@pytest.fixture
def page(context):
    """A page in the phone context that fails the test on any script error."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    assert not errors, f"script errors on the page: {errors}"


def add_fingerprint_reader(context, page):
    """Give the page Chromium's virtual platform authenticator that verifies its user; return (devtools, its id).

    WebAuthn refuses an IP address as the site's id: such a page must be on http://localhost:<port>.
    """
    devtools = context.new_cdp_session(page)
    devtools.send("WebAuthn.enable", {"enableUI": False})
    authenticator = devtools.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True,
    }})["authenticatorId"]
    return devtools, authenticator


def sign_up(page, email: str | None = None) -> str:
    """Create an account through the UI and return its bearer token once Today shows."""
    page.goto("/#/signup")
    page.get_by_label("Email").fill(email or f"{uuid.uuid4().hex[:12]}@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("button", name="Start", exact=True).wait_for()
    return page.evaluate("localStorage.getItem('pumpwell.token')")


@pytest.fixture
def signed_in(page):
    """A page signed in as a new user, on Today; returns (page, token)."""
    return page, sign_up(page)


def log_past_session(page, left: str, right: str) -> None:
    """Log a past session through the Today screen's form."""
    page.get_by_role("button", name="Log a past session").click()
    dialog = page.get_by_role("dialog", name="Log a session")
    dialog.get_by_label("Left (mL)").fill(left)
    dialog.get_by_label("Right (mL)").fill(right)
    dialog.get_by_role("button", name="Save").click()
    dialog.wait_for(state="detached")
    # The toast comes once the outbox knows where the session went (stored, or kept on the phone).
    expect(page.locator("#toast")).to_contain_text(re.compile("Session saved|Saved on this phone"))


def ignore_form_limits(dialog) -> None:
    """Let the form send what it holds, as an app older than the server's limits would, so the server refuses it."""
    dialog.locator("form").evaluate("form => { form.noValidate = true; }")


def account_key(name: str) -> str:
    """A JS expression for the localStorage key of what the phone's current account keeps under `name`."""
    return f"`pumpwell.account.${{localStorage.getItem('pumpwell.account')}}.{name}`"


def wait_for_service_worker(page) -> None:
    """Wait until a service worker controls the page, in one awaited evaluate.

    wait_for_function would poll with eval, which the shell's Content-Security-Policy forbids.
    """
    page.evaluate("""async () => {
        await navigator.serviceWorker.ready;
        const sw = navigator.serviceWorker;
        if (!sw.controller) await new Promise((done) => sw.addEventListener('controllerchange', done));
    }""")


def wait_until(page, expression: str, timeout_ms: int = 10_000) -> None:
    """Evaluate an expression (awaiting a promise) until it is truthy; wait_for_function would not await it."""
    for _ in range(timeout_ms // 100):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"still false after {timeout_ms} ms: {expression}")
