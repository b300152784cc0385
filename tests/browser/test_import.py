"""Bring your data on a phone: a Huckleberry export previewed (its numbers and a line it cannot read), imported and
seen in History; the same file again is all there already. Baby Buddy's export in oz and its server, and a Pumpwell
export with a container, come in too; refusals and no connection are said. The screen reads at 320 px, at 200% text,
light and dark."""

import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from server.services.import_sources import register_sources
from tests.browser.conftest import new_phone, sign_up
from tests.browser.test_accessibility import serious_violations
from tests.conftest import PASSWORD
from tests.imports.test_babybuddy_api import TOKEN, address, entry, stand_in

HUCKLEBERRY = Path(__file__).parents[1] / "imports" / "fixtures" / "huckleberry.csv"


@pytest.fixture
def export(tmp_path) -> Path:
    """Huckleberry's export with one more pump row whose start is not a date (line 11)."""
    path = tmp_path / "huckleberry.csv"
    path.write_bytes(HUCKLEBERRY.read_bytes() + b"Pump,last Tuesday,,,10ml,,10ml,,\n")
    return path


def open_import(page):
    """Open Settings, then Bring your data, and choose Huckleberry."""
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Bring your data").click()
    page.get_by_label("Huckleberry").check()


def preview(page, path: Path):
    """Pick the file, preview it, and return the preview."""
    page.get_by_label("File", exact=True).set_input_files(path)
    page.get_by_role("button", name="Preview").click()
    region = page.get_by_role("region", name="What this file holds")
    expect(region).to_be_visible()
    return region


def test_a_huckleberry_export_is_previewed_imported_and_shown_in_history(signed_in, export):
    page, _ = signed_in
    open_import(page)
    expect(page.get_by_label("Times in the file are in")).to_have_value("UTC")

    found = preview(page, export)

    expect(found.locator("#import-sessions")).to_have_text(
        "4 sessions in the file (Sat, Sep 26, 2026 to Mon, Sep 28, 2026).")
    expect(found.locator("#import-present")).to_have_text("None of them is here yet.")
    expect(found.locator("#import-unreadable")).to_contain_text("1 line cannot be read")
    expect(found.locator("#import-unreadable li")).to_have_text(
        ["Line 11: The start time 'last Tuesday' is not a date and time like 2026-09-28 06:35."])
    found.get_by_role("button", name="Import 4 sessions").click()
    expect(page.locator("#import-done")).to_contain_text("Imported 4 sessions.")
    page.get_by_role("link", name="See History").click()
    expect(page.locator("#history-list > li")).to_have_count(4)
    expect(page.locator("#history-list")).to_contain_text("115 mL")  # 60 + 55, line 8

    open_import(page)
    again = preview(page, export)
    expect(again.locator("#import-present")).to_have_text("4 already here: they are skipped.")
    expect(again.locator("#import-nothing")).to_be_visible()
    expect(again.get_by_role("button", name="Import 4 sessions")).to_have_count(0)


def test_a_file_that_is_not_the_apps_export_is_refused_with_the_servers_reason(signed_in, tmp_path):
    page, _ = signed_in
    path = tmp_path / "notes.csv"
    path.write_text("Date,Amount\n2026-09-28,20\n")
    open_import(page)
    page.get_by_label("File", exact=True).set_input_files(path)
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("alert")).to_contain_text("This file cannot be imported")


def test_offline_nothing_is_sent_and_she_is_told(signed_in, context, export):
    page, _ = signed_in
    open_import(page)
    page.get_by_label("File", exact=True).set_input_files(export)
    context.set_offline(True)
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("alert")).to_contain_text("You are offline")
    context.set_offline(False)


def test_a_slow_upload_shows_how_much_has_gone_then_that_the_server_reads(signed_in, context, tmp_path):
    page, _ = signed_in
    path = tmp_path / "huckleberry.csv"
    rows = (f"Pump,2024-01-{1 + n % 28:02d} {n % 24:02d}:{n % 60:02d},,0:18,{40 + n % 50}ml,,30ml,,\r\n"
            for n in range(12_000))
    path.write_text(HUCKLEBERRY.read_text().splitlines()[0] + "\r\n" + "".join(rows))
    open_import(page)
    page.get_by_label("File", exact=True).set_input_files(path)
    # About 0.6 MB at 200 KB/s: three seconds of upload.
    cdp = context.new_cdp_session(page)
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 20, "downloadThroughput": -1,
                                                  "uploadThroughput": 200_000})

    page.get_by_role("button", name="Preview").click()

    expect(page.locator("#import-progress-text")).to_have_text(re.compile(r"Sending the file… [1-9]\d?%"))
    assert 0 < float(page.locator("#import-progress").get_attribute("value")) < 100
    expect(page.get_by_role("button", name="Preview")).to_be_disabled()
    expect(page.get_by_role("region", name="What this file holds")).to_be_visible(timeout=30_000)


def test_an_import_that_cannot_be_sent_keeps_the_preview_to_try_again(signed_in, context, export):
    page, _ = signed_in
    open_import(page)
    found = preview(page, export)
    context.set_offline(True)

    found.get_by_role("button", name="Import 4 sessions").click()

    expect(page.get_by_role("alert")).to_contain_text("You are offline")
    context.set_offline(False)
    found.get_by_role("button", name="Import 4 sessions").click()
    expect(page.locator("#import-done")).to_contain_text("Imported 4 sessions.")
    expect(page.get_by_role("alert")).to_have_count(0)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_screen_fits_320_px_at_200_percent_text_and_passes_axe(browser, live_server, export, scheme):
    context = new_phone(browser, live_server, color_scheme=scheme)
    page = context.new_page()
    try:
        sign_up(page)
        page.set_viewport_size({"width": 320, "height": 640})
        open_import(page)
        preview(page, export)
        assert serious_violations(page) == []
        page.evaluate("document.documentElement.style.fontSize = '200%'; document.body.style.fontSize = '34px'")
        overflow = page.evaluate("document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth")
        assert overflow <= 0
        page.get_by_role("button", name="Choose another file").click()
        page.get_by_label("Baby Buddy", exact=True).check()
        expect(page.get_by_text("Amounts in the file are in")).to_be_visible()
        page.get_by_label("Server", exact=True).check()
        expect(page.get_by_label("API key")).to_be_visible()
        assert serious_violations(page) == []
    finally:
        context.close()


def test_a_baby_buddy_export_in_ounces_is_imported_in_the_unit_she_names(signed_in):
    page, _ = signed_in
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Bring your data").click()
    page.get_by_label("Baby Buddy", exact=True).check()
    page.get_by_label("US fl oz").check()

    found = preview(page, HUCKLEBERRY.parent / "babybuddy_pumping.csv")

    expect(found.locator("#import-sessions")).to_contain_text("2 sessions in the file")
    # Its first entry, 120.5 oz, is more than a pump collects.
    expect(found.locator("#import-unreadable li")).to_have_count(1)
    found.get_by_role("button", name="Import 2 sessions").click()
    page.get_by_role("link", name="See History").click()
    expect(page.locator("#history-list")).to_contain_text("266 mL")  # 9 oz


def test_a_pumpwell_export_previews_its_plans_and_containers_and_brings_them(signed_in, live_server, tmp_path):
    page, token = signed_in
    other = live_server.api("POST", "/auth/register", json={"email": f"{uuid.uuid4().hex[:12]}@example.com",
                                                            "password": PASSWORD}).json["token"]
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
    live_server.api("POST", "/sessions", other, json={"started_at": start.isoformat(), "duration_min": 15,
                                                      "left_ml": 50, "right_ml": 45})
    live_server.api("POST", "/stash", other, json={"volume": 95, "location": "fridge", "label": "Bag 1",
                                                   "expressed_at": start.isoformat()})
    path = tmp_path / "pumpwell-export.json"
    path.write_bytes(live_server.api("GET", "/account/export", other).get_data())
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Bring your data").click()

    found = preview(page, path)

    expect(found).to_contain_text("1 session in the file")
    expect(found).to_contain_text("1 stash container, 0 already here.")
    found.get_by_role("button", name="Import 1 session").click()
    expect(page.locator("#import-done")).to_contain_text("1 stash container added.")
    assert len(live_server.api("GET", "/stash", token).json["items"]) == 1


@pytest.fixture
def babybuddy():
    """A Baby Buddy stand-in on loopback with two entries, which this process's imports may visit meanwhile."""
    httpd = stand_in()
    httpd.entries = [entry(2), entry(1)]
    register_sources(allow_private_hosts=True)
    yield httpd
    register_sources()
    httpd.shutdown()
    httpd.server_close()


def test_a_baby_buddy_server_is_read_with_her_api_key_and_the_key_is_kept_nowhere(signed_in, live_server, babybuddy):
    page, token = signed_in
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Bring your data").click()
    page.get_by_label("Baby Buddy", exact=True).check()
    page.get_by_label("Server", exact=True).check()
    page.get_by_label("Baby Buddy address").fill(address(babybuddy))
    page.get_by_label("API key").fill(TOKEN)
    page.get_by_role("button", name="Preview").click()

    found = page.get_by_role("region", name="What this file holds")
    expect(found.locator("#import-sessions")).to_contain_text("2 sessions in the file")
    found.get_by_role("button", name="Import 2 sessions").click()
    expect(page.locator("#import-done")).to_contain_text("Imported 2 sessions.")
    assert babybuddy.requests == ["/api/pumping/?limit=500"] * 2
    assert TOKEN not in live_server.api("GET", "/account/export", token).get_data(as_text=True)
    assert TOKEN not in page.evaluate("JSON.stringify(localStorage)")
