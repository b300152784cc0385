"""Reminder rules: plan slots and phase changes, the gap since the last session, quiet hours."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from server.domain.plans import expand_plan
from server.domain.reminders import (
    GAP,
    PHASE_CHANGE,
    PLAN_SLOT,
    GapRule,
    QuietHours,
    format_minutes,
    gap_reminder,
    in_window,
    plan_reminders,
    snoozed_until,
)

UTC_ZONE = ZoneInfo("UTC")
RULE = GapRule(180, 300, time(22), time(6))


def test_power_hour_reminds_at_start_and_each_phase_change():
    start = datetime(2026, 11, 28, 7, tzinfo=UTC)
    slots = expand_plan("power-hour", start, {"days": 5}, "UTC").slots
    drafts = [d for d in plan_reminders(9, "Power hour", slots, start - timedelta(hours=1)) if d.slot_index == 0]
    assert [(d.kind, d.title, d.due_at.strftime("%H:%M")) for d in drafts] == [
        (PLAN_SLOT, "Power hour: time to pump", "07:00"),
        (PHASE_CHANGE, "Rest 10 min", "07:20"),
        (PHASE_CHANGE, "Pump 10 min", "07:30"),
        (PHASE_CHANGE, "Rest 10 min", "07:40"),
        (PHASE_CHANGE, "Pump 10 min", "07:50"),
        (PHASE_CHANGE, "End of the block", "08:00"),
    ]
    assert "Pump 20 min (both sides), rest 10 min" in drafts[0].body
    assert all(d.fires_in_quiet_hours and d.url == "/#/plans" for d in drafts)


def test_single_phase_slots_get_one_reminder_and_past_ones_none():
    start = datetime(2026, 11, 28, 8, tzinfo=UTC)
    slots = expand_plan("frequent-boost", start, None, "UTC").slots
    drafts = plan_reminders(1, "Boost", slots, start + timedelta(minutes=1))
    assert len(drafts) == 23 and {d.kind for d in drafts} == {PLAN_SLOT}


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(["power-hour", "cluster-evening", "frequent-boost", "wean"]), st.integers(0, 10_000))
def test_plan_reminder_dedupe_keys_are_unique(key, offset):
    start = datetime(2026, 3, 1, tzinfo=UTC) + timedelta(minutes=offset)
    drafts = plan_reminders(3, "P", expand_plan(key, start, None, "Australia/Lord_Howe").slots, start)
    keys = [d.dedupe_key for d in drafts]
    assert len(keys) == len(set(keys))


def test_gap_reminder_is_due_the_day_gap_after_the_last_session():
    end = datetime(2026, 11, 28, 9, tzinfo=UTC)
    draft = gap_reminder(end, RULE, UTC_ZONE, None, end)
    assert (draft.kind, draft.dedupe_key, draft.due_at) == (GAP, "gap", end + timedelta(hours=3))
    assert draft.title == "3 h since your last session"
    assert not draft.fires_in_quiet_hours


def test_gap_ending_at_night_uses_the_night_gap():
    end = datetime(2026, 11, 28, 21, tzinfo=UTC)
    draft = gap_reminder(end, RULE, UTC_ZONE, None, end)
    assert draft.due_at == end + timedelta(hours=5) and draft.title == "5 h since your last session"
    assert draft.fires_in_quiet_hours


def test_gap_reminder_uses_the_users_zone_for_night():
    end = datetime(2026, 11, 28, 21, tzinfo=UTC)  # 16:00 in New York: the gap ends by day there
    draft = gap_reminder(end, RULE, ZoneInfo("America/New_York"), None, end)
    assert draft.due_at == end + timedelta(hours=3)


def test_no_gap_reminder_without_sessions_or_once_the_gap_is_over():
    end = datetime(2026, 11, 28, 9, tzinfo=UTC)
    assert gap_reminder(None, RULE, UTC_ZONE, None, end) is None
    assert gap_reminder(end, RULE, UTC_ZONE, None, end + timedelta(hours=4)) is None


def test_day_gap_in_quiet_hours_waits_until_they_end_but_night_gap_fires():
    quiet = QuietHours(time(13), time(15))
    end = datetime(2026, 11, 28, 11, tzinfo=UTC)  # due 14:00, inside quiet hours
    assert gap_reminder(end, RULE, UTC_ZONE, quiet, end).due_at == datetime(2026, 11, 28, 15, tzinfo=UTC)
    quiet = QuietHours(time(21), time(7))
    end = datetime(2026, 11, 28, 21, tzinfo=UTC)  # night gap due 02:00, inside quiet hours: fires anyway
    assert gap_reminder(end, RULE, UTC_ZONE, quiet, end).due_at == datetime(2026, 11, 29, 2, tzinfo=UTC)


def test_quiet_hours_wrap_midnight():
    quiet = (time(22), time(7))
    at = lambda h: datetime(2026, 11, 28, h, tzinfo=UTC)  # noqa: E731
    assert in_window(at(23), *quiet, UTC_ZONE) and in_window(at(3), *quiet, UTC_ZONE)
    assert not in_window(at(7), *quiet, UTC_ZONE) and not in_window(at(12), *quiet, UTC_ZONE)
    assert not in_window(at(12), time(9), time(9), UTC_ZONE)


def test_snooze_defaults_to_10_minutes():
    now = datetime(2026, 11, 28, tzinfo=UTC)
    assert snoozed_until(now, None) == now + timedelta(minutes=10)
    assert snoozed_until(now, 30) == now + timedelta(minutes=30)


def test_minutes_read_as_hours_and_minutes():
    assert [format_minutes(m) for m in (45, 180, 150)] == ["45 min", "3 h", "2 h 30 min"]
