"""The consultant's link: made and revoked in Settings, opened with no account, with chart, tables and CSV."""

import csv
import io

from playwright.sync_api import expect

from tests.browser.conftest import log_past_session, new_phone


def test_a_share_link_from_settings_opens_without_an_account_and_downloads_csv(signed_in, browser, live_server):
    """Create a link, open it in a fresh context with no token, see chart and tables, download sessions.csv."""
    page, _ = signed_in
    log_past_session(page, "60", "70")
    page.get_by_role("link", name="Settings").click()
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
