"""A plan started in the API ends as decrypted notifications at the push service, each at its time."""

from datetime import datetime, timedelta

from server.services.dispatch import dispatch_due
from server.timeutil import utcnow


def test_power_hour_plan_notifies_slot_start_and_each_phase_change_on_time(client, db, make_user, device,
                                                                          push_service, push_client):
    _, headers = make_user(time_zone="Europe/Berlin")
    phone = device(headers)
    tomorrow = (utcnow() + timedelta(days=1)).date().isoformat()
    response = client.post("/api/plans", headers=headers, json={
        "template": "power-hour", "starts_at": f"{tomorrow}T07:00:00+01:00", "params": {"days": 5},
    })
    assert response.status_code == 201, response.json
    first = response.json["slots"][0]
    start = datetime.fromisoformat(first["starts_at"])
    # Pump 20, rest 10, pump 10, rest 10, pump 10: a notification at each boundary.
    expected = [(0, "plan_slot"), (20, "phase_change"), (30, "phase_change"), (40, "phase_change"),
                (50, "phase_change"), (60, "phase_change")]

    dispatch_due(db, push_client, start - timedelta(seconds=1))
    assert push_service.requests == []
    for minute, kind in expected:
        now = start + timedelta(minutes=minute)
        dispatch_due(db, push_client, now)
        last = push_service.delivered(phone)[-1].json()
        assert last["kind"] == kind, (minute, last)
        assert len(push_service.delivered(phone)) == expected.index((minute, kind)) + 1
    notes = [r.json() for r in push_service.delivered(phone)]
    assert notes[0]["title"].endswith("time to pump") and "Pump 20 min" in notes[0]["body"]
    assert notes[1]["title"] == "Rest 10 min"
    assert all(r.headers["urgency"] == "high" for r in push_service.delivered(phone))

    # Nothing more until the next day's block.
    dispatch_due(db, push_client, start + timedelta(hours=23))
    assert len(push_service.delivered(phone)) == len(expected)
    dispatch_due(db, push_client, start + timedelta(days=1))
    assert push_service.delivered(phone)[-1].json()["kind"] == "plan_slot"
