"""Equipment changes: runs of the same pump and flange size, compared by medians, as observations."""

from datetime import UTC, datetime, timedelta

from server.domain.equipment import OBSERVATION, Equipment, EquipmentFacts, equipment_changes
from server.domain.report import longest_gaps

START = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def session(hour: int, ml: float | None, pump: str | None = None, flange: float | None = None, minutes: int = 20):
    """A session `hour` hours after START with `ml` in all (split over both sides)."""
    started = START + timedelta(hours=hour)
    half = None if ml is None else ml / 2
    return EquipmentFacts(started, started + timedelta(minutes=minutes), half, half, None, pump, flange)


def test_a_change_of_pump_compares_the_medians_of_the_sessions_on_each_side():
    sessions = [session(0, 100, "Spectra S1", 24), session(3, 120), session(6, 200),
                session(9, 160, "Elvie Stride"), session(12, 140), session(15, None)]
    [change] = equipment_changes(sessions)
    assert change.at == START + timedelta(hours=9)
    assert change.changed == ("pump",)
    assert change.before.equipment == Equipment("Spectra S1", 24)
    assert (change.before.sessions, change.before.measured, change.before.median_ml_per_session) == (3, 3, 120)
    assert change.before.median_ml_per_min == 6  # 120 mL in 20 minutes
    # The empty fields kept the last session's flange; the session without a volume is counted, not measured.
    assert change.after.equipment == Equipment("Elvie Stride", 24)
    assert (change.after.sessions, change.after.measured, change.after.median_ml_per_session) == (3, 2, 150)


def test_a_flange_change_and_a_pump_named_in_another_case_is_one_change_of_flange():
    sessions = [session(0, 100, "Spectra S1", 24), session(3, 90, "spectra s1 ", 21)]
    [change] = equipment_changes(sessions)
    assert change.changed == ("flange_mm",)
    assert (change.before.equipment.flange_mm, change.after.equipment.flange_mm) == (24, 21)


def test_sessions_before_any_equipment_is_named_are_left_out_and_no_change_means_none():
    assert equipment_changes([session(0, 100), session(3, 100, "Spectra S1"), session(6, 80)]) == []
    assert equipment_changes([]) == []


def test_each_change_is_compared_with_the_run_just_before_it():
    sessions = [session(0, 100, "A", 24), session(3, 100, "B"), session(6, 50, "A")]
    first, second = equipment_changes(sessions)
    assert (first.before.equipment.pump, first.after.equipment.pump) == ("A", "B")
    assert (second.before.equipment.pump, second.after.equipment.pump) == ("B", "A")
    assert second.before == first.after


def test_a_session_that_lasted_no_time_has_an_amount_but_no_rate():
    [change] = equipment_changes([session(0, 100, "A", minutes=0), session(3, 100, "B")])
    assert change.before.median_ml_per_session == 100 and change.before.median_ml_per_min is None


def test_the_comparison_says_it_is_an_observation_not_a_cause():
    assert OBSERVATION.startswith("An observation, not a cause")


def test_longest_gaps_run_from_the_latest_earlier_end_and_skip_overlaps():
    times = [(START, START + timedelta(minutes=30)), (START + timedelta(minutes=10), START + timedelta(hours=2)),
             (START + timedelta(hours=5), START + timedelta(hours=5, minutes=20)),
             (START + timedelta(hours=6), START + timedelta(hours=6, minutes=20))]
    gaps = longest_gaps(times, previous_end=START - timedelta(hours=1), count=2)
    assert [gap.minutes for gap in gaps] == [180, 60]
    assert gaps[0].since == START + timedelta(hours=2)
