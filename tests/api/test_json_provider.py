"""Responses are written by orjson and read back as Flask's own encoder wrote them, dates and times in ISO 8601."""

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal

from flask.json.provider import DefaultJSONProvider

from server.json_provider import OrjsonProvider


@dataclass
class Point:
    """A dataclass in a response."""

    x: int
    when: date


VALUES = [
    {"b": 1, "a": [1.5, None, True, "é ✓ 🍼 中文"], "c": {"nested": -0.0}},
    {"id": uuid.UUID("12345678-1234-5678-1234-567812345678"), "price": Decimal("1.10")},
    {"point": Point(3, 7)},
    {7: "integer keys", 10: "sorted as numbers"},
    {"big": 2**70, "small": -(2**63)},
    {"surrogate": "\ud800 alone", "control": "\x00\x1f\u2028"},
    [0.1 + 0.2, 1e16, 1e-7, 123456789.125],
]


def test_every_value_reads_back_as_flask_wrote_it(app):
    ours, flasks = OrjsonProvider(app), DefaultJSONProvider(app)
    for value in VALUES:
        assert json.loads(ours.dumps(value)) == json.loads(flasks.dumps(value))
        assert json.loads(ours.dumps(value, separators=(",", ":"))) == json.loads(flasks.dumps(value))
    # The debug mode's indent still indents.
    assert "\n  " in ours.dumps({"a": 1}, indent=2)


def test_dates_and_times_are_written_in_iso_8601_on_the_fast_path_and_the_fallback(app):
    ours = OrjsonProvider(app)
    moments = {
        "utc": datetime(2026, 11, 28, 3, 0, tzinfo=UTC), "micro": datetime(999, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
        "naive": datetime(2026, 1, 1, 12), "offset": datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=-3.5))),
        "day": date(2026, 3, 29), "clock": time(22, 30), "point": Point(1, date(2026, 1, 2)),
    }
    expected = {name: value.isoformat() for name, value in moments.items() if name != "point"}
    expected["point"] = {"x": 1, "when": "2026-01-02"}
    assert json.loads(ours.dumps(moments)) == expected
    # Past what orjson writes (a lone surrogate), the json module's path writes them the same.
    assert json.loads(ours.dumps({**moments, "odd": "\ud800"})) == {**expected, "odd": "\ud800"}
    assert json.loads(ours.dumps(moments, indent=2)) == expected


def test_api_responses_are_written_by_orjson(client, auth):
    assert isinstance(client.application.json, OrjsonProvider)
    response = client.post("/api/sessions", headers=auth, json={
        "started_at": "2026-11-28T03:00:00Z", "duration_min": 15, "left_ml": 40, "notes": "é 🍼"})
    assert response.status_code == 201
    # json writes \u escapes; orjson writes UTF-8, compact, with the keys sorted as Flask sorts them.
    assert "é 🍼".encode() in response.data and b'", "' not in response.data
    keys = list(json.loads(response.data))
    assert keys == sorted(keys) and response.json["notes"] == "é 🍼"
