"""A session's total volume and duration, as every view (API, CSV, share page, plans) reads them."""

from datetime import UTC, datetime, timedelta

from server.domain.sessions import duration_min, total_volume_ml


def test_total_volume_adds_the_measured_sides_and_is_none_when_neither_was_measured():
    assert total_volume_ml(60.0, None) == 60.0
    assert total_volume_ml(60.0, 45.5) == 105.5
    assert total_volume_ml(None, None) is None


def test_duration_is_minutes_from_start_to_end():
    start = datetime(2026, 11, 28, 9, tzinfo=UTC)
    assert duration_min(start, start + timedelta(minutes=17, seconds=30)) == 17.5
