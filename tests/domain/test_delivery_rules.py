"""Delivery rules: payload shape and size, TTL, urgency, backoff, expiry and stopping refused phones."""

import json
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from server.domain.delivery import (
    MAX_ATTEMPTS,
    expiry,
    is_too_late,
    notification_payload,
    retry_at,
    should_stop,
    stop_reason,
    ttl_seconds,
    urgency,
)

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
