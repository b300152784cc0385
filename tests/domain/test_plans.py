"""Expanding plan templates into slots across time zones and daylight-saving changes, and plan adherence."""

import math
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.domain.errors import InvalidPlanParams, UnknownTemplate
from server.domain.plans import (
    LoggedSession,
    check_start,
    expand_plan,
    local_to_utc,
    plan_progress,
    plan_status,
)
from server.domain.templates import parse_clock

ZONES = ["America/New_York", "Europe/London", "Australia/Sydney", "Australia/Lord_Howe", "UTC", "Asia/Kolkata"]
# Starts within a few days of each zone's 2026/2027 DST changes, plus ordinary days.
TRANSITIONS = [
    datetime(2026, 3, 8, tzinfo=UTC),  # New York springs forward
    datetime(2026, 11, 1, tzinfo=UTC),  # New York falls back
    datetime(2026, 3, 29, tzinfo=UTC),  # London springs forward
    datetime(2026, 10, 25, tzinfo=UTC),  # London falls back
    datetime(2026, 4, 5, tzinfo=UTC),  # Sydney falls back, Lord Howe goes back 30 min
    datetime(2026, 10, 4, tzinfo=UTC),  # Sydney springs forward, Lord Howe forward 30 min
    datetime(2026, 7, 1, tzinfo=UTC),
]
SETTINGS = settings(max_examples=120, deadline=None)


@st.composite
def starts(draw):
    """Draw a start moment within four days either side of a DST change."""
    base = draw(st.sampled_from(TRANSITIONS))
    return base + timedelta(minutes=draw(st.integers(-4 * 24 * 60, 4 * 24 * 60)))


def clocks():
    """Draw "HH:MM" local times, half-hours included so slots land in 30- and 60-min DST gaps."""
    return st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))


def expected_utc(day, clock, zone):
    """Return where a wall-clock slot must land: the local time, or later by the gap if that time does not exist."""
    return local_to_utc(datetime.combine(day, parse_clock(clock)), zone)


def assert_well_formed(draft, starts_at):
    """Check the invariants every plan has: ordered, distinct, not before the start, phases fill each slot."""
    moments = [s.starts_at for s in draft.slots]
    assert moments == sorted(moments)
    assert len(set(moments)) == len(moments)
    assert moments[0] >= starts_at
    assert [s.index for s in draft.slots] == list(range(len(draft.slots)))
    for slot in draft.slots:
        assert slot.ends_at - slot.starts_at == timedelta(minutes=sum(p.minutes for p in slot.phases))
        assert slot.phases[0].kind == "pump" and slot.phases[-1].kind == "pump"
    for before, after in pairwise(draft.slots):
        assert before.ends_at <= after.starts_at
    # The plan lasts what was chosen, and never ends before its last slot.
    assert draft.ends_at >= draft.slots[-1].ends_at


@SETTINGS
@given(st.sampled_from(ZONES), starts(), st.integers(48, 72), st.sampled_from([60, 90, 120, 150, 180]))
def test_frequent_boost_slots_are_exact_elapsed_intervals_across_dst(zone, starts_at, hours, interval):
    draft = expand_plan("frequent-boost", starts_at, {"hours": hours, "interval_min": interval}, zone)
    assert_well_formed(draft, starts_at)
    assert len(draft.slots) == hours * 60 // interval
    assert draft.slots[0].starts_at == starts_at
    assert draft.ends_at == starts_at + timedelta(hours=hours)
    for before, after in pairwise(draft.slots):
        assert after.starts_at - before.starts_at == timedelta(minutes=interval)


@SETTINGS
@given(st.sampled_from(ZONES), starts(), st.integers(5, 7), clocks())
def test_power_hour_keeps_its_wall_clock_time_every_day_across_dst(zone_name, starts_at, days, clock):
    zone = ZoneInfo(zone_name)
    draft = expand_plan("power-hour", starts_at, {"days": days, "start_time": clock}, zone_name)
    assert_well_formed(draft, starts_at)
    assert len(draft.slots) == days
    local_days = [s.starts_at.astimezone(zone).date() for s in draft.slots]
    # One block per local day, no day skipped or doubled, each at the wall-clock time asked for.
    assert local_days == [local_days[0] + timedelta(days=k) for k in range(days)]
    for day, slot in zip(local_days, draft.slots, strict=True):
        assert slot.starts_at == expected_utc(day, clock, zone)
    assert [p.minutes for p in draft.slots[0].phases] == [20, 10, 10, 10, 10]


@SETTINGS
@given(
    st.sampled_from(ZONES),
    starts(),
    st.sampled_from(["exclusive-newborn", "exclusive-established"]),
    st.integers(1, 10),
    clocks(),
    st.data(),
)
def test_exclusive_plans_keep_wall_clock_slots_and_their_count(zone_name, starts_at, key, days, clock, data):
    zone = ZoneInfo(zone_name)
    n = data.draw(st.integers(8, 12) if key == "exclusive-newborn" else st.integers(7, 8))
    draft = expand_plan(key, starts_at, {"days": days, "sessions_per_day": n, "start_time": clock}, zone_name)
    assert_well_formed(draft, starts_at)
    assert len(draft.slots) == days * n
    # The slots are exactly the routine's wall-clock grid between the first and last: none missing, none doubled.
    gap_h = data.draw(st.just(5 if key == "exclusive-newborn" else 6))
    spacing = 5 * math.ceil((24 * 60 - gap_h * 60) / (n - 1) / 5)
    first = datetime.combine(starts_at.astimezone(zone).date(), parse_clock(clock)) - timedelta(days=1)
    grid = sorted(
        local_to_utc(first + timedelta(days=d, minutes=k * spacing), zone) for d in range(days + 3) for k in range(n)
    )
    expected = [g for g in grid if g >= starts_at][: days * n]
    limit = timedelta(hours=gap_h)
    for number, (slot, usual) in enumerate(zip(draft.slots, expected, strict=True)):
        if slot.note is None:
            assert slot.starts_at == usual
        else:
            # Moved earlier only where the clocks went back and the gap would pass its limit, and only so far.
            previous = draft.slots[number - 1].starts_at
            assert usual - previous > limit and slot.starts_at == previous + limit and "clocks went back" in slot.note


@SETTINGS
@given(st.sampled_from(ZONES), starts(), st.integers(2, 3), st.integers(0, 21), st.integers(2, 4))
def test_power_hour_long_twice_a_day_gives_two_blocks_each_local_day(zone_name, starts_at, days, hour, apart):
    zone = ZoneInfo(zone_name)
    first, second = f"{hour:02d}:00", f"{hour + apart:02d}:30" if hour + apart < 24 else "23:30"
    params = {"days": days, "blocks_per_day": 2, "start_time": first, "second_start_time": second}
    draft = expand_plan("power-hour-long", starts_at, params, zone_name)
    assert_well_formed(draft, starts_at)
    assert len(draft.slots) == 2 * days
    for slot in draft.slots:
        day = slot.starts_at.astimezone(zone).date()
        assert slot.starts_at in (expected_utc(day, first, zone), expected_utc(day, second, zone))


@SETTINGS
@given(st.sampled_from(ZONES), starts(), st.integers(1, 14), clocks(), st.integers(5, 15), st.integers(10, 20))
def test_cluster_evening_fits_its_window_each_day(zone_name, starts_at, days, clock, pump, rest):
    draft = expand_plan(
        "cluster-evening", starts_at, {"days": days, "start_time": clock, "pump_min": pump, "rest_min": rest}, zone_name
    )
    assert_well_formed(draft, starts_at)
    assert len(draft.slots) == days
    for slot in draft.slots:
        assert sum(p.minutes for p in slot.phases) <= 120
        assert sum(p.minutes for p in slot.phases) + pump + rest > 120


@SETTINGS
@given(st.sampled_from(ZONES), starts(), st.integers(2, 8))
def test_wean_drops_one_session_a_stage_at_wall_clock_times(zone_name, starts_at, count):
    zone = ZoneInfo(zone_name)
    draft = expand_plan("wean", starts_at, {"sessions_per_day": count}, zone_name)
    assert_well_formed(draft, starts_at)
    per_day: dict = {}
    for slot in draft.slots:
        per_day.setdefault(slot.starts_at.astimezone(zone).date(), []).append(slot)
    counts = list(per_day.values())
    # Every full day has no more sessions than the day before; the last days have one.
    lengths = [len(day) for day in counts[1:]]
    assert lengths == sorted(lengths, reverse=True)
    assert lengths[-1] == 1


@pytest.mark.parametrize(("hours", "finish"), [(48, 48), (72, 72)])
def test_boost_plan_finishes_exactly_the_hours_chosen_after_its_start(hours, finish):
    start = datetime(2026, 11, 28, 8, tzinfo=UTC)
    draft = expand_plan("frequent-boost", start, {"hours": hours}, "America/New_York")
    assert draft.ends_at == start + timedelta(hours=finish)
    assert plan_status("active", draft.ends_at, start + timedelta(hours=finish, minutes=-1)) == "active"


def test_daily_plan_lasts_the_local_days_chosen():
    ny = ZoneInfo("America/New_York")
    start = datetime(2026, 10, 28, 12, tzinfo=ny)  # the clocks go back on 1 November, inside the plan
    draft = expand_plan("power-hour", start, {"days": 7, "start_time": "13:00"}, "America/New_York")
    assert draft.ends_at == datetime(2026, 11, 4, 12, tzinfo=ny).astimezone(UTC)


def test_plan_starts_on_a_whole_minute():
    start = datetime(2026, 11, 28, 8, 0, 13, 500_000, tzinfo=UTC)
    draft = expand_plan("frequent-boost", start, None, "UTC")
    assert draft.starts_at == draft.slots[0].starts_at == datetime(2026, 11, 28, 8, tzinfo=UTC)


def test_frequent_boost_defaults_to_15_min_every_2_h_for_48_h():
    start = datetime(2026, 11, 28, 8, tzinfo=UTC)
    draft = expand_plan("frequent-boost", start, None, "Europe/London")
    assert len(draft.slots) == 24
    assert draft.slots[1].starts_at - draft.slots[0].starts_at == timedelta(hours=2)
    assert [(p.kind, p.side, p.minutes) for p in draft.slots[0].phases] == [("pump", "both", 15)]
    night = [s for s in draft.slots if s.starts_at.hour in range(0, 6)]
    assert night, "keeps at least one session at night"


def test_frequent_boost_every_2_h_is_elapsed_time_over_new_york_fall_back():
    start = datetime(2026, 11, 1, 4, tzinfo=UTC)  # 00:00 EDT, the night the clocks go back
    slots = expand_plan("frequent-boost", start, None, "America/New_York").slots
    local = [s.starts_at.astimezone(ZoneInfo("America/New_York")).strftime("%H:%M") for s in slots[:3]]
    assert local == ["00:00", "01:00", "03:00"]  # 01:00 EDT, then 2 h later is 03:00 EST


def test_power_hour_default_is_20_10_10_10_10_at_07_00_for_7_days():
    start = datetime(2026, 11, 28, 3, tzinfo=UTC)
    draft = expand_plan("power-hour", start, None, "America/New_York")
    assert len(draft.slots) == 7
    assert [(p.kind, p.minutes) for p in draft.slots[0].phases] == [
        ("pump", 20), ("rest", 10), ("pump", 10), ("rest", 10), ("pump", 10)
    ]
    assert draft.slots[0].ends_at - draft.slots[0].starts_at == timedelta(minutes=60)
    assert {s.starts_at.astimezone(ZoneInfo("America/New_York")).strftime("%H:%M") for s in draft.slots} == {"07:00"}


def test_power_hour_stays_at_07_00_over_london_spring_forward():
    start = datetime(2026, 3, 27, 12, tzinfo=UTC)
    slots = expand_plan("power-hour", start, None, "Europe/London").slots
    assert [s.starts_at.strftime("%d %H:%M") for s in slots[:4]] == ["28 07:00", "29 06:00", "30 06:00", "31 06:00"]


def test_nonexistent_local_time_lands_after_the_gap_and_ambiguous_means_first():
    start = datetime(2026, 3, 7, 12, tzinfo=UTC)
    ny = ZoneInfo("America/New_York")
    slots = expand_plan("power-hour", start, {"start_time": "02:30", "days": 5}, "America/New_York").slots
    assert slots[0].starts_at.astimezone(ny).strftime("%d %H:%M %Z") == "08 03:30 EDT"
    start = datetime(2026, 10, 31, 12, tzinfo=UTC)
    slots = expand_plan("power-hour", start, {"start_time": "01:30", "days": 5}, "America/New_York").slots
    assert slots[0].starts_at.astimezone(ny).strftime("%d %H:%M %Z") == "01 01:30 EDT"


def test_lord_howe_half_hour_gap_moves_a_slot_by_30_min():
    start = datetime(2026, 10, 2, tzinfo=UTC)
    zone = ZoneInfo("Australia/Lord_Howe")
    slots = expand_plan("power-hour", start, {"start_time": "02:15", "days": 5}, "Australia/Lord_Howe").slots
    local = [s.starts_at.astimezone(zone).strftime("%d %H:%M") for s in slots]
    assert local == ["03 02:15", "04 02:45", "05 02:15", "06 02:15", "07 02:15"]


def test_power_hour_long_is_20_10_15_10_15_for_3_days_by_default():
    draft = expand_plan("power-hour-long", datetime(2026, 11, 28, tzinfo=UTC), None, "UTC")
    assert len(draft.slots) == 3
    assert [p.minutes for p in draft.slots[0].phases] == [20, 10, 15, 10, 15]
    twice = expand_plan("power-hour-long", datetime(2026, 11, 28, tzinfo=UTC), {"blocks_per_day": 2, "days": 2}, "UTC")
    assert [s.starts_at.strftime("%d %H:%M") for s in twice.slots] == ["28 07:00", "28 19:00", "29 07:00", "29 19:00"]


def test_cluster_evening_alternates_short_pumps_and_rests_over_2_hours():
    draft = expand_plan("cluster-evening", datetime(2026, 11, 28, tzinfo=UTC), None, "UTC")
    phases = [(p.kind, p.minutes) for p in draft.slots[0].phases]
    assert phases == [("pump", 10), ("rest", 15)] * 4 + [("pump", 10)]
    assert draft.slots[0].starts_at.strftime("%H:%M") == "18:00"


def test_exclusive_newborn_gives_8_sessions_with_night_gap_at_most_5_h_and_100_min():
    draft = expand_plan("exclusive-newborn", datetime(2026, 11, 28, 5, tzinfo=UTC), {"days": 2}, "UTC")
    day = draft.slots[:8]
    gaps = [b.starts_at - a.starts_at for a, b in pairwise(draft.slots)]
    assert len(draft.slots) == 16
    assert all(timedelta(hours=2) <= g <= timedelta(hours=3) for g in gaps[:7])
    assert max(gaps) - timedelta(minutes=20) <= timedelta(hours=5)  # session start to start minus pumping time
    assert sum(p.minutes for s in day for p in s.phases) >= 100
    four = expand_plan("exclusive-newborn", datetime(2026, 11, 28, 5, tzinfo=UTC), {"night_gap_h": 4}, "UTC")
    gaps = [b.starts_at - a.starts_at for a, b in pairwise(four.slots)]
    assert max(gaps) <= timedelta(hours=4)


def test_exclusive_established_gives_7_sessions_every_3_h_and_a_6_h_night():
    draft = expand_plan("exclusive-established", datetime(2026, 11, 28, 5, tzinfo=UTC), {"days": 1}, "UTC")
    gaps = {b.starts_at - a.starts_at for a, b in pairwise(draft.slots)}
    assert len(draft.slots) == 7 and gaps == {timedelta(hours=3)}
    two = expand_plan("exclusive-established", datetime(2026, 11, 28, 5, tzinfo=UTC), {"days": 2}, "UTC")
    assert two.slots[7].starts_at - two.slots[6].starts_at == timedelta(hours=6)


def test_wean_drops_a_session_every_4_days_then_every_7_at_3_or_fewer():
    draft = expand_plan("wean", datetime(2026, 11, 28, tzinfo=UTC), None, "UTC")
    per_day: dict = {}
    for slot in draft.slots:
        per_day[slot.starts_at.date()] = per_day.get(slot.starts_at.date(), 0) + 1
    assert list(per_day.values()) == [6] * 4 + [5] * 4 + [4] * 4 + [3] * 7 + [2] * 7 + [1] * 7


@pytest.mark.parametrize(
    "params, field",
    [
        ({"hours": 24}, "params.hours"),
        ({"hours": "48"}, "params.hours"),
        ({"hours": True}, "params.hours"),
        ({"hours": 48.5}, "params.hours"),
        ({"hours": float("inf")}, "params.hours"),
        ({"bogus": 1}, "params.bogus"),
    ],
)
def test_out_of_range_or_unknown_params_name_the_field(params, field):
    with pytest.raises(InvalidPlanParams) as caught:
        expand_plan("frequent-boost", datetime(2026, 11, 28, tzinfo=UTC), params, "UTC")
    assert field in caught.value.fields


@pytest.mark.parametrize("value", ["7:00", "24:00", "07:60", "0700", 700, None, "٠٧:٠٠"])
def test_bad_times_are_refused(value):
    with pytest.raises(InvalidPlanParams):
        expand_plan("power-hour", datetime(2026, 11, 28, tzinfo=UTC), {"start_time": value}, "UTC")


def test_second_block_must_come_two_hours_after_the_first():
    params = {"blocks_per_day": 2, "start_time": "07:00", "second_start_time": "08:00"}
    with pytest.raises(InvalidPlanParams):
        expand_plan("power-hour-long", datetime(2026, 11, 28, tzinfo=UTC), params, "UTC")


def test_unknown_template_zone_and_naive_start_are_refused():
    with pytest.raises(UnknownTemplate):
        expand_plan("nope", datetime(2026, 11, 28, tzinfo=UTC), None, "UTC")
    with pytest.raises(InvalidPlanParams):
        expand_plan("power-hour", datetime(2026, 11, 28, tzinfo=UTC), None, "Mars/Olympus")
    with pytest.raises(InvalidPlanParams):
        expand_plan("power-hour", datetime(2026, 11, 28), None, "UTC")


def test_start_must_be_between_a_day_ago_and_90_days_ahead():
    now = datetime(2026, 11, 28, tzinfo=UTC)
    check_start(now - timedelta(hours=23), now)
    for bad in (now - timedelta(days=2), now + timedelta(days=91)):
        with pytest.raises(InvalidPlanParams):
            check_start(bad, now)


def session(id_, at, ml=100.0):
    """Return a logged session starting at `at`."""
    return LoggedSession(id_, at, ml)


def test_progress_marks_done_late_missed_and_upcoming():
    start = datetime(2026, 11, 28, 8, tzinfo=UTC)
    slots = expand_plan("frequent-boost", start, None, "UTC").slots
    sessions = [
        session("early", start - timedelta(minutes=20)),  # 20 min early counts for slot 0
        session("late", start + timedelta(hours=2, minutes=45)),  # 45 min late for slot 1
        session("next-early", start + timedelta(hours=5, minutes=40)),  # 20 min before slot 3: slot 3, not 2
    ]
    now = start + timedelta(hours=7)
    progress = plan_progress(slots, sessions, start, now)
    by_index = {p.index: p for p in progress.slots}
    assert (by_index[0].status, by_index[0].late_min, by_index[0].session_id) == ("done", 0, "early")
    assert (by_index[1].status, by_index[1].late_min) == ("done", 45)
    assert by_index[2].status == "missed"
    assert by_index[3].status == "done" and by_index[3].session_id == "next-early"
    assert by_index[4].status == "upcoming"  # its window is still open
    assert (progress.done, progress.missed, progress.upcoming) == (3, 1, 20)


def test_progress_compares_daily_volume_with_the_week_before():
    start = datetime(2026, 11, 28, 8, tzinfo=UTC)
    slots = expand_plan("frequent-boost", start, None, "UTC").slots
    before = [session(f"b{d}", start - timedelta(days=d), 700.0) for d in range(1, 8)]
    during = [session(f"d{h}", start + timedelta(hours=2 * h), 80.0) for h in range(12)]
    progress = plan_progress(slots, before + during, start, start + timedelta(days=1))
    assert progress.daily_volume_before_ml == 700.0
    assert progress.daily_volume_during_ml == 960.0
    assert plan_progress(slots, [], start, start - timedelta(hours=1)).daily_volume_during_ml is None


def test_cancelled_plan_marks_later_slots_cancelled():
    start = datetime(2026, 11, 28, 8, tzinfo=UTC)
    slots = expand_plan("frequent-boost", start, None, "UTC").slots
    progress = plan_progress(slots, [], start, start + timedelta(days=3), cancelled_at=start + timedelta(hours=5))
    assert [p.status for p in progress.slots[:4]] == ["missed", "missed", "missed", "cancelled"]


def test_active_plan_is_finished_once_its_last_slot_ends():
    end = datetime(2026, 11, 28, tzinfo=UTC)
    assert plan_status("active", end, end) == "finished"
    assert plan_status("active", end, end - timedelta(seconds=1)) == "active"
    assert plan_status("cancelled", end, end) == "cancelled"
