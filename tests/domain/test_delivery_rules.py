"""A reminder's life: statuses, moves and verdict; payload, TTL, urgency, backoff, expiry, refused phones."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.domain.delivery import (
    MAX_ATTEMPTS,
    Answer,
    Move,
    Outcome,
    Status,
    delivery_id,
    expiry,
    graphemes,
    is_too_late,
    move,
    notification_payload,
    retry_at,
    shorten,
    should_stop,
    stop_reason,
    ttl_seconds,
    urgency,
    verdict,
)
from server.domain.errors import Conflict

NOW = datetime(2026, 11, 28, 9, tzinfo=UTC)


def test_payload_carries_actions_and_parses_as_declarative_web_push():
    data = json.loads(notification_payload(7, "plan_slot", "plan:1:slot:0:start",
                                           {"title": "Time to pump", "body": "Pump 15 min", "url": "/#/plans/1"},
                                           "https://pumpwell.example"))
    assert data["reminder_id"] == 7 and data["kind"] == "plan_slot" and data["url"] == "/#/plans/1"
    assert [a["action"] for a in data["actions"]] == ["start", "snooze", "skip"]
    assert data["web_push"] == 8030
    assert data["notification"] == {"title": "Time to pump", "body": "Pump 15 min", "tag": data["tag"],
                                    "navigate": "https://pumpwell.example/#/plans/1", "silent": False}


@given(st.text(max_size=3000), st.text(max_size=3000))
def test_payload_stays_under_2_kb_whatever_the_text(title, body):
    data = notification_payload(1, "gap", "gap", {"title": title, "body": body, "url": "/"})
    assert len(data) < 2048
    json.loads(data)


LONG_TITLE = "Power hour: pump 20 minutes, rest 10, pump 10, rest 10, pump 10 minutes; log it when you are done " * 2


def test_a_long_title_is_cut_after_a_whole_word_with_an_ellipsis():
    data = json.loads(notification_payload(1, "plan_slot", "k", {"title": LONG_TITLE, "body": "b"}))
    title = data["title"]
    assert len(title) <= 120 and title.endswith("…") and data["notification"]["title"] == title
    assert LONG_TITLE.startswith(title[:-1] + " ")


@pytest.mark.parametrize(("text", "limit", "expected"), [
    ("Time to pump", 120, "Time to pump"),
    ("Time to pump now", 12, "Time to…"),
    # One long word: cut between letters, never between a letter and its combining accent.
    ("Cafe\u0301" * 5, 10, "Cafe\u0301Caf…"),
    # A family emoji (ZWJ sequence) and a thumbs up with a skin tone stay whole or go whole.
    ("\U0001F468\u200D\U0001F469\u200D\U0001F467" * 3, 10, "\U0001F468\u200D\U0001F469\u200D\U0001F467…"),
    ("\U0001F44D\U0001F3FD\U0001F44D\U0001F3FD", 3, "\U0001F44D\U0001F3FD…"),
    # Two flags: regional indicators pair up.
    ("\U0001F1E9\U0001F1EA\U0001F1EB\U0001F1F7", 3, "\U0001F1E9\U0001F1EA…"),
    ("Pump 🍼 then rest", 9, "Pump 🍼…"),
])
def test_shorten_keeps_whole_words_and_whole_graphemes(text, limit, expected):
    assert shorten(text, limit) == expected


@settings(deadline=None)
@given(st.text(max_size=300), st.integers(2, 200))
def test_shorten_fits_and_never_splits_a_grapheme(text, limit):
    short = shorten(text, limit)
    assert len(short) <= limit
    if short != text:
        kept = short.removesuffix("…")
        clusters = list(graphemes(text))
        assert any("".join(clusters[:n]).rstrip() == kept for n in range(len(clusters) + 1))


def test_a_repeated_sending_has_the_same_delivery_id_and_a_snoozed_one_another():
    first = delivery_id(7, NOW)
    assert first == delivery_id(7, NOW) != delivery_id(7, NOW + timedelta(minutes=10))
    data = json.loads(notification_payload(7, "gap", "gap", {"title": "t"}, "", first))
    assert data["delivery_id"] == first


def test_ttl_is_the_kinds_hold_time_but_never_past_expiry():
    assert ttl_seconds("plan_slot", NOW, NOW + timedelta(hours=2), NOW) == 1800
    assert ttl_seconds("plan_slot", NOW, NOW + timedelta(minutes=10), NOW) == 600
    assert ttl_seconds("phase_change", NOW, NOW + timedelta(minutes=5), NOW + timedelta(minutes=6)) == 0


def test_plan_reminders_are_urgent_and_gap_reminders_normal():
    assert urgency("plan_slot") == urgency("phase_change") == "high"
    assert urgency("gap") == "normal"


def test_backoff_doubles_from_30_s_caps_at_15_min_and_honours_retry_after():
    assert [retry_at(n, None, NOW) - NOW for n in (1, 2, 3)] == [timedelta(seconds=s) for s in (30, 60, 120)]
    assert retry_at(12, None, NOW) - NOW == timedelta(minutes=15)
    assert retry_at(1, 300, NOW) - NOW == timedelta(seconds=300)
    assert MAX_ATTEMPTS >= 3


def test_a_reminder_without_expiry_goes_stale_after_its_kinds_window():
    assert expiry("gap", NOW, None) == NOW + timedelta(hours=2)
    assert not is_too_late("gap", NOW, None, NOW + timedelta(hours=1))
    assert is_too_late("plan_slot", NOW, NOW + timedelta(minutes=15), NOW + timedelta(minutes=15))


def test_a_subscription_stops_at_the_third_refusal_with_a_reason_a_parent_can_read():
    assert [should_stop(n) for n in range(5)] == [False, False, False, True, True]
    reason = stop_reason(403)
    assert reason.startswith("Reminders stopped on this phone") and "HTTP 403" in reason and "again" in reason
    assert "HTTP" not in stop_reason(None)


@pytest.mark.parametrize("status", [Status.SENT, Status.FAILED, Status.EXPIRED, Status.SKIPPED, Status.DONE])
def test_a_finished_reminder_can_still_be_snoozed_skipped_or_marked_done(status):
    assert [move(status, m) for m in (Move.SNOOZE, Move.SKIP, Move.DONE)] == [Status.PENDING, Status.SKIPPED,
                                                                               Status.DONE]


@pytest.mark.parametrize("status", [Status.SENDING, Status.CANCELLED])
def test_the_parent_cannot_touch_a_reminder_in_flight_or_withdrawn(status):
    with pytest.raises(Conflict):
        move(status, Move.SNOOZE)


def test_only_a_clock_sending_a_reminder_may_retry_or_expire_it():
    assert move(Status.SENDING, Move.RETRY) is Status.PENDING and move(Status.SENDING, Move.EXPIRE) is Status.EXPIRED
    with pytest.raises(Conflict):
        move(Status.PENDING, Move.EXPIRE)


def test_verdict_sent_on_any_delivery_retried_while_attempts_last_failed_without_devices():
    retry = Answer(Outcome.RETRY, 300, "HTTP 503")
    assert verdict(1, [], NOW).status is Status.FAILED
    assert verdict(1, [retry, Answer(Outcome.DELIVERED)], NOW).status is Status.SENT
    assert verdict(1, [retry], NOW).retry_at == NOW + timedelta(seconds=300)
    assert verdict(MAX_ATTEMPTS, [retry], NOW).status is Status.FAILED
    assert verdict(1, [Answer(Outcome.CONFIG_ERROR, error="HTTP 403")], NOW).error == "HTTP 403"
