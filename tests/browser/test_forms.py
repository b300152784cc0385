"""Every form opens full screen (or as a dialog) with its Save in view on a short phone, light or dark (issue 12)."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import new_phone, sign_up

# A small Android, an iPhone 13 with browser bars, a Pixel 7 / Galaxy S20 Ultra.
SIZES = {"360x568": (360, 568), "390x664": (390, 664), "412x915": (412, 915)}

# (screen link, button that opens the form, dialog name, its Save button)
FORMS = [
    ("Today", "Log a past session", "Log a session", "Save"),
    ("Settings", "Change units and time zone", "Units and time zone", "Save"),
    ("Settings", "Change goals", "Goals", "Save"),
    ("Settings", "Change quiet hours", "Quiet hours", "Save"),
    ("Settings", "New link", "New link for your consultant", "Create link"),
    ("Stash", "Add a container", "Add a container", "Add to stash"),
]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", list(SIZES))
def test_every_form_shows_its_save_without_scrolling(browser, live_server, size, scheme):
    """Each form's Save lies wholly inside the viewport as soon as the form opens, with the page unscrolled."""
    context = new_phone(browser, live_server, color_scheme=scheme)
    page = context.new_page()
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    try:
        sign_up(page)
        for screen, opener, name, save in FORMS:
            page.get_by_role("link", name=screen).click()
            page.get_by_role("button", name=opener, exact=True).click()
            dialog = page.get_by_role("dialog", name=name)
            button = dialog.get_by_role("button", name=save, exact=True)
            expect(button).to_be_visible()
            box = button.bounding_box()
            assert 0 <= box["y"] and box["y"] + box["height"] <= height, f"{name}: Save at {box} on {size}"
            assert 0 <= box["x"] and box["x"] + box["width"] <= width, f"{name}: Save at {box} on {size}"
            assert dialog.evaluate("d => d.scrollTop") == 0
            dialog.get_by_role("button", name="Cancel").click()
            expect(dialog).to_have_count(0)
    finally:
        context.close()


def test_a_refused_setting_shows_its_reason_beside_the_field_and_cancel_keeps_the_old_one(signed_in, live_server):
    """A goal the server refuses keeps the form open with the reason by its input; Cancel changes nothing."""
    page, token = signed_in
    before = live_server.api("GET", "/goals", token).json
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="Change goals").click()
    form = page.get_by_role("dialog", name="Goals")
    form.get_by_label("Daily volume (mL)").fill("6000")
    form.get_by_role("button", name="Save").click()
    volume = form.get_by_label("Daily volume (mL)")
    expect(volume).to_have_attribute("aria-invalid", "true")
    expect(form.locator(".field-error")).to_have_count(1)
    form.get_by_role("button", name="Cancel").click()
    expect(form).to_have_count(0)
    assert live_server.api("GET", "/goals", token).json == before


def test_a_saved_settings_form_closes_and_the_card_says_the_new_value(signed_in, live_server):
    """Save closes the form, says Saved, and the Goals card shows what the server now holds."""
    page, token = signed_in
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="Change goals").click()
    form = page.get_by_role("dialog", name="Goals")
    form.get_by_label("Sessions per day").fill("9")
    form.get_by_role("button", name="Save").click()
    expect(form).to_have_count(0)
    expect(page.locator("#toast")).to_contain_text("Saved.")
    expect(page.locator("#goals-summary")).to_contain_text("in 9 sessions")
    assert live_server.api("GET", "/goals", token).json["sessions_per_day"] == 9
