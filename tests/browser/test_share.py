"""The consultant's link: made and revoked in Settings, opened with no account, with chart, tables and CSV."""

import csv
import io
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.chart_text import RENDERED_TEXT, assert_labels_inside_and_apart
from tests.browser.conftest import log_past_session, new_phone


def test_a_share_link_from_settings_opens_without_an_account_and_downloads_csv(signed_in, browser, live_server):
    """Create a link, open it in a fresh context with no token, see chart and tables, download sessions.csv."""
    page, _ = signed_in
    log_past_session(page, "60", "70")
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="New link").click()
    page.get_by_label("Who is it for?").fill("Dr. Ana, IBCLC")
    page.get_by_role("button", name="Create link").click()
    url = page.locator("#share-url").inner_text()
    expect(page.locator("#share-list")).to_contain_text("Dr. Ana, IBCLC")

    consultant = new_phone(browser, live_server)
    try:
        share = consultant.new_page()
        response = share.goto(url)
        assert response.status == 200
        assert share.evaluate("localStorage.getItem('pumpwell.token')") is None
        expect(share.locator("svg[role=img]")).to_be_visible()
        expect(share.get_by_role("table")).to_have_count(2)
        expect(share.get_by_role("table").last).to_contain_text("130")
        with share.expect_download() as info:
            share.get_by_role("link", name="Sessions (CSV)").click()
        download = info.value
        assert download.suggested_filename.endswith(".csv")
        rows = list(csv.reader(io.StringIO(open(download.path(), encoding="utf-8-sig").read())))
        assert len(rows) == 2  # the header and the one session
        header, session = rows
        assert "130" in session[[i for i, name in enumerate(header) if "total" in name.lower()][0]]
    finally:
        consultant.close()

    page.get_by_role("button", name="Revoke Dr. Ana, IBCLC").click()
    page.get_by_role("dialog", name="Revoke link?").get_by_role("button", name="Revoke").click()
    expect(page.locator("#share-list")).to_contain_text("revoked")
    assert page.request.get(url).status == 404


def share_url(live_server, token) -> str:
    """A fresh share link of this account, made through the API."""
    response = live_server.api("POST", "/shares", token, json={"label": "Dr. Ana", "expires_in_days": 14})
    assert response.status_code == 201, response.json
    return live_server.url + urlsplit(response.json["url"]).path


SMALLEST_TEXT = """() => Math.min(...[...document.body.querySelectorAll('*')]
  .filter((el) => !el.closest('svg') && el.offsetParent !== null
    && [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()))
  .map((el) => parseFloat(getComputedStyle(el).fontSize)))"""


def test_the_consultants_page_fits_a_phone_with_legible_text(signed_in, browser, live_server):
    """At 320 px wide nothing scrolls sideways (rows are cards) and no text is under 14 px."""
    page, token = signed_in
    log_past_session(page, "60", "70")
    url = share_url(live_server, token)
    consultant = new_phone(browser, live_server)
    try:
        share = consultant.new_page()
        share.set_viewport_size({"width": 320, "height": 568})
        share.goto(url)
        assert share.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        for table in share.get_by_role("table").all():
            assert table.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth")
        expect(share.get_by_role("table").first).to_contain_text("Right")
        assert share.evaluate(SMALLEST_TEXT) >= 14
    finally:
        consultant.close()


def test_the_printed_page_fills_the_paper_and_keeps_volumes_on_one_line(signed_in, browser, live_server):
    """In print (A4 landscape, 10 mm margins), the chart and tables span the page and "0 mL" never wraps."""
    page, token = signed_in
    log_past_session(page, "0", "70")
    url = share_url(live_server, token)
    consultant = new_phone(browser, live_server)
    try:
        share = consultant.new_page()
        # 297 - 2 x 10 mm at 96 dpi.
        share.set_viewport_size({"width": 1047, "height": 718})
        share.emulate_media(media="print")
        share.goto(url)
        width = share.evaluate("document.body.clientWidth")
        assert share.locator("svg.chart").bounding_box()["width"] >= 0.95 * width
        for table in share.get_by_role("table").all():
            assert table.bounding_box()["width"] >= 0.95 * width
        cell = share.get_by_role("table").last.locator("td", has_text="0 mL").first
        line = share.evaluate("parseFloat(getComputedStyle(document.querySelector('td')).lineHeight) || 20")
        assert cell.bounding_box()["height"] < 2 * line
    finally:
        consultant.close()


@pytest.mark.parametrize("width", [320, 360, 412, 1024])
def test_every_text_on_the_consultants_page_renders_at_14_px_or_more(signed_in, browser, live_server, width):
    """On phones and a desk, the chart's labels (scaled with their drawing) and every other text are 14 px or more,
    and the labels stay inside the drawing without covering one another."""
    page, token = signed_in
    log_past_session(page, "600", "500")
    live_server.api("PUT", "/goals", token, json={
        "daily_volume_ml": 1000, "sessions_per_day": 8, "max_gap_day_min": 180, "max_gap_night_min": 300,
        "night_start": "22:00", "night_end": "06:00"})
    url = share_url(live_server, token)
    consultant = new_phone(browser, live_server)
    try:
        share = consultant.new_page()
        share.set_viewport_size({"width": width, "height": 740})
        share.goto(url)
        texts = share.evaluate(RENDERED_TEXT)
        labels = [t for t in texts if t["box"]]
        assert any(t["text"] == "1000 mL" for t in labels) and any(t["text"] == "Goal 1000 mL" for t in labels)
        assert [t for t in texts if t["px"] < 14] == []
        assert_labels_inside_and_apart(labels, share.locator("svg.chart").bounding_box())
        assert share.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        consultant.close()
