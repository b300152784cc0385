"""The compiled dump gives exactly what marshmallow's own dump gives, for every output schema that uses it."""

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from types import SimpleNamespace

from apiflask import Schema, fields
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import post_dump

from server.api.compiled import CompiledSchema
from server.api.goals import DayOut, GoalsSchema, SummaryOut
from server.api.sessions import SessionOut, SessionPage
from server.domain.summary import DaySummary
from server.json_provider import OrjsonProvider
from server.models import Goal, PumpSession

NOW = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def _marshmallow(schema: Schema, obj, many: bool = False):
    """Dump through marshmallow's own path, bypassing the compiled function, and read back what the API writes."""
    return _written(Schema.dump(schema, obj, many=many))


def _written(dumped):
    """Return what the app's JSON encoder writes of a dump, read back: what a client receives."""
    return json.loads(PROVIDER.dumps(dumped))


PROVIDER = OrjsonProvider(Flask(__name__))


def _session(**changes) -> PumpSession:
    """A session with every output field set, overridden by `changes`."""
    values = dict(
        id=uuid.uuid4(), user_id=1, started_at=NOW, ended_at=datetime(2026, 3, 29, 1, 47, 20, tzinfo=UTC),
        left_ml=60.5, right_ml=None, mode="left", pump="Spectra", flange_mm=24, pain=3, notes="ok",
        plan_slot_id=None, request_digest="x", created_at=NOW, updated_at=NOW,
    )
    return PumpSession(**{**values, **changes})


def test_a_session_dumps_as_marshmallow_dumps_it():
    for session in (_session(), _session(left_ml=None, pump=None, notes=None, pain=None, plan_slot_id=7)):
        assert _written(SessionOut().dump(session)) == _marshmallow(SessionOut(), session)


def test_a_page_of_sessions_dumps_as_marshmallow_dumps_it():
    page = {"items": [_session(), _session(pain=None)], "next_cursor": None}
    assert _written(SessionPage().dump(page)) == _marshmallow(SessionPage(), page)
    assert SessionPage().dump({"items": [], "next_cursor": "abc"}) == {"items": [], "next_cursor": "abc"}


def test_a_summary_with_custom_time_fields_dumps_as_marshmallow_dumps_it():
    goal = Goal(user_id=1, daily_volume_ml=750, sessions_per_day=8, max_gap_day_min=180, max_gap_night_min=300,
                night_start=time(22), night_end=time(6, 30))
    days = [DaySummary(date=date(2026, 3, 29), hours=23, sessions=2, left_ml=10.0, longest_gap_min=None),
            DaySummary(date=date(2026, 3, 30), hours=24, longest_gap_min=12.5)]
    summary = {"time_zone": "Europe/Berlin", "unit": "ml", "goal": goal, "days": days}
    assert _written(SummaryOut().dump(summary)) == _marshmallow(SummaryOut(), summary)
    assert _written(DayOut().dump(days, many=True)) == _marshmallow(DayOut(), days, many=True)
    assert _written(GoalsSchema().dump(goal))["night_end"] == _marshmallow(GoalsSchema(), goal)["night_end"]


def test_a_missing_key_is_left_out_as_marshmallow_leaves_it_out():
    @dataclass
    class Partial:
        """An object without most of the schema's attributes."""

        id: uuid.UUID

    partial = Partial(uuid.uuid4())
    assert _written(DayOut().dump({"date": date(2026, 1, 1)})) == _marshmallow(DayOut(), {"date": date(2026, 1, 1)})
    assert _written(SessionOut(only=("id",)).dump(partial)) == {"id": str(partial.id)}
    # An object short of one attribute: the whole-object path gives way to the field-by-field one.
    day = DaySummary(date=date(2026, 1, 1), hours=24)
    short = SimpleNamespace(**{name: getattr(day, name) for name in vars(day) if name != "night_sessions"})
    short.total_ml = 0.0
    assert _written(DayOut().dump(short)) == _marshmallow(DayOut(), short)
    assert "night_sessions" not in DayOut().dump(short)


def test_a_field_named_by_a_python_keyword_dumps_as_marshmallow_dumps_it():
    class Range(CompiledSchema):
        """Two fields, one named like a keyword."""

        from_ = fields.Integer(data_key="from", attribute="from")
        to = fields.Integer()

    both = SimpleNamespace(to=2, **{"from": 1})
    assert Range().dump(both) == Schema.dump(Range(), both) == {"from": 1, "to": 2}


def test_a_schema_with_a_hook_keeps_marshmallows_path():
    class Hooked(CompiledSchema):
        """Upper-cases its one field after dumping."""

        name = fields.String()

        @post_dump
        def shout(self, data, **_kwargs):
            """Change the dumped data, which a compiled dump would skip."""
            return {"name": data["name"].upper()}

    assert Hooked().dump({"name": "a"}) == {"name": "A"}


offsets = st.timedeltas(min_value=timedelta(hours=-23, minutes=-59), max_value=timedelta(hours=23, minutes=59))


@given(
    moment=st.datetimes(timezones=st.one_of(st.none(), st.just(UTC), offsets.map(timezone))),
    day=st.dates(),
    session_id=st.uuids().flatmap(lambda value: st.sampled_from([value, str(value), str(value).upper()])),
)
@settings(deadline=None)  # a loaded machine made one example slow; what it checks is the output, not the time
def test_times_dates_and_ids_left_to_the_encoder_are_written_as_marshmallow_writes_them(moment, day, session_id):
    session = _session(id=session_id, created_at=moment, updated_at=moment.replace(tzinfo=UTC))
    assert _written(SessionOut().dump(session)) == _marshmallow(SessionOut(), session)
    assert _written(DayOut().dump({"date": day})) == _marshmallow(DayOut(), {"date": day})


def test_a_page_of_the_stash_dumps_as_marshmallow_dumps_it():
    from server.api.stash import StashPage as StashPageOut
    from server.models import MilkBatch
    from server.services import stash

    frozen = MilkBatch(
        id=uuid.uuid4(), user_id=1, session_id=None, label="Bag 1", entered_volume=4.25, entered_unit="oz",
        volume_ml=125.69, remaining_ml=60.0, expressed_at=NOW - timedelta(days=3), location="freezer",
        location_since=NOW - timedelta(days=2), first_frozen_at=NOW - timedelta(days=2), thawed_at=None,
        offered_at=None, expires_at=NOW + timedelta(days=170), condition="freezer", closed=None, closed_at=None,
        discard_reason=None, request_digest="x", created_at=NOW, updated_at=NOW,
    )
    used = MilkBatch(**{**{c.name: getattr(frozen, c.name) for c in MilkBatch.__table__.columns},
                        "id": uuid.uuid4(), "location": "fridge", "condition": "thawed_fridge", "closed": "used",
                        "closed_at": NOW, "thawed_at": NOW - timedelta(hours=5)})
    total = stash.Total(2, 185.69)
    page = stash.StashPage([stash.batch_view(b, "cdc", NOW) for b in (frozen, used)], "abc",
                           stash.Totals(total, total, total, total, total, stash.Total()), "cdc")
    assert _written(StashPageOut().dump(page)) == _marshmallow(StashPageOut(), page)
