"""Quiet hours checked again when a reminder is sent: what was scheduled before she changed them waits them out."""

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from server.models import Reminder, User
from server.services import accounts, reminders, stash
from server.services.dispatch import dispatch_due
from tests.push.fake import ScriptedSender

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)  # 11:00 in Berlin
# A fridge container expressed at T0 expires 5 June 11:00 Berlin; its reminder is 4 June 19:00 Berlin.
EVENING = datetime(2026, 6, 4, 17, 0, tzinfo=UTC)
QUIET_ENDS = datetime(2026, 6, 5, 5, 0, tzinfo=UTC)  # 07:00 in Berlin


def _berlin_parent_with_a_fridge_container(db, make_user):
    """Return a Berlin parent with a phone and a fridge container, its stash reminder and the phone's sender."""
    data, _ = make_user(time_zone="Europe/Berlin")
    user = db.get(User, data["id"])
    batch, _ = stash.add_batch(db, user, {"volume": 100, "unit": "ml", "expressed_at": T0, "location": "fridge"}, T0)
    sender = ScriptedSender()
    sender.subscribe(db, user.id, T0)
    row = db.scalar(select(Reminder).where(Reminder.dedupe_key == f"stash:{batch.id}"))
    assert row.send_after == EVENING and row.avoids_quiet_hours
    return user, row, sender


def _fresh(db, row):
    """Read a reminder row afresh."""
    db.expire_all()
    return db.get(Reminder, row.id)


def test_a_reminder_scheduled_before_quiet_hours_changed_waits_until_they_end(db, make_user):
    user, row, sender = _berlin_parent_with_a_fridge_container(db, make_user)
    accounts.update_settings(db, user, {"quiet_hours": {"start": time(18), "end": time(7)}}, T0 + timedelta(hours=1))
    plan_slot = Reminder(
        user_id=user.id, kind="plan_slot", status="pending", dedupe_key="plan:1:slot:0:start", due_at=EVENING,
        send_after=EVENING, attempts=0, payload={"title": "Power hour"}, created_at=T0, updated_at=T0,
    )
    db.add(plan_slot)
    db.commit()

    dispatch_due(db, sender, EVENING)
    held = _fresh(db, row)
    assert (held.status, held.send_after, held.attempts, held.lease_until) == ("pending", QUIET_ENDS, 0, None)
    # A plan's session reminds her in quiet hours: she chose it.
    assert [r.message.handle.reminder_id for r in sender.sent] == [plan_slot.id]

    dispatch_due(db, sender, QUIET_ENDS)
    sent = _fresh(db, row)
    assert sent.status == "sent" and QUIET_ENDS <= sent.sent_at < QUIET_ENDS + timedelta(seconds=5)


def test_a_reminder_she_snoozed_in_quiet_hours_comes_when_she_asked(db, make_user):
    user, row, sender = _berlin_parent_with_a_fridge_container(db, make_user)
    accounts.update_settings(db, user, {"quiet_hours": {"start": time(18), "end": time(7)}}, T0)
    reminders.snooze_reminder(db, user, row.id, 10, EVENING - timedelta(minutes=30))
    dispatch_due(db, sender, EVENING - timedelta(minutes=20))
    assert _fresh(db, row).status == "sent"
