"""Every screen that shows a goal, a limit or a plan says it is not medical advice."""

from playwright.sync_api import expect


def test_goal_limit_and_plan_screens_carry_the_not_medical_advice_line(signed_in):
    page, _ = signed_in
    line = "not medical advice"
    expect(page.locator("#main .not-advice")).to_contain_text(line)  # Today
    page.get_by_role("button", name="Log a past session").click()
    dialog = page.get_by_role("dialog", name="Log a session")
    expect(dialog.locator(".not-advice")).to_contain_text(line)
    dialog.get_by_role("button", name="Cancel").click()
    for tab in ("History", "Settings"):
        page.get_by_role("link", name=tab).click()
        expect(page.locator("#main .not-advice")).to_contain_text(line)
    page.get_by_role("link", name="Plans").click()
    expect(page.locator("#main .notice")).to_contain_text(line)
