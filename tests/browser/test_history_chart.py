"""History's chart reads on a small phone: its labels, scaled with the drawing, are 14 px or more and apart."""

import pytest
from playwright.sync_api import expect

from tests.browser.chart_text import RENDERED_TEXT, assert_labels_inside_and_apart
from tests.browser.conftest import log_past_session


@pytest.mark.parametrize("width", [320, 360, 412])
def test_history_chart_labels_render_at_14_px_or_more_without_overlap(signed_in, live_server, width):
    page, token = signed_in
    live_server.api("PUT", "/goals", token, json={
        "daily_volume_ml": 1000, "sessions_per_day": 8, "max_gap_day_min": 180, "max_gap_night_min": 300,
        "night_start": "22:00", "night_end": "06:00"})
    log_past_session(page, "600", "500")
    page.set_viewport_size({"width": width, "height": 700})
    page.goto("/#/history")
    expect(page.locator(".chart svg")).to_be_visible()
    labels = [t for t in page.evaluate(RENDERED_TEXT) if t["box"]]
    assert len(labels) == 8 and any(t["text"].startswith("goal") for t in labels), labels
    assert [t for t in labels if t["px"] < 14] == []
    assert_labels_inside_and_apart(labels, page.locator(".chart svg").bounding_box())
