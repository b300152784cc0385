"""Chromium itself judges the app installable, and the shell honours the CSP."""

from playwright.sync_api import expect

from server import bundle
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, sign_up, wait_for_service_worker


def test_chromium_reports_no_installability_errors(playwright, live_server, tmp_path):
    """Manifest, icons and a fetch-handling service worker at scope / satisfy Chromium's install checks."""
    # Incognito contexts are never installable, so this one test uses a real profile.
    context = playwright.chromium.launch_persistent_context(
        tmp_path / "profile", executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
        base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True,
    )
    try:
        page = context.pages[0]
        page.goto("/")
        wait_for_service_worker(page)
        cdp = context.new_cdp_session(page)
        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
        assert not cdp.send("Page.getAppManifest").get("errors")
    finally:
        context.close()


def test_the_manifest_offers_the_two_shortcuts_and_a_maskable_icon(page, live_server):
    """The home-screen icon can be masked and long-press offers Log a session and Start a power hour."""
    response = page.request.get("/manifest.webmanifest")
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = response.json()
    assert (manifest["display"], manifest["scope"]) == ("standalone", "/")
    assert [s["name"] for s in manifest["shortcuts"]] == ["Log a session", "Start a power hour"]
    assert {"192x192", "512x512"} <= {icon["sizes"] for icon in manifest["icons"]}
    assert any(icon["purpose"] == "maskable" for icon in manifest["icons"])
    for icon in manifest["icons"]:
        assert page.request.get(icon["src"]).headers["content-type"] == "image/png"


def test_the_page_runs_under_a_csp_without_inline_script(page, live_server):
    """The shell's CSP forbids inline script, and the app still renders under it."""
    violations = []
    page.on("console", lambda msg: "Content Security Policy" in msg.text and violations.append(msg.text))
    response = page.goto("/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert violations == []


def test_home_screen_shortcuts_open_the_log_form_and_the_power_hour(signed_in):
    """The manifest's shortcut URLs land on the session form and on the power hour's set-up."""
    page, _ = signed_in
    log, power_hour = (s["url"] for s in page.request.get("/manifest.webmanifest").json()["shortcuts"])
    page.goto(log)
    expect(page.get_by_role("dialog", name="Log a session")).to_be_visible()
    page.keyboard.press("Escape")
    page.goto(power_hour)
    expect(page.locator("#tpl-power-hour").get_by_role("button", name="Preview times")).to_be_visible()


def test_without_a_bundle_the_app_runs_from_its_modules(page, live_server, tmp_path, monkeypatch):
    """A web process started before any bundle was made still serves a working app: the modules one by one."""
    monkeypatch.setattr(bundle, "BUNDLE", tmp_path / "no-bundle.js")
    loaded = []
    page.on("response", lambda response: loaded.append(response.url.removeprefix(live_server.url)))
    sign_up(page)
    expect(page.locator("#today-total")).to_be_visible()
    assert "/assets/bundle.js" in loaded and "/assets/js/app.js" in loaded
