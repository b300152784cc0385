"""The Stash screen on a phone: add, move, use, offline replay, and no serious accessibility problem."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    ignore_form_limits,
    log_past_session,
    new_phone,
    sign_up,
    wait_for_service_worker,
    wait_until,
)
from tests.browser.test_accessibility import serious_violations


def server_stash(live_server, token, which="open"):
    """The containers the server holds for this token."""
    response = live_server.api("GET", f"/stash?which={which}&limit=200", token)
    assert response.status_code == 200
    return response.json["items"]


def add_container(page, volume: str, where: str, label: str, session_id: str | None = None) -> None:
    """Open the add form, fill it and send it."""
    page.get_by_role("button", name="Add a container").click()
    form = page.locator("#stash-add")
    if session_id:
        form.get_by_label("From a session").select_option(session_id)
    form.get_by_label("Volume (mL)").fill(volume)
    form.get_by_label("Where").select_option(label=where)
    form.get_by_label("Label").fill(label)
    form.get_by_role("button", name="Add to stash").click()


def test_add_move_and_use_containers_in_use_first_order(signed_in, live_server):
    """Two containers list fridge before freezer; moving to the freezer and using part show on screen and server."""
    page, token = signed_in
    page.get_by_role("link", name="Stash").click()
    expect(page.get_by_text("not medical advice").first).to_be_visible()
    expect(page.locator("#stash-empty")).to_be_visible()
    add_container(page, "120", "Freezer", "Bag A")
    expect(page.locator("#stash-list > li")).to_have_count(1)
    add_container(page, "90", "Fridge", "Bottle B")
    rows = page.locator("#stash-list > li")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Bottle B")  # the fridge expires first
    expect(rows.first).to_contain_text("3 days 23 h left")
    expect(rows.first).to_contain_text("CDC")
    expect(page.locator("#stash-totals")).to_contain_text("210 mL")

    rows.first.get_by_role("button", name="Move Bottle B").click()
    dialog = page.get_by_role("dialog", name="Move container")
    dialog.get_by_label("Move to").select_option("freezer")
    dialog.get_by_role("button", name="Move").click()
    expect(page.locator("#stash-list > li", has_text="Bottle B")).to_contain_text("Freezer")

    page.locator("#stash-list > li", has_text="Bag A").get_by_role("button", name="Use Bag A").click()
    dialog = page.get_by_role("dialog", name="Use milk")
    dialog.get_by_label("Amount used", exact=False).fill("50")
    dialog.get_by_role("button", name="Use").click()
    expect(page.locator("#stash-list > li", has_text="Bag A")).to_contain_text("70 mL")
    by_label = {b["label"]: b for b in server_stash(live_server, token)}
    assert by_label["Bottle B"]["location"] == "freezer" and by_label["Bottle B"]["first_frozen_at"]
    assert by_label["Bag A"]["remaining_ml"] == 70


def test_thawed_milk_to_the_freezer_is_refused_with_the_servers_words(signed_in, live_server):
    """Freezer to fridge thaws; back to the freezer is refused and the container stays thawed."""
    page, token = signed_in
    page.get_by_role("link", name="Stash").click()
    expect(page.locator("#stash-empty")).to_be_visible()
    add_container(page, "100", "Freezer", "Bag C")
    row = page.locator("#stash-list > li", has_text="Bag C")
    for target in ("fridge", "freezer"):
        row.get_by_role("button", name="Move Bag C").click()
        dialog = page.get_by_role("dialog", name="Move container")
        dialog.get_by_label("Move to").select_option(target)
        dialog.get_by_role("button", name="Move").click()
        if target == "fridge":
            expect(row).to_contain_text("thawed")
    expect(page.locator("#toast")).to_contain_text("never go back to the freezer")
    [batch] = server_stash(live_server, token)
    assert batch["status"] == "thawed" and batch["location"] == "fridge"


def test_stash_changes_made_offline_reach_the_server_exactly_once(signed_in, context, live_server):
    """Offline, two containers wait in the outbox; back online each is stored once, even after a reload."""
    page, token = signed_in
    page.get_by_role("link", name="Stash").click()
    expect(page.locator("#stash-empty")).to_be_visible()  # the stash was seen online once
    wait_for_service_worker(page)
    context.set_offline(True)
    page.reload()
    expect(page.get_by_text("Offline: showing the stash as last seen.")).to_be_visible()
    add_container(page, "60", "Fridge", "Offline 1")
    expect(page.locator("#stash-waiting")).to_contain_text("1 change waiting to send")
    add_container(page, "40", "Room temperature", "Offline 2")
    expect(page.locator("#stash-waiting")).to_contain_text("2 changes waiting to send")
    assert server_stash(live_server, token) == []
    context.set_offline(False)
    expect(page.locator("#net")).not_to_contain_text("waiting", timeout=15_000)
    page.reload()
    expect(page.locator("#stash-list > li")).to_have_count(2)
    assert sorted(b["label"] for b in server_stash(live_server, token)) == ["Offline 1", "Offline 2"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_stash_screen_has_no_serious_accessibility_problem(browser, live_server, scheme):
    context = new_phone(browser, live_server, color_scheme=scheme)
    page = context.new_page()
    try:
        sign_up(page)
        page.get_by_role("link", name="Stash").click()
        expect(page.locator("#stash-empty")).to_be_visible()
        add_container(page, "90", "Fridge", "Bottle")
        expect(page.locator("#stash-list > li")).to_have_count(1)
        page.locator("details summary").click()
        assert serious_violations(page) == []
        page.get_by_role("button", name="Use Bottle").click()
        assert serious_violations(page) == []
    finally:
        context.close()


def test_a_share_link_shows_the_stash_only_when_include_my_stash_was_ticked(signed_in, browser, live_server):
    """Settings makes a link with the box ticked; the consultant's page then lists the containers."""
    page, token = signed_in
    live_server.api("POST", "/stash", token, json={"volume": 80, "location": "freezer", "label": "Bag Z",
                                                    "expressed_at": "2026-11-01T08:00:00+00:00"})
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="New link").click()
    page.get_by_label("Who is it for?").fill("Dr. Ana")
    page.get_by_label("Include my stash").check()
    page.get_by_role("button", name="Create link").click()
    url = page.locator("#share-url").inner_text().strip()
    consultant = new_phone(browser, live_server)
    try:
        share_page = consultant.new_page()
        share_page.goto(url)
        expect(share_page.get_by_role("heading", name="Milk stash")).to_be_visible()
        expect(share_page.get_by_text("Bag Z")).to_be_visible()
    finally:
        consultant.close()


def test_milk_from_a_session_is_stashed_with_its_end_time_and_never_beyond_its_volume(signed_in, live_server):
    """Choosing a session fills the expression time from it; a second container past its volume is refused."""
    page, token = signed_in
    log_past_session(page, "60", "40")
    [session] = live_server.api("GET", "/sessions", token).json["items"]
    page.get_by_role("link", name="Stash").click()
    expect(page.locator("#stash-empty")).to_be_visible()
    add_container(page, "70", "Fridge", "From session", session["id"])
    expect(page.locator("#stash-list > li")).to_have_count(1)
    add_container(page, "40", "Fridge", "Too much", session["id"])
    expect(page.locator("#toast")).to_contain_text("more than the session's milk")
    # The form stays open with the server's reason beside the amount, so it can be fixed.
    form = page.get_by_role("dialog", name="Add a container")
    expect(form.locator(".field-error")).to_have_text("At most 30 mL of this session is left to stash.")
    expect(form.get_by_label("Volume (mL)")).to_have_attribute("aria-invalid", "true")
    form.get_by_role("button", name="Cancel").click()
    [batch] = server_stash(live_server, token)
    assert (batch["session_id"], batch["expressed_at"]) == (session["id"], session["ended_at"])


def test_a_change_refused_on_replay_is_shown_with_the_reason_and_can_be_dismissed(signed_in, live_server):
    """A queued move the server refuses (thawed milk to the freezer) is explained on the Stash screen."""
    page, token = signed_in
    batch = live_server.api("POST", "/stash", token, json={"volume": 80, "location": "freezer", "label": "Bag R",
                                                            "expressed_at": "2026-11-01T08:00:00+00:00"}).json
    live_server.api("POST", f"/stash/{batch['id']}/move", token, json={"location": "fridge"})
    move = {"id": "0b7e4f0c-6f55-4c1e-9d1e-2d7f8a0c5a11", "method": "POST",
            "path": f"/stash/{batch['id']}/move", "body": {"location": "freezer"}}
    page.evaluate("(item) => self.PumpwellOutbox.enqueue(item).then(() => self.PumpwellOutbox.flush())", move)
    page.get_by_role("link", name="Stash").click()
    refused = page.locator("#stash-refused > li")
    expect(refused).to_contain_text("never go back to the freezer")
    refused.get_by_role("button", name="Dismiss").click()
    expect(page.locator("#stash-refused")).to_have_count(0)


def test_a_session_in_history_is_stashed_in_two_taps(signed_in, live_server):
    """History's Stash opens the add form filled with that session's milk; one more tap stores it from the session."""
    page, token = signed_in
    log_past_session(page, "60", "50")
    page.get_by_role("link", name="History").click()
    page.get_by_role("link", name="Stash the milk of the session").first.click()
    form = page.locator("#stash-add")
    expect(form.get_by_label("Volume (mL)")).to_have_value("110")
    [session] = live_server.api("GET", "/sessions", token).json["items"]
    expect(form.get_by_label("From a session")).to_have_value(session["id"])
    form.get_by_role("button", name="Add to stash").click()
    expect(page.locator("#stash-list > li")).to_have_count(1)
    [batch] = server_stash(live_server, token)
    assert batch["session_id"] == session["id"] and batch["volume_ml"] == 110


def stop_a_timer(page, left: str, right: str):
    """Start a timer, let 15 minutes pass, tap Stop and fill the amounts; returns the Stop form."""
    page.get_by_role("button", name="Start", exact=True).click()
    page.clock.fast_forward("15:00")
    page.get_by_role("button", name="Stop").click()
    form = page.get_by_role("dialog", name="How much did you pump?")
    form.get_by_label("Left (mL)").fill(left)
    form.get_by_label("Right (mL)").fill(right)
    return form


def test_the_stop_form_saves_the_session_and_stashes_its_milk_in_one_go(page, live_server):
    """Stop, tick "Put this milk in the stash", choose the freezer, Save: the session and its container both exist."""
    page.clock.install(time=datetime.now(UTC) - timedelta(minutes=30))
    token = sign_up(page)
    form = stop_a_timer(page, "60", "50")
    form.get_by_label("Put this milk in the stash").check()
    form.get_by_label("Put it in").select_option(label="Freezer")
    form.get_by_role("button", name="Save session").click()
    expect(page.locator("#toast")).to_contain_text("Session saved and its milk put in the stash.")
    [session] = live_server.api("GET", "/sessions", token).json["items"]
    [batch] = server_stash(live_server, token)
    assert (batch["session_id"], batch["volume_ml"], batch["location"]) == (session["id"], 110, "freezer")
    assert batch["expressed_at"] == session["ended_at"]


def test_a_session_fixed_after_a_refusal_is_stashed_with_its_fixed_amount(page, live_server):
    """A typo (5000 mL) is refused; fixed to 50 mL and sent again, the container holds 50 + 30 mL."""
    page.clock.install(time=datetime.now(UTC) - timedelta(minutes=30))
    token = sign_up(page)
    form = stop_a_timer(page, "5000", "30")
    ignore_form_limits(form)
    form.get_by_label("Put this milk in the stash").check()
    form.get_by_role("button", name="Save session").click()
    fix = page.get_by_role("dialog", name="Check this session")
    fix.get_by_label("Left (mL)").fill("50")
    fix.get_by_role("button", name="Send again").click()
    expect(page.locator("#toast")).to_contain_text("Session saved and its milk put in the stash.")
    [session] = live_server.api("GET", "/sessions", token).json["items"]
    [batch] = server_stash(live_server, token)
    assert (session["left_ml"], batch["session_id"], batch["volume_ml"]) == (50, session["id"], 80)


def test_stashing_from_the_stop_form_offline_sends_the_container_after_its_session(page, context, live_server):
    """Offline both wait on the phone, the container behind its session; back online both reach the server."""
    page.clock.install(time=datetime.now(UTC) - timedelta(minutes=30))
    token = sign_up(page)
    page.evaluate("navigator.serviceWorker.ready")
    context.set_offline(True)
    form = stop_a_timer(page, "40", "30")
    form.get_by_label("Put this milk in the stash").check()
    form.get_by_role("button", name="Save session").click()
    expect(page.locator("#toast")).to_contain_text("Saved on this phone")
    queued = page.evaluate("self.PumpwellOutbox.all()")
    assert [(item["path"], item["state"]) for item in queued] == [("/sessions", "pending"), ("/stash", "pending")]
    assert queued[1]["after"] == queued[0]["id"] == queued[1]["body"]["session_id"]
    assert server_stash(live_server, token) == []
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_until(page, "self.PumpwellOutbox.all().then((items) => items.length === 0)")
    expect(page.locator("#toast")).to_contain_text("1 stash container sent")
    [session] = live_server.api("GET", "/sessions", token).json["items"]
    [batch] = server_stash(live_server, token)
    assert (batch["session_id"], batch["volume_ml"], batch["location"]) == (session["id"], 70, "fridge")


def test_a_container_waits_while_its_session_is_refused_and_goes_with_it(signed_in):
    """The outbox never sends a container before its session: refused, the session holds it; discarded, both go."""
    page, _ = signed_in
    session_id, stash_id = str(uuid.uuid4()), str(uuid.uuid4())
    page.evaluate("""([sessionId, stashId]) => {
      const box = self.PumpwellOutbox;
      return box.enqueue({ id: sessionId, method: 'POST', path: '/sessions', body: {
        id: sessionId, started_at: new Date(Date.now() - 3600e3).toISOString(), duration_min: 15,
        left_ml: -1, right_ml: 10,
      } })
        .then(() => box.enqueue({ id: stashId, method: 'POST', path: '/stash', after: sessionId,
          body: { id: stashId, volume: 10, location: 'fridge', session_id: sessionId } }))
        .then(() => box.flush({ force: true }));
    }""", [session_id, stash_id])
    states = {item["id"]: (item["state"], item["attempts"]) for item in page.evaluate("self.PumpwellOutbox.all()")}
    assert states == {session_id: ("refused", 1), stash_id: ("pending", 0)}
    assert page.evaluate("self.PumpwellOutbox.nextDue()") is None
    page.evaluate("(id) => self.PumpwellOutbox.discard(id)", session_id)
    assert page.evaluate("self.PumpwellOutbox.all()") == []


def test_the_add_form_refuses_more_milk_than_a_container_may_hold(signed_in, live_server):
    """5,000 mL is refused on the spot with the limit named (the server's), and nothing is queued or stored."""
    page, token = signed_in
    page.get_by_role("link", name="Stash").click()
    add_container(page, "5000", "Freezer", "Typo")
    expect(page.locator("#stash-add")).to_contain_text("At most 2000 mL in a container: check for a typo.")
    assert server_stash(live_server, token) == [] and page.evaluate("self.PumpwellOutbox.all()") == []
    page.locator("#stash-add").get_by_label("Volume (mL)").fill("2000")
    page.locator("#stash-add").get_by_role("button", name="Add to stash").click()
    expect(page.locator("#stash-list > li")).to_have_count(1)
    expect(page.locator("#stash-totals")).to_contain_text("2000 mL")
    assert [b["volume_ml"] for b in server_stash(live_server, token)] == [2000]
