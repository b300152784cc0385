"""Every screen that shows a goal, a limit or a plan says it is not medical advice; adaptations say so too."""

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


def test_a_boost_preview_at_another_interval_says_it_is_an_adaptation(signed_in):
    page, _ = signed_in
    page.get_by_role("link", name="Plans").click()
    card = page.locator("#tpl-frequent-boost")
    card.get_by_role("button", name="Choose Frequent pumping boost").click()
    card.get_by_label("Elapsed time from the start of one session to the next (min)").fill("90")
    card.get_by_role("button", name="Preview times").click()
    expect(card.locator(".preview .notice")).to_contain_text("adaptation: interval_min outside the source's figures")
