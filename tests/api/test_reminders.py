"""Reminders over the API: the gap reminder moving, quiet hours, snooze, skip, done, owner scoping."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.api import plan_helpers

clock = plan_helpers.clock
start, log, reminders = plan_helpers.start, plan_helpers.log, plan_helpers.reminders

GOALS = {
    "daily_volume_ml": 750.0, "sessions_per_day": 8, "max_gap_day_min": 180, "max_gap_night_min": 300,
    "night_start": "22:00", "night_end": "06:00",
}


def gap(client, headers):
    """Return the pending gap reminders."""
    return [r for r in reminders(client, headers) if r["kind"] == "gap"]


def due(client, headers):
    """Return when the pending gap reminder fires."""
    return datetime.fromisoformat(gap(client, headers)[0]["send_after"])


@pytest.fixture
def midday(clock):
    """Put the clock at 12:00 UTC today, so a 3 h day gap ends by day."""
    clock.now = clock.now.replace(hour=12)
    return clock


def test_gap_reminder_moves_when_session_logged(client, auth, midday):
    assert gap(client, auth) == []
    log(client, auth, midday.now - timedelta(hours=2), minutes=20)
    first = gap(client, auth)
    assert len(first) == 1 and first[0]["title"] == "3 h since your last session"
    ended = midday.now - timedelta(hours=2) + timedelta(minutes=20)
    assert datetime.fromisoformat(first[0]["send_after"]) == ended + timedelta(hours=3)
    log(client, auth, midday.now - timedelta(minutes=30), minutes=20)
    moved = gap(client, auth)
    assert len(moved) == 1 and moved[0]["id"] == first[0]["id"]
    assert datetime.fromisoformat(moved[0]["send_after"]) == midday.now - timedelta(minutes=10) + timedelta(hours=3)


def test_gap_reminder_moves_when_session_edited_or_deleted(client, auth, midday):
    older = log(client, auth, midday.now - timedelta(hours=2), minutes=20)
    newer = log(client, auth, midday.now - timedelta(hours=1), minutes=20)
    moved = {"started_at": (midday.now - timedelta(minutes=30)).isoformat()}
    client.patch(f"/api/sessions/{newer['id']}", json=moved, headers=auth)
    assert due(client, auth) == midday.now - timedelta(minutes=10) + timedelta(hours=3)
    assert client.delete(f"/api/sessions/{newer['id']}", headers=auth).status_code == 204
    assert due(client, auth) == midday.now - timedelta(hours=1, minutes=40) + timedelta(hours=3)
    client.delete(f"/api/sessions/{older['id']}", headers=auth)
    assert gap(client, auth) == []


def test_gap_reminder_moves_when_goals_change(client, auth, midday):
    log(client, auth, midday.now - timedelta(hours=1), minutes=15)
    client.put("/api/goals", json={**GOALS, "max_gap_day_min": 150}, headers=auth)
    reminder = gap(client, auth)
    assert len(reminder) == 1 and reminder[0]["title"] == "2 h 30 min since your last session"
    due = datetime.fromisoformat(reminder[0]["send_after"])
    assert due == midday.now - timedelta(minutes=45) + timedelta(minutes=150)


def test_gap_ending_at_night_uses_the_night_maximum(client, auth, midday):
    client.put("/api/goals", json={**GOALS, "night_start": "13:00", "night_end": "20:00"}, headers=auth)
    log(client, auth, midday.now - timedelta(minutes=30), minutes=15)
    reminder = gap(client, auth)[0]
    assert reminder["title"] == "5 h since your last session"


def test_in_quiet_hours_a_day_gap_waits_but_a_night_gap_fires(client, auth, midday):
    client.patch("/api/me", json={"quiet_hours": {"start": "14:00", "end": "16:00"}}, headers=auth)
    log(client, auth, midday.now - timedelta(minutes=30), minutes=15)  # day gap due 14:45: quiet
    assert datetime.fromisoformat(gap(client, auth)[0]["send_after"]) == midday.now.replace(hour=16)
    # Quiet 16:00-18:00 and a night from 14:00: the gap ends at night, so the 5 h night gap fires at 16:45 regardless.
    client.patch("/api/me", json={"quiet_hours": {"start": "16:00", "end": "18:00"}}, headers=auth)
    client.put("/api/goals", json={**GOALS, "night_start": "14:00", "night_end": "20:00"}, headers=auth)
    assert datetime.fromisoformat(gap(client, auth)[0]["send_after"]) == midday.now.replace(hour=16, minute=45)


def test_plan_reminders_ignore_quiet_hours(client, auth, clock):
    client.patch("/api/me", json={"quiet_hours": {"start": "00:00", "end": "23:59"}}, headers=auth)
    plan = start(client, auth, starts_at=clock.now + timedelta(minutes=5)).json
    first = [r for r in reminders(client, auth) if r["plan_id"] == plan["id"]][0]
    assert first["send_after"] == plan["slots"][0]["starts_at"]


def test_snooze_defaults_to_10_minutes_and_accepts_minutes(client, auth, clock):
    start(client, auth, starts_at=clock.now + timedelta(minutes=5))
    reminder = reminders(client, auth)[0]
    snoozed = client.post(f"/api/reminders/{reminder['id']}/snooze", headers=auth)
    assert snoozed.status_code == 200
    assert datetime.fromisoformat(snoozed.json["send_after"]) == clock.now + timedelta(minutes=10)
    snoozed = client.post(f"/api/reminders/{reminder['id']}/snooze", json={"minutes": 30}, headers=auth)
    assert datetime.fromisoformat(snoozed.json["send_after"]) == clock.now + timedelta(minutes=30)
    assert client.post(f"/api/reminders/{reminder['id']}/snooze", json={"minutes": 0}, headers=auth).status_code == 422


def test_skip_and_done_take_a_reminder_off_the_list(client, auth, clock):
    start(client, auth, starts_at=clock.now + timedelta(minutes=5))
    first, second = reminders(client, auth)[:2]
    assert client.post(f"/api/reminders/{first['id']}/skip", headers=auth).json["status"] == "skipped"
    assert client.post(f"/api/reminders/{second['id']}/done", headers=auth).json["status"] == "done"
    assert {r["id"] for r in reminders(client, auth)}.isdisjoint({first["id"], second["id"]})


def test_a_sent_reminder_can_be_snoozed_back_to_pending(client, auth, clock, db):
    from server.models import Reminder

    start(client, auth, starts_at=clock.now + timedelta(minutes=5))
    reminder_id = reminders(client, auth)[0]["id"]
    db.get(Reminder, reminder_id).status = "sent"
    db.commit()
    snoozed = client.post(f"/api/reminders/{reminder_id}/snooze", headers=auth).json
    assert snoozed["status"] == "pending"


def test_a_cancelled_plans_reminder_cannot_be_snoozed(client, auth, clock):
    plan = start(client, auth, starts_at=clock.now + timedelta(minutes=5)).json
    reminder_id = reminders(client, auth)[0]["id"]
    client.post(f"/api/plans/{plan['id']}/cancel", headers=auth)
    assert client.post(f"/api/reminders/{reminder_id}/snooze", headers=auth).status_code == 409


@pytest.mark.parametrize("action", ["snooze", "skip", "done"])
def test_another_users_reminder_answers_404(client, make_user, clock, action):
    _, owner = make_user()
    _, other = make_user()
    start(client, owner, starts_at=clock.now + timedelta(minutes=5))
    reminder_id = reminders(client, owner)[0]["id"]
    response = client.post(f"/api/reminders/{reminder_id}/{action}", headers=other)
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
    assert reminders(client, other) == []
    assert client.post(f"/api/reminders/99999999999999999999/{action}", headers=owner).status_code == 404


def test_logging_a_session_for_a_slot_withdraws_its_reminder(client, auth, clock):
    plan = start(client, auth, starts_at=clock.now + timedelta(minutes=20)).json
    log(client, auth, clock.now, minutes=15)  # 20 min early for slot 0
    left = {r["plan_slot_id"] for r in reminders(client, auth) if r["kind"] == "plan_slot"}
    assert plan["slots"][0]["id"] not in left and plan["slots"][1]["id"] in left


def test_reminder_times_are_utc_iso_strings(client, auth, midday):
    log(client, auth, midday.now - timedelta(hours=1))
    due = gap(client, auth)[0]["send_after"]
    assert datetime.fromisoformat(due).utcoffset() == timedelta(0) and due.endswith("+00:00")
    assert datetime.fromisoformat(due).tzinfo is not None
    assert datetime.fromisoformat(due) > datetime(2000, 1, 1, tzinfo=UTC)


def test_gap_reminder_moves_when_quiet_hours_change(client, auth, midday):
    log(client, auth, midday.now - timedelta(minutes=30), minutes=15)  # day gap due 14:45
    assert due(client, auth) == midday.now.replace(hour=14, minute=45)
    client.patch("/api/me", json={"quiet_hours": {"start": "14:00", "end": "16:00"}}, headers=auth)
    assert due(client, auth) == midday.now.replace(hour=16)


def test_day_gap_in_quiet_hours_is_sent_when_they_end_on_the_repeated_hour_not_a_day_late(client, make_user, clock):
    clock.now = datetime(2026, 11, 1, 5, 50, tzinfo=UTC)  # 01:50 EDT; at 06:00 UTC New York repeats 01:00-02:00
    _, headers = make_user(time_zone="America/New_York")
    client.put("/api/goals", json={**GOALS, "max_gap_day_min": 30, "night_start": "12:00", "night_end": "13:00"},
               headers=headers)  # fmt: skip
    client.patch("/api/me", json={"quiet_hours": {"start": "23:00", "end": "01:30"}}, headers=headers)
    log(client, headers, datetime(2026, 11, 1, 5, 30, tzinfo=UTC), minutes=20)
    [reminder] = gap(client, headers)
    assert datetime.fromisoformat(reminder["send_after"]) == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # 01:30 EST


def test_day_limit_applies_from_the_end_of_the_night(client, make_user, clock):
    clock.now = datetime(2026, 11, 27, 15, 13, tzinfo=UTC)  # 02:13 in Sydney (UTC+11)
    _, headers = make_user(time_zone="Australia/Sydney")
    log(client, headers, clock.now - timedelta(minutes=20), minutes=20)
    [reminder] = gap(client, headers)
    assert datetime.fromisoformat(reminder["send_after"]) == datetime(2026, 11, 27, 19, tzinfo=UTC)  # 06:00
