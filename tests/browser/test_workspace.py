"""The consultant's workspace in the browser: on a laptop a sortable table, on a phone cards, flags in words and
icons; opening a client shows her log; a proposed plan reaches the parent's phone, which accepts it."""

import re

from playwright.sync_api import expect

from tests.browser.clients import seed_clients
from tests.browser.conftest import new_phone, sign_up
from tests.browser.test_accessibility import serious_violations
from tests.conftest import PASSWORD

LAPTOP = {"width": 1280, "height": 800}


def laptop(browser, live_server):
    """A laptop-sized window of its own; returns (context, page) with script errors collected."""
    context = browser.new_context(base_url=live_server.url, viewport=LAPTOP, locale="en-US", timezone_id="UTC")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    return context, page


def consultant_with_clients(page, live_server):
    """Sign a consultant up on `page`, give her three clients, and open her workspace; return the clients."""
    token = sign_up(page)
    consultant_id = live_server.api("GET", "/me", token).json["id"]
    clients = seed_clients(live_server, consultant_id)
    page.reload()
    page.get_by_role("link", name="Clients").click()
    expect(page.get_by_role("heading", name="Your clients")).to_be_visible()
    return clients


def sign_in(page, email: str) -> None:
    """Sign in through the UI."""
    page.goto("/#/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("link", name="Plans").wait_for()


def test_on_a_laptop_the_consultant_sorts_her_clients_sees_the_flags_and_proposes_a_plan(browser, live_server):
    context, page = laptop(browser, live_server)
    clients = consultant_with_clients(page, live_server)
    table = page.locator(".clients-table")
    expect(table).to_be_visible()
    expect(page.locator(".client-cards")).to_be_hidden()
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(3)
    # Sorted by flags: the silent client first, the one at goal last; the caregiver's parent is not a client.
    names = [re.sub(r"-.*", "", text) for text in rows.locator("th").all_inner_texts()]
    assert names == ["cleo", "bea", "amara"]
    cleo, bea, amara = (rows.nth(n) for n in range(3))
    expect(cleo).to_contain_text("Nothing logged for 24 h.")
    expect(bea).to_contain_text(re.compile(r"A gap of 5 h 45 min, over her night limit of 5 h\."))
    expect(bea).to_contain_text("Below her daily goal")
    expect(amara).to_contain_text("Nothing to flag")
    # Each flag carries an icon beside its words: never colour alone.
    expect(bea.locator(".flag-night_gap .flag-icon")).to_have_text("☾")
    assert serious_violations(page) == []
    table.get_by_role("button", name="Client").click()
    expect(rows.first.locator("th")).to_contain_text("amara")
    expect(page.locator("#workspace-sort")).to_have_value("name")

    rows.first.get_by_role("button", name=re.compile("amara")).click()
    expect(page.locator("#household-switch")).to_contain_text(re.compile(r"amara-.* — consultant"))
    page.get_by_role("link", name="History").click()
    expect(page.locator("#history-list > li").first).to_be_visible()
    page.get_by_role("link", name="Plans").click()
    expect(page.get_by_role("heading", name="Propose a plan")).to_be_visible()
    card = page.locator("#tpl-power-hour")
    card.get_by_role("button", name="Propose Power pumping hour").click()
    card.get_by_label("Note for her (optional)").fill("One hour a day for a week, then we talk.")
    card.get_by_role("button", name="Propose plan").click()
    expect(page.get_by_role("heading", name="Proposed plans")).to_be_visible()
    expect(page.locator("#proposals-h + ul")).to_contain_text("waiting for her answer")
    assert serious_violations(page) == []
    # Nothing changed for her yet.
    assert live_server.api("GET", "/plans", clients["amara"][1]).json["items"] == []
    # Back to the workspace: the Clients tab leaves the client's log.
    page.get_by_role("link", name="Clients").click()
    expect(page.locator("#household-switch")).to_have_text("My pumping")
    assert not page.errors
    context.close()

    # The parent, on her phone, sees the proposal on Plans and accepts it.
    phone = new_phone(browser, live_server)
    parent = phone.new_page()
    email = live_server.api("GET", "/me", clients["amara"][1]).json["email"]
    sign_in(parent, email)
    parent.get_by_role("link", name="Plans").click()
    proposal = parent.locator(".proposal")
    expect(proposal.get_by_role("heading")).to_have_text("Your consultant proposes: Power pumping hour")
    expect(proposal).to_contain_text("One hour a day for a week, then we talk.")
    assert serious_violations(parent) == []
    proposal.get_by_role("button", name="Accept").click()
    expect(parent.locator(".active-plan").first).to_contain_text("Power pumping hour")
    expect(parent.locator(".proposal")).to_have_count(0)
    plans = live_server.api("GET", "/plans", clients["amara"][1]).json["items"]
    assert [(p["template"], p["logged_by_role"]) for p in plans] == [("power-hour", "consultant")]
    phone.close()


def test_on_a_phone_the_consultant_sees_cards_with_flags_and_opens_a_client(browser, live_server):
    context = new_phone(browser, live_server)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    consultant_with_clients(page, live_server)
    cards = page.locator(".client-cards > li")
    expect(cards).to_have_count(3)
    expect(page.locator(".clients-table")).to_be_hidden()
    expect(cards.first.locator(".flag").first).to_contain_text("Nothing logged for 24 h.")
    # Cards fit the phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert serious_violations(page) == []
    page.locator("#workspace-sort").select_option("last_logged")
    expect(cards.first).to_contain_text("cleo")
    cards.nth(1).get_by_role("button", name=re.compile("Open .* log")).click()
    expect(page.locator("#household-switch")).to_contain_text("— consultant")
    page.get_by_role("link", name="Stash").click()
    expect(page.get_by_role("link", name="Clients")).to_be_visible()
    assert not errors
    context.close()
