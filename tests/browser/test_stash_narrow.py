"""The stash on the narrowest phone in French, whose words are the longest of ours, and a refusal in French."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sized_page
from tests.browser.languages import sign_up

# Each card's count and each container's amount on one line, each button's words inside it, and nothing wider
# than the screen. A text's lines are counted from its words' boxes: a flex item is one box however many lines.
LAYOUT = """() => {
  const lines = (element) => {
    const range = document.createRange();
    range.selectNodeContents(element);
    return new Set([...range.getClientRects()].map((box) => Math.round(box.top))).size;
  };
  const totals = document.getElementById('stash-totals');
  return {
    counts: [...totals.querySelectorAll('.stat .count')].map((count) => [count.textContent, lines(count)]),
    buttons: [...document.querySelectorAll('#stash-list .item-actions .btn')]
      .filter((button) => button.scrollWidth > button.clientWidth).map((button) => button.textContent),
    overflows: [...totals.querySelectorAll('.stat')]
      .filter((card) => card.getBoundingClientRect().right > innerWidth).length,
    spills: [...totals.querySelectorAll('.stat .label > *, .stat .label')].filter((text) =>
      text.getBoundingClientRect().right > text.closest('.stat').getBoundingClientRect().right).length,
    amounts: [...document.querySelectorAll('#stash-list .item-head .total')].map(lines),
    pageWidth: document.documentElement.scrollWidth,
  };
}"""


@pytest.fixture
def phone(browser, live_server):
    """A 320 px phone in French."""
    yield from sized_page(browser, live_server, 320, 640, locale="fr-FR")


def test_each_place_shows_its_count_and_each_container_its_amount_whole_on_a_320_px_phone(phone, live_server):
    page = phone
    token = sign_up(page)
    expressed = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    for where, volume in (("fridge", 80), ("freezer", 120), ("room", 60), ("room", 30)):
        body = {"volume": volume, "location": where, "label": "Après travail", "expressed_at": expressed}
        assert live_server.api("POST", "/stash", token, json=body).status_code == 201
    page.goto("/#/stash")
    page.locator("#stash-totals .stat").first.wait_for()
    layout = page.evaluate(LAYOUT)
    # All, fridge, freezer, cooler, room temperature.
    assert [text for text, _ in layout["counts"]] == [
        "4 contenants", "1 contenant", "1 contenant", "0 contenant", "2 contenants"]
    assert all(lines == 1 for _, lines in layout["counts"]), layout
    assert layout["amounts"] == [1, 1, 1, 1], layout  # "60 mL" whole beside a name
    assert layout["buttons"] == [], layout  # "Supprimer" inside its button
    assert layout["overflows"] == 0 and layout["spills"] == 0 and layout["pageWidth"] <= 320, layout


def test_a_move_the_server_refuses_is_told_in_french(phone, live_server):
    """Thawed milk back to the freezer: the refusal the server words in her language is what the toast says."""
    page = phone
    token = sign_up(page)
    expressed = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    batch = live_server.api("POST", "/stash", token, json={
        "volume": 100, "location": "freezer", "label": "Sac C", "expressed_at": expressed}).json
    assert live_server.api("POST", f"/stash/{batch['id']}/move", token, json={"location": "fridge"}).status_code == 200
    page.goto("/#/stash")
    row = page.locator("#stash-list > li", has_text="Sac C")
    row.locator(".item-actions .btn").first.click()
    page.locator("dialog[open] #move-to").select_option("freezer")
    page.locator("dialog[open] button[type=submit]").click()
    expect(page.locator("#toast")).to_contain_text("ne retourne jamais au congélateur")
