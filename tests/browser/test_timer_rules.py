"""The timer's pure rules (frontend/js/timer-rules.js), run in the browser with plain values: her usual length,
when a running timer looks forgotten, which end times may be saved, and what the side timers add up to."""

import pytest

RULES = "import('/assets/js/timer-rules.js')"
T0 = "2026-12-07T06:00:00.000Z"
MINUTE = 60_000


@pytest.fixture
def rules(page):
    """A page on the app's origin that can call the rules: `call(expression)` evaluates it with `r` the module."""
    page.goto("/manifest.webmanifest")

    def call(expression: str, arg=None):
        """Evaluate `expression` with the module as `r` and `arg` as `a`."""
        return page.evaluate(f"async (a) => {{ const r = await {RULES}; return {expression}; }}", arg)

    return call


def sessions(*minutes: float) -> list[dict]:
    """Sessions an hour apart, newest first, lasting these many minutes."""
    return [{"started_at": f"2026-12-{7 - i // 24:02d}T{23 - i % 24:02d}:00:00+00:00", "duration_min": m}
            for i, m in enumerate(minutes)]


def test_usual_length_is_the_median_of_her_last_ten_sessions_with_20_minutes_when_none(rules):
    """No sessions: 20 min; odd and even counts take the middle; only the newest ten count; the API's bounds hold."""
    assert rules("r.usualMinutes(a)", []) == 20
    assert rules("r.usualMinutes(a)", None) == 20
    assert rules("r.usualMinutes(a)", sessions(15, 30, 10)) == 15
    assert rules("r.usualMinutes(a)", sessions(15, 30, 10, 20)) == 18  # (15 + 20) / 2 = 17.5, rounded
    assert rules("r.usualMinutes(a)", sessions(*[12] * 10, 90, 90, 90, 90, 90, 90, 90, 90, 90, 90, 90)) == 12
    assert rules("r.usualMinutes(a)", sessions(0.2)) == 1
    # A session still queued has a start and an end, not a length.
    queued = {"started_at": "2026-12-07T05:00:00+00:00", "ended_at": "2026-12-07T05:25:00+00:00"}
    assert rules("r.usualMinutes(a)", [queued]) == 25
    assert rules("r.usualMinutes(a)", [{"started_at": "2026-12-07T05:00:00+00:00"}]) == 20


@pytest.mark.parametrize(("usual", "after"), [(10, 40), (20, 50), (30, 60), (45, 90), (120, 240)])
def test_a_timer_looks_forgotten_after_twice_her_usual_length_and_never_under_usual_plus_30(rules, usual, after):
    """The wide margin is max(2 x usual, usual + 30 min): a minute before it the timer runs on, at it, it asks."""
    assert rules("r.forgottenAfterMinutes(a)", usual) == after
    timer = {"started_at": T0}
    start = rules("Date.parse(a)", T0)
    assert rules("r.looksForgotten(a[0], a[1], a[2])", [timer, usual, start + (after - 1) * MINUTE]) is False
    assert rules("r.looksForgotten(a[0], a[1], a[2])", [timer, usual, start + after * MINUTE]) is True


def test_still_pumping_counts_the_margin_again_from_her_answer(rules):
    """Once she says she still pumps, the timer asks again only a whole margin after that answer."""
    start = rules("Date.parse(a)", T0)
    confirmed = {"started_at": T0, "confirmed_at": "2026-12-07T06:50:00.000Z"}
    assert rules("r.looksForgotten(a[0], 20, a[1])", [confirmed, start + 99 * MINUTE]) is False
    assert rules("r.looksForgotten(a[0], 20, a[1])", [confirmed, start + 100 * MINUTE]) is True


def test_an_end_time_is_saved_only_from_a_minute_to_four_hours_after_the_start_and_never_ahead(rules):
    """Each refused end says why; the latest end offered is now or the 4-hour limit, whichever comes first."""
    start = rules("Date.parse(a)", T0)
    now = start + 5 * 60 * MINUTE
    check = "r.endProblem({started_at: a[0]}, a[1], a[2])"
    assert rules(check, [T0, start + 30 * MINUTE, now]) is None
    assert rules(check, [T0, start + 240 * MINUTE, now]) is None
    assert "at most 4 hours" in rules(check, [T0, start + 241 * MINUTE, now])
    assert "at least a minute" in rules(check, [T0, start + 30_000, now])
    assert "before now" in rules(check, [T0, now + MINUTE, now])
    assert "Choose" in rules(check, [T0, None, now])
    assert rules("r.latestEnd({started_at: a[0]}, a[1]).getTime()", [T0, now]) == start + 240 * MINUTE
    assert rules("r.latestEnd({started_at: a[0]}, a[1]).getTime()", [T0, start + 50 * MINUTE]) == start + 50 * MINUTE
    assert rules("r.tooLongToSave({started_at: a[0]}, a[1])", [T0, start + 241 * MINUTE]) is True
    assert rules("r.tooLongToSave({started_at: a[0]}, a[1])", [T0, start + 240 * MINUTE]) is False


def test_side_timers_pause_and_resume_and_fill_the_form_with_each_sides_minutes(rules):
    """Taps start, pause and resume a side; the form gets the side used (both: double) and minutes per side."""
    start = rules("Date.parse(a)", T0)
    left = rules("r.tapSide(undefined, a)", start)
    assert left == {"seconds": 0, "since": T0}
    left = rules("r.tapSide(a[0], a[1])", [left, start + 5 * MINUTE])
    assert left == {"seconds": 300, "since": None}
    assert rules("r.sideAt(a[0], a[1])", [left, start + 60 * MINUTE]) == {"seconds": 300, "running": False}
    left = rules("r.tapSide(a[0], a[1])", [left, start + 10 * MINUTE])
    assert rules("r.sideAt(a[0], a[1])", [left, start + 12 * MINUTE]) == {"seconds": 420, "running": True}
    assert rules("r.sidesForForm(a[0], a[1])", [{"left": left}, start + 12 * MINUTE]) == {
        "mode": "left", "notes": "Side timers: left 7 min."}
    right = {"seconds": 30, "since": None}
    assert rules("r.sidesForForm(a[0], a[1])", [{"left": left, "right": right}, start + 12 * MINUTE]) == {
        "mode": "double", "notes": "Side timers: left 7 min, right 1 min."}
    # A side left running past a chosen end counts up to that end, never less than what it had.
    assert rules("r.sideAt(a[0], a[1])", [left, start + 5 * MINUTE]) == {"seconds": 300, "running": True}
    assert rules("r.sidesForForm(a, 0)", None) is None
    assert rules("r.sidesForForm(a, 0)", {"left": {"seconds": 0, "since": None}}) is None
