"""Every screen reads as words: no JavaScript value (null, undefined, NaN) leaks into what the parent sees."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_past_session

LEAKED = re.compile(r"\b(null|undefined|NaN|\[object Object\])\b")


@pytest.mark.parametrize("route", ["today", "history", "plans", "stash", "settings", "reminders", "import"])
def test_no_screen_shows_a_raw_javascript_value(signed_in, route):
    page, _ = signed_in
    log_past_session(page, "33", "41")
    page.goto(f"{page.url.split('#')[0]}#/{route}")
    main = page.locator("#main")
    # Wait until the screen has drawn real content, not its loading skeleton.
    expect(main.locator("h2, h1").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    text = main.inner_text()
    assert not LEAKED.search(text), f"#/{route} shows {LEAKED.search(text).group(0)!r}: {text[:300]!r}"
