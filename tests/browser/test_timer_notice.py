"""While the session timer runs, a notification shows it with a Stop action (where notifications are allowed); it
goes when the timer stops or the account signs out, and its Stop opens the form that logs the session."""

from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from tests.browser.conftest import sign_up, wait_until
from tests.browser.test_push import notifications_allowed, service_worker  # noqa: F401 (a fixture)
from tests.browser.test_shared_phone import new_email, sign_out

SHOWN = """navigator.serviceWorker.ready.then((r) => r.getNotifications({tag: 'pumpwell-timer'})).then((ns) =>
    ns.map((n) => ({title: n.title, actions: n.actions.map((a) => [a.action, a.title]), silent: n.silent,
                    data: n.data})))"""
NONE_SHOWN = f"{SHOWN}.then((ns) => ns.length === 0)"


def timer_notices(page) -> list[dict]:
    """Wait until the timer's notification shows, and return what shows."""
    wait_until(page, f"{SHOWN}.then((ns) => ns.length === 1)")
    return page.evaluate(SHOWN)


def test_a_running_timer_shows_a_quiet_notification_with_stop_that_opens_the_stop_form(
    notifications_allowed, page, context, live_server  # noqa: F811
):
    """Start shows "Pumping since ..." with Stop; Stop from it opens the amounts form; saving closes it."""
    page.clock.install(time=datetime.now(UTC) - timedelta(minutes=40))
    sign_up(page)
    worker = service_worker(page, context)
    page.get_by_role("button", name="Start", exact=True).click()
    since = page.get_by_text("Pumping since").inner_text()
    [shown] = timer_notices(page)
    assert shown["title"] == since
    assert shown["actions"] == [["stop-timer", "Stop"]]
    assert shown["silent"] is True
    page.reload()  # drawn again, the same timer keeps its one notification
    expect(page.get_by_text("Pumping since")).to_be_visible()
    assert len(timer_notices(page)) == 1
    page.clock.run_for("15:00")
    page.get_by_role("link", name="History").click()
    worker.evaluate("""async () => {
        const [notification] = await self.registration.getNotifications({tag: 'pumpwell-timer'});
        await handleNotificationClick(notification, 'stop-timer');
    }""")
    dialog = page.get_by_role("dialog", name="How much did you pump?")
    dialog.get_by_label("Left (mL)").fill("30")
    dialog.get_by_role("button", name="Save session").click()
    expect(page.locator("#toast")).to_contain_text("Session saved.")
    wait_until(page, NONE_SHOWN)


def test_discarding_the_timer_or_signing_out_closes_its_notification_and_another_account_gets_none(
    notifications_allowed, page, context, live_server  # noqa: F811
):
    """Discard closes it (Undo shows it again); A's sign-out closes it and B's Today shows none."""
    sign_up(page, new_email())
    service_worker(page, context)
    page.get_by_role("button", name="Start", exact=True).click()
    timer_notices(page)
    page.get_by_role("button", name="Discard timer").click()
    wait_until(page, NONE_SHOWN)
    page.get_by_role("button", name="Undo").click()
    timer_notices(page)
    sign_out(page)
    wait_until(page, NONE_SHOWN)
    sign_up(page, new_email())
    page.wait_for_load_state("networkidle")
    assert page.evaluate(SHOWN) == []


def test_without_permission_the_timer_runs_and_shows_nothing(page, context):
    """Notifications not allowed: the timer never asks for them and shows none."""
    sign_up(page)
    service_worker(page, context)
    page.get_by_role("button", name="Start", exact=True).click()
    expect(page.get_by_role("timer")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert page.evaluate(SHOWN) == []
    assert page.evaluate("Notification.permission") == "default"
