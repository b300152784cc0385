"""A day's figures never depend on the range asked for, in any zone (oracle: every earlier session, one by one)."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from server.domain.export import SessionRecord, session_rows
from server.domain.summary import GoalFacts, SessionFacts, sessions_span, summarize_days
from tests.domain.oracle import ALL_ZONES, ODD_ZONES, transitions

GOAL = GoalFacts(daily_volume_ml=750, sessions_per_day=8)
zones = st.sampled_from(ODD_ZONES) | st.sampled_from(ALL_ZONES)


@st.composite
def histories(draw):
    """Draw a zone and sessions with distinct whole-minute starts over a few days of a year in 1990-2037."""
    zone = draw(zones)
    base = datetime(draw(st.integers(1990, 2037)), 1, 1, tzinfo=UTC) + timedelta(days=draw(st.integers(0, 360)))
    starts = draw(st.lists(st.integers(0, 4 * 24 * 60), min_size=1, max_size=12, unique=True))
    lengths = draw(st.lists(st.integers(1, 180), min_size=len(starts), max_size=len(starts)))
    sessions = [
        SessionFacts(base + timedelta(minutes=s), base + timedelta(minutes=s + n), 10.0, 10.0)
        for s, n in zip(sorted(starts), lengths, strict=True)
    ]
    return ZoneInfo(zone), sessions


def latest_end_before(sessions: list[SessionFacts], moment: datetime) -> datetime | None:
    """Return the latest end among the sessions started before `moment`, as the services ask the database."""
    return max((s.ended_at for s in sessions if s.started_at < moment), default=None)


def summary(sessions, first: date, last: date, zone: ZoneInfo):
    """Summarize a range the way the summary service does: its sessions, and the latest end before it."""
    start, end = sessions_span(first, last, zone)
    inside = [s for s in sessions if start <= s.started_at < end]
    return summarize_days(inside, first, last, zone, GOAL, latest_end_before(sessions, start))


def oracle_longest_gap(sessions: list[SessionFacts], day: date, zone: ZoneInfo) -> float | None:
    """Return the day's longest gap: each of its sessions against the latest end of every session started before."""
    gaps = []
    for session in sessions:
        if session.started_at.astimezone(zone).date() != day:
            continue
        before = [s.ended_at for s in sessions if s.started_at < session.started_at]
        if before:
            gaps.append(max((session.started_at - max(before)).total_seconds() / 60, 0.0))
    return max(gaps, default=None)


@settings(max_examples=100, deadline=None)
@given(histories(), st.integers(0, 3), st.integers(0, 3))
def test_a_day_reads_the_same_alone_and_inside_any_wider_range(history, before, after):
    zone, sessions = history
    days = sorted({s.started_at.astimezone(zone).date() for s in sessions})
    for day in days:
        [alone] = summary(sessions, day, day, zone)
        wide = summary(sessions, day - timedelta(days=before), day + timedelta(days=after), zone)
        [inside] = [d for d in wide if d.date == day]
        assert alone == inside
        assert alone.longest_gap_min == oracle_longest_gap(sessions, day, zone)


def test_st_johns_hour_that_came_back_after_midnight_counts_for_its_day_in_any_range():
    """On 30 Oct 2005 St John's went back from 00:01 to 23:01: 29 Oct came back for an hour after 30 Oct began."""
    st_johns = ZoneInfo("America/St_Johns")
    repeated = datetime(2005, 10, 30, 3, 0, tzinfo=UTC)  # 23:30 on 29 Oct, the second time round
    next_day = datetime(2005, 10, 30, 2, 30, 30, tzinfo=UTC)  # 00:00:30 on 30 Oct, before the clocks went back
    sessions = [SessionFacts(moment, moment + timedelta(minutes=20), 10.0, 10.0)
                for moment in (datetime(2005, 10, 29, 20, tzinfo=UTC), next_day, repeated)]
    assert repeated.astimezone(st_johns).date() == date(2005, 10, 29)
    [alone] = summary(sessions, date(2005, 10, 29), date(2005, 10, 29), st_johns)
    wide = summary(sessions, date(2005, 10, 28), date(2005, 10, 31), st_johns)
    assert alone == wide[1] and alone.sessions == 2 and alone.hours == 24
    assert [day.sessions for day in wide] == [0, 2, 1, 0]
    [next_alone] = summary(sessions, date(2005, 10, 30), date(2005, 10, 30), st_johns)
    assert next_alone == wide[2]


def test_a_span_ends_at_the_next_midnight_where_it_is_skipped_or_passes_once():
    """Spring forward at midnight (Havana) or an ordinary night: the span ends where the next day begins."""
    havana = ZoneInfo("America/Havana")  # 2026-03-08 00:00 -> 01:00
    assert sessions_span(date(2026, 3, 7), date(2026, 3, 7), havana)[1] == datetime(2026, 3, 8, 5, tzinfo=UTC)
    paris = ZoneInfo("Europe/Paris")
    assert sessions_span(date(2026, 7, 1), date(2026, 7, 2), paris) == (
        datetime(2026, 7, 1, tzinfo=paris), datetime(2026, 7, 2, 22, tzinfo=UTC))


def test_kolkata_late_long_session_counts_for_the_next_day_in_any_range():
    kolkata = ZoneInfo("Asia/Kolkata")
    sessions = [
        SessionFacts(datetime(2026, 7, 9, 23, 0, tzinfo=kolkata), datetime(2026, 7, 9, 23, 50, tzinfo=kolkata), 1, 1),
        SessionFacts(datetime(2026, 7, 9, 23, 10, tzinfo=kolkata), datetime(2026, 7, 9, 23, 20, tzinfo=kolkata), 1, 1),
        SessionFacts(datetime(2026, 7, 10, 0, 30, tzinfo=kolkata), datetime(2026, 7, 10, 0, 45, tzinfo=kolkata), 1, 1),
    ]
    both = summary(sessions, date(2026, 7, 9), date(2026, 7, 10), kolkata)
    [alone] = summary(sessions, date(2026, 7, 10), date(2026, 7, 10), kolkata)
    assert both[1].longest_gap_min == alone.longest_gap_min == 40


def test_sessions_csv_gap_runs_from_the_latest_end_before_the_range():
    kolkata = ZoneInfo("Asia/Kolkata")
    late = datetime(2026, 7, 10, 0, 30, tzinfo=kolkata)
    [row] = session_rows(
        [SessionRecord(late, late + timedelta(minutes=15), 1.0, 1.0, "double")], kolkata, "ml",
        previous_end=datetime(2026, 7, 9, 23, 50, tzinfo=kolkata),
    )  # fmt: skip
    assert row[6] == "40"


@st.composite
def sessions_around_a_clock_change(draw):
    """Draw a zone and whole-minute session starts within a day and a half of one of its clock changes."""
    zone = ZoneInfo(draw(zones))
    year = draw(st.integers(1990, 2037))
    changes = transitions(zone, year) or [datetime(year, 6, 1, tzinfo=UTC)]
    change = draw(st.sampled_from(changes))
    offsets = draw(st.lists(st.integers(-36 * 60, 36 * 60), min_size=1, max_size=40, unique=True))
    starts = sorted(change + timedelta(minutes=m) for m in offsets)
    return zone, [SessionFacts(start, start + timedelta(minutes=10), 10.0, 10.0) for start in starts]


@settings(max_examples=300, deadline=None)
@given(sessions_around_a_clock_change())
def test_day_and_night_of_each_session_agree_with_its_local_clock_across_clock_changes(history):
    """A session counts on its local start date, and at night when that local hour is 1 to 4, on any zone's change."""
    zone, sessions = history
    local = [s.started_at.astimezone(zone) for s in sessions]
    first, last = local[0].date(), local[-1].date()
    days = summarize_days(sessions, first, last, zone, GOAL)
    assert [(d.date, d.sessions, d.night_sessions) for d in days] == [
        (day, sum(t.date() == day for t in local), sum(t.date() == day and 1 <= t.hour < 5 for t in local))
        for day in (first + timedelta(days=n) for n in range((last - first).days + 1))
    ]
