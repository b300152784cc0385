"""Trends read the summary's local days, in any zone: checked against sums taken straight from the sessions."""

from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.domain.errors import InvalidInput
from server.domain.summary import GoalFacts, SessionFacts, day_bounds, summarize_days
from server.domain.trends import REFERENCES, check_birth_date, check_weeks, days_needed, trends
from tests.domain.oracle import ALL_ZONES, ODD_ZONES, day_hours

GOAL = GoalFacts(daily_volume_ml=750, sessions_per_day=8)
zones = st.sampled_from(ODD_ZONES) | st.sampled_from(ALL_ZONES)
amounts = st.none() | st.integers(0, 300).map(float)


@st.composite
def histories(draw):
    """Draw a zone, a local today in 1990-2037 and sessions over the 13 weeks before it (and a day after)."""
    zone = ZoneInfo(draw(zones))
    today = date(draw(st.integers(1990, 2037)), 1, 1) + timedelta(days=draw(st.integers(0, 360)))
    start = datetime.combine(today, datetime.min.time(), tzinfo=UTC) - timedelta(days=92)
    minutes = draw(st.lists(st.integers(0, 94 * 24 * 60), min_size=0, max_size=60, unique=True))
    sessions = []
    for minute in sorted(minutes):
        begun = start + timedelta(minutes=minute)
        unsided = draw(st.none() | st.just(55.0)) if draw(st.booleans()) else None
        sessions.append(SessionFacts(begun, begun + timedelta(minutes=draw(st.integers(1, 90))), draw(amounts),
                                     draw(amounts), unsided))
    return zone, today, sessions


def local(session: SessionFacts, zone: ZoneInfo) -> date:
    """The oracle's day of a session: the local calendar date it started on."""
    return session.started_at.astimezone(zone).date()


def computed(sessions, zone: ZoneInfo, today: date, weeks: int, birth: date | None = None, unit: str = "ml"):
    """Work out trends the way the service does: the summary's days over days_needed, and the first session's day."""
    first, last = days_needed(today, weeks)
    start, end = day_bounds(first, zone)[0], day_bounds(last, zone)[1]
    days = summarize_days([s for s in sessions if start <= s.started_at < end], first, last, zone, GOAL)
    since = min((local(s, zone) for s in sessions), default=None)
    return trends(days, today, weeks, unit, birth, since)


def total(session: SessionFacts) -> float:
    """All the milk of a session."""
    return (session.left_ml or 0) + (session.right_ml or 0) + (session.unsided_ml or 0)


@settings(max_examples=60, deadline=None)
@given(histories(), st.sampled_from([4, 8, 12]))
def test_every_figure_agrees_with_sums_taken_straight_from_the_sessions(history, weeks):
    zone, today, sessions = history
    found = computed(sessions, zone, today, weeks)
    since = min((local(s, zone) for s in sessions), default=None)
    assert [d.date for d in found.days] == [today - timedelta(days=7 * weeks - 1 - n) for n in range(7 * weeks)]
    for day in found.days:
        mine = [s for s in sessions if local(s, zone) == day.date]
        hours = day_hours(day.date, zone)
        assert day.hours == hours
        assert day.sessions == len(mine)
        assert day.total_ml == pytest.approx(sum(map(total, mine)))
        assert day.sessions_per_24h == (pytest.approx(len(mine) * 24 / hours) if hours else None)
        minutes = sum((s.ended_at - s.started_at).total_seconds() / 60 for s in mine)
        assert day.pumping_min == pytest.approx(minutes)
        assert day.ml_per_min == (pytest.approx(sum(map(total, mine)) / minutes) if minutes else None)
        week = [s for s in sessions if day.date - timedelta(days=6) <= local(s, zone) <= day.date]
        if day.date < today and since is not None and day.date - timedelta(days=6) >= since:
            assert day.rolling_mean_ml == pytest.approx(sum(map(total, week)) / 7)
        else:
            assert day.rolling_mean_ml is None
    for week, offset in ((found.latest_week, 1), (found.previous_week, 8)):
        last = today - timedelta(days=offset)
        if since is None or last - timedelta(days=6) < since:
            assert week is None
            continue
        mine = [s for s in sessions if last - timedelta(days=6) <= local(s, zone) <= last]
        assert (week.first, week.last) == (last - timedelta(days=6), last)
        assert week.total_ml == pytest.approx(sum(map(total, mine)))
        left, right = sum(s.left_ml or 0 for s in mine), sum(s.right_ml or 0 for s in mine)
        assert week.left_share == (pytest.approx(left / (left + right)) if left + right else None)
        hours = sum(day_hours(last - timedelta(days=n), zone) for n in range(7))
        assert week.sessions_per_24h == pytest.approx(len(mine) * 24 / hours)


@settings(max_examples=40, deadline=None)
@given(histories())
def test_the_statement_of_the_total_states_the_exact_change_rounded(history):
    zone, today, sessions = history
    found = computed(sessions, zone, today, 4)
    [stated] = [s for s in found.statements if s.kind in ("total", "nothing-logged", "too-early")]
    weeks = [sum(total(s) for s in sessions if today - timedelta(days=end + 6) <= local(s, zone)
                 <= today - timedelta(days=end)) for end in (1, 8)]
    if found.previous_week is None or weeks[1] == 0:
        assert stated.change_pct is None
        return
    exact = Fraction(100) * (Fraction(weeks[0]) - Fraction(weeks[1])) / Fraction(weeks[1])
    assert abs(exact - stated.change_pct) <= Fraction(1, 2)
    word = "higher" if stated.change_pct > 0 else "lower" if stated.change_pct < 0 else "about the same"
    assert word in stated.text and "%" in stated.text or stated.change_pct == 0


@settings(max_examples=40, deadline=None)
@given(histories(), st.integers(1, 30))
def test_a_day_reads_the_same_over_4_8_or_12_weeks_and_on_any_later_day(history, later):
    zone, today, sessions = history
    wide = {d.date: d for d in computed(sessions, zone, today, 12).days}
    for weeks in (4, 8):
        for day in computed(sessions, zone, today, weeks).days:
            assert wide[day.date] == day
    for day in computed(sessions, zone, today + timedelta(days=later), 12).days:
        if day.date < today and day.date in wide:
            assert wide[day.date] == day


def test_days_of_life_count_from_the_birth_date_as_day_0_with_markers_on_days_7_and_14():
    zone, today = ZoneInfo("Europe/Berlin"), date(2026, 12, 7)
    birth = date(2026, 11, 20)
    found = computed([], zone, today, 4, birth)
    by_date = {d.date: d.day_of_life for d in found.days}
    assert by_date[date(2026, 11, 19)] is None and by_date[birth] == 0 and by_date[today] == 17
    assert [(m.day_of_life, m.date) for m in found.markers] == [(7, date(2026, 11, 27)), (14, date(2026, 12, 4))]
    assert computed([], zone, today, 4, date(2026, 1, 1)).markers == []


def test_references_carry_the_figures_and_sources_of_the_daily_volume_reference():
    by_key = {r.key: r for r in REFERENCES}
    assert (by_key["coming-to-volume"].low_ml, by_key["coming-to-volume"].day_of_life) == (500, 14)
    assert "Mago-Shah" in by_key["coming-to-volume"].source
    two_weeks = by_key["two-weeks"]
    assert (two_weeks.low_ml, two_weeks.high_ml, two_weeks.min_sessions_per_day, two_weeks.source) == (
        750, 1050, 8, "ameda.com")
    assert all(r.source for r in REFERENCES)


def _day_of_sessions(day: date, zone: ZoneInfo, left: float, right: float, count: int = 8) -> list[SessionFacts]:
    """Sessions of one local day, every two hours from 01:00, each with the given sides."""
    start = datetime.combine(day, datetime.min.time(), tzinfo=zone)
    return [SessionFacts(start + timedelta(hours=1 + 2 * n), start + timedelta(hours=1 + 2 * n, minutes=15), left,
                         right) for n in range(count)]


def test_statements_are_plain_sentences_of_change_and_never_advice():
    zone, today = ZoneInfo("America/New_York"), date(2026, 11, 10)  # 1 November, the week before, had 25 hours
    sessions = []
    for n in range(1, 15):
        day = today - timedelta(days=n)
        sessions += _day_of_sessions(day, zone, 62, 38) if n <= 7 else _day_of_sessions(day, zone, 60, 60)
    found = computed(sessions, zone, today, 4)
    texts = {s.kind: s.text for s in found.statements}
    assert texts["total"] == ("7-day total 17% lower than the week before: 5600 mL in the 7 days to yesterday, "
                              "6720 mL in the 7 days before.")
    assert texts["left_share"] == ("Left gives 62% of your milk in the 7 days to yesterday, right 38% (left 50% the "
                                   "week before).")
    # 56 sessions in the 169 hours of the week before are 7.95 per 24 h: written 8, as the week after.
    [per_24h] = [s for s in found.statements if s.kind == "sessions_per_24h"]
    assert per_24h.previous == pytest.approx(56 * 24 / 169) and per_24h.latest == 8
    assert per_24h.text == "Sessions per 24 h: 8 in the 7 days to yesterday, the same as the week before."
    assert texts["pumping_min_per_day"] == ("Pumping time a day: 2 h 00 min in the 7 days to yesterday, the same as "
                                            "the week before.")
    advice = ("should", "try ", "must", "need to", "consider", "recommend")
    assert [t for t in texts.values() if any(word in t.lower() for word in advice)] == []


def test_ounces_and_the_first_weeks_are_said_plainly():
    zone, today = ZoneInfo("UTC"), date(2026, 6, 30)
    first = [s for n in range(1, 10) for s in _day_of_sessions(today - timedelta(days=n), zone, 50, 50)]
    found = computed(first, zone, today, 4, unit="oz")
    assert found.previous_week is None
    assert found.statements[0].text == ("7-day total 189.36 oz in the 7 days to yesterday; comparisons with the "
                                        "week before start on 2026-07-05, once 14 whole days are logged.")
    assert computed(first[:8], zone, today, 4).statements[0].kind == "too-early"
    assert computed([], zone, today, 4).statements[0].kind == "nothing-logged"


def test_a_birth_date_after_today_and_weeks_other_than_4_8_12_are_refused():
    assert check_birth_date(date(2026, 12, 7), date(2026, 12, 7)) == date(2026, 12, 7)
    assert check_birth_date(None, date(2026, 12, 7)) is None
    with pytest.raises(InvalidInput):
        check_birth_date(date(2026, 12, 8), date(2026, 12, 7))
    with pytest.raises(InvalidInput):
        check_weeks(5)
