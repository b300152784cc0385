"""Storage limits, a container's expiry and status from its history, use-first order, stash reminders."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from server.domain import storage
from server.domain.errors import InvalidInput
from server.domain.reminders import QuietHours
from server.domain.storage import (
    ABM,
    CDC,
    FIVE,
    Event,
    ThawedMilkCannotRefreeze,
    replay,
    status,
)

T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
H = timedelta(hours=1)
D = timedelta(days=1)
ZONE = ZoneInfo("UTC")
# Calendar months from T0 (1 June 2026): 12 to 1 June 2027, 5 to 1 November 2026.
YEAR_ON = datetime(2027, 6, 1, 8, 0, tzinfo=UTC) - T0
FIVE_MONTHS_ON = datetime(2026, 11, 1, 8, 0, tzinfo=UTC) - T0

EXPECTED = {
    # (condition, guideline): the figure of docs/consultants.md's table
    ("room", CDC): 4 * H, ("room", ABM): 4 * H, ("room", FIVE): 5 * H,
    ("cooler", CDC): 24 * H, ("cooler", ABM): 24 * H, ("cooler", FIVE): 24 * H,
    ("fridge", CDC): 4 * D, ("fridge", ABM): 4 * D, ("fridge", FIVE): 5 * D,
    ("freezer", CDC): YEAR_ON, ("freezer", ABM): YEAR_ON, ("freezer", FIVE): FIVE_MONTHS_ON,
}


def _expressed(location, guideline=CDC, at=T0, volume=120.0):
    """History of milk expressed at `at` into `location`."""
    return [Event(storage.EXPRESSED, at, location, volume)]


@pytest.mark.parametrize(("location", "guideline"), list(EXPECTED))
def test_each_place_and_guideline_is_fresh_a_minute_before_its_limit_and_expired_a_minute_after(location, guideline):
    state = replay(_expressed(location), guideline, ZONE)
    limit = EXPECTED[(location, guideline)]
    assert state.expires_at == T0 + limit
    kept = storage.FROZEN if location == "freezer" else storage.FRESH
    assert status(state, T0 + limit - MIN) == kept
    assert status(state, T0 + limit + MIN) == storage.EXPIRED


@pytest.mark.parametrize("guideline", storage.GUIDELINES)
def test_thawed_milk_keeps_24_h_in_the_fridge_and_1_h_at_room_temperature_from_thawing(guideline):
    frozen = _expressed("freezer", guideline)
    thawed_at = T0 + 10 * D
    in_fridge = replay([*frozen, Event(storage.MOVED, thawed_at, "fridge")], guideline, ZONE)
    at_room = replay([*frozen, Event(storage.MOVED, thawed_at, "room")], guideline, ZONE)
    assert status(in_fridge, thawed_at + 24 * H - MIN) == storage.THAWED
    assert status(in_fridge, thawed_at + 24 * H + MIN) == storage.EXPIRED
    assert status(at_room, thawed_at + H - MIN) == storage.THAWED
    assert status(at_room, thawed_at + H + MIN) == storage.EXPIRED


@pytest.mark.parametrize("guideline", storage.GUIDELINES)
def test_leftover_milk_keeps_2_h_from_the_end_of_the_feed(guideline):
    fed_at = T0 + D
    state = replay([*_expressed("fridge", guideline), Event(storage.OFFERED, fed_at)], guideline, ZONE)
    assert status(state, fed_at + 2 * H - MIN) == storage.LEFTOVER_STATUS
    assert status(state, fed_at + 2 * H + MIN) == storage.EXPIRED


def test_a_guideline_longer_than_the_cdc_shows_the_cdc_limit_beside_it():
    assert storage.cdc_beside("room", FIVE).words == "4 h"
    assert storage.cdc_beside("fridge", FIVE).words == "4 days"
    assert storage.cdc_beside("freezer", FIVE) is None
    assert storage.cdc_beside("room", ABM) is None
    rows = {row["condition"]: row for row in storage.limits_table(FIVE)}
    assert rows["fridge"]["limit"] == "5 days" and rows["fridge"]["cdc_limit"] == "4 days"
    assert "5-5-5" in rows["fridge"]["source"] and "CDC" in rows["fridge"]["cdc_source"]


def test_every_limit_names_a_source():
    for guideline in storage.GUIDELINES:
        for row in storage.limits_table(guideline):
            assert row["source"] in storage.SOURCES.values()


def test_leftover_and_thawed_limits_say_what_the_cdc_counts_from_and_how_pumpwell_counts():
    leftover, thawed = storage.limit_for("leftover", CDC), storage.limit_for("thawed_fridge", CDC)
    assert "after the baby finishes feeding" in leftover.note and "start of the feed" not in leftover.note
    assert "fully thawed" in thawed.note and "counted here from leaving the freezer" in thawed.note
    assert leftover.source == thawed.source == storage.SOURCES[CDC]


BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(("guideline", "frozen", "expires"), [
    # Summer to winter: the same 10:00 on the parent's clock, an hour more of elapsed time.
    (CDC, datetime(2026, 8, 31, 10), datetime(2027, 8, 31, 10)),
    (FIVE, datetime(2026, 8, 31, 10), datetime(2027, 1, 31, 10)),
    # A month without that day ends on its last day, never later.
    (FIVE, datetime(2026, 9, 30, 10), datetime(2027, 2, 28, 10)),
    (CDC, datetime(2027, 2, 28, 23, 30), datetime(2028, 2, 28, 23, 30)),
    (FIVE, datetime(2027, 10, 31, 21), datetime(2028, 3, 31, 21)),
])
def test_freezer_months_are_calendar_months_on_the_parents_clock(guideline, frozen, expires):
    at = frozen.replace(tzinfo=BERLIN).astimezone(UTC)
    state = replay(_expressed("freezer", guideline, at=at), guideline, BERLIN)
    assert state.expires_at == expires.replace(tzinfo=BERLIN).astimezone(UTC)


def test_twelve_freezer_months_are_a_year_not_360_days():
    state = replay(_expressed("freezer"), CDC, ZONE)
    assert state.expires_at - T0 == timedelta(days=365)
    assert storage.limits_table(CDC)[3]["months"] == 12 and storage.limits_table(CDC)[3]["hours"] is None


def test_moving_fresh_milk_to_the_freezer_keeps_the_expression_time_and_counts_from_the_first_freeze():
    frozen_at = T0 + 2 * D
    state = replay([*_expressed("fridge"), Event(storage.MOVED, frozen_at, "freezer")], CDC, ZONE)
    assert state.expressed_at == T0
    assert state.first_frozen_at == frozen_at
    assert state.expires_at == datetime(2027, 6, 3, 8, 0, tzinfo=UTC)
    assert status(state, frozen_at + H) == storage.FROZEN


def test_room_milk_put_in_the_fridge_keeps_four_days_from_expression():
    state = replay([*_expressed("room"), Event(storage.MOVED, T0 + 3 * H, "fridge")], CDC, ZONE)
    assert state.expires_at == T0 + 4 * D


# (from, to) for milk that was never frozen: every move is allowed and gives this expiry.
FRESH_MOVES = {
    ("room", "cooler"): T0 + 24 * H,
    ("room", "fridge"): T0 + 4 * D,
    ("room", "freezer"): T0 + 2 * H + YEAR_ON,
    ("cooler", "room"): T0 + 3 * H,  # brought out of the cold: 1 h from the move
    ("cooler", "fridge"): T0 + 4 * D,
    ("cooler", "freezer"): T0 + 2 * H + YEAR_ON,
    ("fridge", "room"): T0 + 3 * H,
    ("fridge", "cooler"): T0 + 2 * H + 24 * H,
    ("fridge", "freezer"): T0 + 2 * H + YEAR_ON,
}


@pytest.mark.parametrize(("origin", "target"), list(FRESH_MOVES))
def test_fresh_milk_moves_between_any_two_places(origin, target):
    state = replay([*_expressed(origin), Event(storage.MOVED, T0 + 2 * H, target)], CDC, ZONE)
    assert (state.location, state.expires_at) == (target, FRESH_MOVES[(origin, target)])


@pytest.mark.parametrize(("target", "expires"), [("fridge", 24 * H), ("room", H)])
def test_frozen_milk_thaws_in_the_fridge_or_at_room_temperature(target, expires):
    at = T0 + 3 * D
    state = replay([*_expressed("freezer"), Event(storage.MOVED, at, target)], CDC, ZONE)
    assert state.thawed_at == at and state.expires_at == at + expires


def test_frozen_milk_does_not_go_to_the_cooler():
    with pytest.raises(storage.MoveNotAllowed):
        replay([*_expressed("freezer"), Event(storage.MOVED, T0 + D, "cooler")], CDC, ZONE)


def _thawed(at=T0 + D):
    """History of frozen milk thawed in the fridge at `at`."""
    return [*_expressed("freezer"), Event(storage.MOVED, at, "fridge")]


def test_thawed_milk_never_goes_back_to_the_freezer():
    with pytest.raises(ThawedMilkCannotRefreeze, match="never go back to the freezer"):
        replay([*_thawed(), Event(storage.MOVED, T0 + D + H, "freezer")], CDC, ZONE)
    at_room = [*_thawed(), Event(storage.MOVED, T0 + D + H, "room")]
    with pytest.raises(ThawedMilkCannotRefreeze):
        replay([*at_room, Event(storage.MOVED, T0 + D + H + MIN, "freezer")], CDC, ZONE)


def test_thawed_milk_does_not_go_to_the_cooler():
    with pytest.raises(storage.MoveNotAllowed):
        replay([*_thawed(), Event(storage.MOVED, T0 + D + H, "cooler")], CDC, ZONE)


def test_thawed_milk_moves_from_fridge_to_room_for_an_hour_and_back_keeping_that_clock():
    to_room = T0 + D + 2 * H
    at_room = replay([*_thawed(), Event(storage.MOVED, to_room, "room")], CDC, ZONE)
    assert at_room.expires_at == to_room + H
    back = replay([*_thawed(), Event(storage.MOVED, to_room, "room"), Event(storage.MOVED, to_room + MIN, "fridge")],
                  CDC, ZONE)
    assert back.expires_at == to_room + H and back.location == "fridge"


def test_moving_to_where_it_is_already_is_refused():
    with pytest.raises(InvalidInput):
        replay([*_expressed("fridge"), Event(storage.MOVED, T0 + H, "fridge")], CDC, ZONE)


def test_leftover_milk_cannot_be_moved_and_expired_milk_can_only_be_discarded():
    offered = [*_expressed("fridge"), Event(storage.OFFERED, T0 + H)]
    with pytest.raises(storage.MoveNotAllowed):
        replay([*offered, Event(storage.MOVED, T0 + 2 * H, "freezer")], CDC, ZONE)
    late = T0 + 4 * H + MIN
    with pytest.raises(storage.MilkExpired):
        replay([*_expressed("room"), Event(storage.MOVED, late, "fridge")], CDC, ZONE)
    discarded = replay([*_expressed("room"), Event(storage.DISCARDED_EVENT, late)], CDC, ZONE)
    assert status(discarded, late) == storage.DISCARDED


def test_partial_use_down_to_zero_closes_the_container_as_used():
    history = _expressed("fridge", volume=120.0)
    for step, amount in enumerate([50.0, 40.0, 30.0], start=1):
        history.append(Event(storage.USED_EVENT, T0 + step * H, None, amount))
        state = replay(history, CDC, ZONE)
    assert state.remaining_ml == 0 and status(state, T0 + 4 * H) == storage.USED
    with pytest.raises(storage.ContainerClosed):
        replay([*history, Event(storage.USED_EVENT, T0 + 5 * H, None, 1.0)], CDC, ZONE)


def test_using_more_than_is_left_is_refused_and_all_is_the_default():
    with pytest.raises(InvalidInput):
        replay([*_expressed("fridge", volume=100.0), Event(storage.USED_EVENT, T0 + H, None, 100.5)], CDC, ZONE)
    state = replay([*_expressed("fridge", volume=100.0), Event(storage.USED_EVENT, T0 + H)], CDC, ZONE)
    assert state.closed == storage.USED


def test_use_first_puts_what_expires_first_first_breaking_ties_by_expression_time_then_key():
    now = T0 + 30 * MIN
    containers = [
        ("freezer", replay(_expressed("freezer"), CDC, ZONE)),
        ("fridge-late", replay(_expressed("fridge", at=T0 + 10 * MIN), CDC, ZONE)),
        ("fridge-b", replay(_expressed("fridge"), CDC, ZONE)),
        ("fridge-a", replay(_expressed("fridge"), CDC, ZONE)),
        ("room", replay(_expressed("room"), CDC, ZONE)),
        ("old-room", replay(_expressed("room", at=T0 - 5 * H), CDC, ZONE)),  # expired: not offered for use
    ]
    assert storage.use_first(containers, now) == ["room", "fridge-a", "fridge-b", "fridge-late", "freezer"]


@pytest.mark.parametrize(("left", "words"), [
    (2 * D + 4 * H + 10 * MIN, "2 days 4 h left"),
    (D, "1 day left"),
    (3 * H + 20 * MIN, "3 h 20 min left"),
    (45 * MIN, "45 min left"),
    (-3 * H, "expired 3 h ago"),
    (-(D + 2 * H), "expired 1 day 2 h ago"),
])
def test_time_left_reads_in_words(left, words):
    assert storage.time_left_words(T0 + left, T0) == words




def test_a_fridge_container_across_the_spring_change_expires_in_elapsed_time_and_is_reminded_at_19_local():
    # Clocks in Berlin go forward on 29 March 2026 at 02:00.
    expressed = datetime(2026, 3, 27, 12, 0, tzinfo=BERLIN).astimezone(UTC)
    state = replay(_expressed("fridge", at=expressed), CDC, ZONE)
    assert state.expires_at - expressed == 4 * D
    assert state.expires_at.astimezone(BERLIN).hour == 13  # the wall clock moved, the milk did not
    draft = storage.stash_reminder("b1", "", state, BERLIN, None, expressed)
    assert draft.due_at.astimezone(BERLIN) == datetime(2026, 3, 30, 19, 0, tzinfo=BERLIN)
    assert draft.expires_at == state.expires_at


def test_the_evening_before_reminder_moves_ahead_of_quiet_hours_and_falls_back_when_the_evening_has_passed():
    quiet = QuietHours(time(18, 0), time(7, 0))
    expressed = datetime(2026, 6, 1, 9, 0, tzinfo=BERLIN).astimezone(UTC)
    state = replay(_expressed("fridge", at=expressed), CDC, ZONE)
    draft = storage.stash_reminder("b1", "", state, BERLIN, quiet, expressed)
    assert draft.due_at.astimezone(BERLIN) == datetime(2026, 6, 4, 17, 59, tzinfo=BERLIN)
    cooler = replay(_expressed("cooler", at=datetime(2026, 6, 1, 20, 0, tzinfo=BERLIN).astimezone(UTC)), CDC, ZONE)
    late = storage.stash_reminder("b2", "", cooler, BERLIN, None, cooler.expressed_at)
    assert late.due_at == cooler.expires_at - 2 * H


def test_room_milk_gets_a_reminder_at_three_hours_and_short_lived_milk_fifteen_minutes_before_it_expires():
    room = replay(_expressed("room"), CDC, ZONE)
    draft = storage.stash_reminder("b1", "Tuesday", room, BERLIN, None, T0)
    assert draft.due_at == T0 + 3 * H
    assert draft.body == "Put it in the fridge or use it within the hour."
    five = storage.stash_reminder("b1", "", replay(_expressed("room", FIVE), FIVE, ZONE), BERLIN, None, T0)
    assert five.body == "Put it in the fridge or use it within 2 h."
    leftover = replay([*_expressed("fridge"), Event(storage.OFFERED, T0 + H)], CDC, ZONE)
    assert storage.stash_reminder("b1", "", leftover, BERLIN, None, T0 + H).due_at == T0 + 3 * H - 15 * MIN


def test_no_reminder_for_used_discarded_or_expired_milk():
    used = replay([*_expressed("fridge"), Event(storage.USED_EVENT, T0 + H)], CDC, ZONE)
    assert storage.stash_reminder("b1", "", used, BERLIN, None, T0 + H) is None
    assert storage.stash_reminder("b1", "", replay(_expressed("room"), CDC, ZONE), BERLIN, None, T0 + 5 * H) is None


def test_a_stash_reminder_before_quiet_hours_that_start_at_a_skipped_time_comes_before_the_jump():
    # New York skips 02:00-03:00 on 14 March 2027; quiet hours from 02:15 begin at the jump (03:00 EDT).
    new_york = ZoneInfo("America/New_York")
    frozen = replay([*_expressed("freezer", at=datetime(2027, 3, 1, 12, tzinfo=UTC)),
                     Event(storage.MOVED, datetime(2027, 3, 13, 10, 30, tzinfo=UTC), "fridge")], CDC, new_york)
    quiet = QuietHours(time(2, 15), time(6))
    draft = storage.stash_reminder("b1", "", frozen, new_york, quiet, datetime(2027, 3, 13, 12, tzinfo=UTC))
    assert draft.due_at == datetime(2027, 3, 14, 1, 59, tzinfo=new_york).astimezone(UTC)
    assert not draft.fires_in_quiet_hours
