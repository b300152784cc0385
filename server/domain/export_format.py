"""The account export's format (pumpwell-export, version 1): its JSON Schema, and how its records read back.

The document is one JSON object whose members come in this order: format, version, exported_at, then one member per
kind of data (account settings, goals, plans with their slots, sessions, stash containers with their history,
reminders, shares, devices, passkeys, push subscriptions, then the household: members, parents, invitations and plan
proposals). A session, plan or stash step someone else logged for her names that one's role (logged_by_role).
Times are ISO 8601 in UTC, volumes in mL, times of day HH:MM:SS. Ids are this server's: a session's plan_slot and a
container's session name rows of the same file.
Reading back: settings, goals, plans, sessions and containers are imported; reminders are scheduled anew from what
was imported, and shares, devices, passkeys, push subscriptions and the household belong to the server that made them.
Members added after the first release of version 1 (the household, logged_by_role) are optional.
"""

import math
import uuid
from datetime import UTC, date, datetime, time

from server.domain import sessions, storage, units
from server.domain.household import Role
from server.domain.languages import LANGUAGES
from server.domain.plans import PlanStatus

FORMAT = "pumpwell-export"
VERSION = 1

# Each vocabulary from its home in the domain.
MODES = sessions.MODES
PLAN_STATUSES = tuple(status.value for status in PlanStatus)
LOCATIONS = storage.LOCATIONS
CONDITIONS = (*LOCATIONS, storage.THAWED_FRIDGE, storage.THAWED_ROOM, storage.LEFTOVER)
EVENT_KINDS = storage.EVENT_KINDS
UNITS = units.UNITS
GUIDELINES = storage.GUIDELINES
PHASE_KINDS = ("pump", "rest")
SIDES = ("both", "left", "right")
# The API's own limits on what a parent types, so an imported row is one she could have logged here.
MAX_SIDE_ML = 1000.0
MAX_UNSIDED_ML = 2000.0
MAX_CONTAINER_ML = 2000.0
MAX_NOTES = 2000
MAX_LABEL = 100
MAX_REASON = 200
MAX_SLOTS = 1000
MAX_EVENTS = 1000


class RecordProblem(ValueError):
    """A record of the file cannot be imported; the message says why, in a parent's words."""


def _nullable(schema: dict) -> dict:
    """Return the schema of a value that may also be null."""
    nullable = {**schema, "type": [schema["type"], "null"]}
    if "enum" in schema:
        nullable["enum"] = [*schema["enum"], None]
    return nullable


def _record(properties: dict, description: str, optional: dict | None = None) -> dict:
    """Return the schema of an object with exactly these members, all present but the optional ones (added to the
    format after files without them were written)."""
    return {"type": "object", "description": description, "required": list(properties),
            "additionalProperties": False, "properties": {**properties, **(optional or {})}}


INSTANT = {"type": "string", "format": "date-time"}
DATE = {"type": "string", "format": "date"}
CLOCK_TIME = {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"}
ML = {"type": "number", "minimum": 0}
TEXT = {"type": "string"}
UUID = {"type": "string", "format": "uuid"}
ROLE = {"type": "string", "enum": [role.value for role in Role]}
LOGGED_BY = {"logged_by_role": {**_nullable(ROLE), "description": "Who logged it for her; null when she did."}}

SESSION = _record({
    "id": UUID, "started_at": INSTANT, "ended_at": INSTANT,
    "left_ml": _nullable(ML), "right_ml": _nullable(ML),
    "unsided_ml": _nullable({**ML, "description": "One amount without sides (imported from another app)."}),
    "mode": {"type": "string", "enum": list(MODES)}, "pump": _nullable(TEXT),
    "flange_mm": _nullable({"type": "number"}), "pump_setting": _nullable(TEXT),
    "pain": _nullable({"type": "integer", "minimum": 0, "maximum": 10}),
    "notes": _nullable(TEXT),
    "plan_slot": _nullable(_record({"plan": {"type": "integer"}, "index": {"type": "integer", "minimum": 0}},
                                   "The block of a plan (by the plan's id in this file) the session fulfilled.")),
    "created_at": INSTANT, "updated_at": INSTANT,
}, "A pumping session.", LOGGED_BY)
PHASE = _record({"kind": {"type": "string", "enum": list(PHASE_KINDS)},
                 "side": _nullable({"type": "string", "enum": list(SIDES)}),
                 "minutes": {"type": "integer", "minimum": 0}}, "A stretch of a block: pumping a side, or resting.")
SLOT = _record({"index": {"type": "integer", "minimum": 0}, "starts_at": INSTANT, "ends_at": INSTANT,
                "phases": {"type": "array", "items": PHASE}, "note": _nullable(TEXT)}, "One planned pumping block.")
PLAN = _record({
    "id": {"type": "integer"}, "template": TEXT, "status": {"type": "string", "enum": list(PLAN_STATUSES)},
    "params": {"type": "object"}, "time_zone": TEXT, "starts_at": INSTANT, "ends_at": INSTANT,
    "created_at": INSTANT, "cancelled_at": _nullable(INSTANT), "slots": {"type": "array", "items": SLOT},
}, "A pumping plan started from a template, with its blocks.", LOGGED_BY)
EVENT = _record({
    "id": UUID, "seq": {"type": "integer"}, "kind": {"type": "string", "enum": list(EVENT_KINDS)}, "at": INSTANT,
    "location": _nullable({"type": "string", "enum": list(LOCATIONS)}), "volume_ml": _nullable(ML),
    "reason": _nullable(TEXT),
}, "One step of a container's history.", LOGGED_BY)
CONTAINER = _record({
    "id": UUID, "session": _nullable({**UUID, "description": "The session (by id in this file) it was pumped in."}),
    "label": TEXT, "entered_volume": ML, "entered_unit": {"type": "string", "enum": list(UNITS)},
    "volume_ml": ML, "remaining_ml": ML, "expressed_at": INSTANT,
    "location": {"type": "string", "enum": list(LOCATIONS)}, "location_since": INSTANT,
    "first_frozen_at": _nullable(INSTANT), "thawed_at": _nullable(INSTANT), "offered_at": _nullable(INSTANT),
    "expires_at": INSTANT, "condition": {"type": "string", "enum": list(CONDITIONS)},
    "closed": _nullable({"type": "string", "enum": ["used", "discarded"]}), "closed_at": _nullable(INSTANT),
    "discard_reason": _nullable(TEXT), "created_at": INSTANT, "updated_at": INSTANT,
    "events": {"type": "array", "items": EVENT},
}, "A container of stored milk, with its history.")
SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Pumpwell account export, version 1",
    "description": __doc__,
    "type": "object",
    "additionalProperties": False,
    "required": ["format", "version", "exported_at", "account", "goals", "plans", "sessions", "containers",
                 "reminders", "shares", "devices", "passkeys", "push_subscriptions"],
    "properties": {
        "format": {"const": FORMAT},
        "version": {"const": VERSION},
        "exported_at": INSTANT,
        "account": _record({
            "email": TEXT, "created_at": INSTANT, "time_zone": TEXT, "unit": {"type": "string", "enum": list(UNITS)},
            "quiet_start": _nullable(CLOCK_TIME), "quiet_end": _nullable(CLOCK_TIME),
            "stash_guideline": {"type": "string", "enum": list(GUIDELINES)},
        }, "The account's settings.", optional={
            "birth_date": _nullable(DATE), "language": {"type": "string", "enum": list(LANGUAGES)}}),
        "goals": _nullable(_record({
            "daily_volume_ml": ML, "sessions_per_day": {"type": "integer", "minimum": 0},
            "max_gap_day_min": {"type": "integer", "minimum": 0},
            "max_gap_night_min": {"type": "integer", "minimum": 0},
            "night_start": CLOCK_TIME, "night_end": CLOCK_TIME, "updated_at": INSTANT,
        }, "Daily targets and the gaps to be reminded about; null when never set.")),
        "plans": {"type": "array", "items": PLAN},
        "sessions": {"type": "array", "items": SESSION, "description": "In start order."},
        "containers": {"type": "array", "items": CONTAINER},
        "reminders": {"type": "array", "items": _record({
            "kind": TEXT, "status": TEXT, "due_at": INSTANT, "expires_at": _nullable(INSTANT),
            "sent_at": _nullable(INSTANT), "plan": _nullable({"type": "integer"}),
        }, "A notification scheduled for her, and what became of it.")},
        "shares": {"type": "array", "items": _record({
            "label": TEXT, "created_at": INSTANT, "expires_at": INSTANT, "revoked_at": _nullable(INSTANT),
            "last_used_at": _nullable(INSTANT), "include_stash": {"type": "boolean"},
        }, "A read-only link she gave a consultant (its secret stays on the server).")},
        "devices": {"type": "array", "items": _record({
            "label": TEXT, "created_at": INSTANT, "last_used_at": _nullable(INSTANT), "expires_at": INSTANT,
        }, "A device signed in to the account.")},
        "passkeys": {"type": "array", "items": _record({
            "name": TEXT, "created_at": INSTANT, "last_used_at": _nullable(INSTANT),
        }, "A passkey she signs in with.")},
        "push_subscriptions": {"type": "array", "items": _record({
            "user_agent": _nullable(TEXT), "created_at": INSTANT, "last_success_at": _nullable(INSTANT),
            "stopped_at": _nullable(INSTANT),
        }, "A browser that receives her reminders.")},
        "members": {"type": "array", "items": _record({
            "email": TEXT, "role": ROLE, "since": INSTANT,
        }, "Someone she let into her data, in a role.")},
        "parents": {"type": "array", "items": _record({
            "email": TEXT, "role": ROLE, "since": INSTANT,
        }, "A parent who let her in, in a role.")},
        "invitations": {"type": "array", "items": _record({
            "role": ROLE, "created_at": INSTANT, "expires_at": INSTANT, "used_at": _nullable(INSTANT),
        }, "An invitation she sent (its link stays on the server).")},
        "proposals": {"type": "array", "items": _record({
            "template": TEXT, "starts_at": INSTANT, "overrides": {"type": "object"}, "note": _nullable(TEXT),
            "status": {"type": "string", "enum": ["pending", "accepted", "declined"]}, "proposed_by_role": ROLE,
            "created_at": INSTANT, "decided_at": _nullable(INSTANT), "plan": _nullable({"type": "integer"}),
        }, "A plan a consultant proposed to her, and what she decided.")},
    },
}


def instant(value, name: str, optional: bool = False) -> datetime | None:
    """Read an ISO 8601 time with an offset as aware UTC."""
    if value is None and optional:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise RecordProblem(f"{name} is not a time.") from None
    if parsed.tzinfo is None:
        raise RecordProblem(f"{name} has no UTC offset.")
    return parsed.astimezone(UTC)


def calendar_date(value, name: str, optional: bool = False) -> date | None:
    """Read a YYYY-MM-DD date between 1970 and 2100."""
    if value is None and optional:
        return None
    try:
        parsed = date.fromisoformat(value)
    except (TypeError, ValueError):
        raise RecordProblem(f"{name} is not a date.") from None
    if not date(1970, 1, 1) <= parsed <= date(2100, 12, 31):
        raise RecordProblem(f"{name} is not between 1970 and 2100.")
    return parsed


def clock_time(value, name: str, optional: bool = False) -> time | None:
    """Read an HH:MM[:SS] time of day."""
    if value is None and optional:
        return None
    try:
        return time.fromisoformat(value)
    except (TypeError, ValueError):
        raise RecordProblem(f"{name} is not a time of day.") from None


def identifier(value, name: str, optional: bool = False) -> uuid.UUID | None:
    """Read a UUID."""
    if value is None and optional:
        return None
    try:
        return uuid.UUID(value)
    except (TypeError, ValueError, AttributeError):
        raise RecordProblem(f"{name} is not an id.") from None


def number(value, name: str, low: float, high: float, optional: bool = True) -> float | None:
    """Read a number within [low, high]."""
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise RecordProblem(f"{name} is not a number.")
    if value < low:
        raise RecordProblem(f"{name} is negative." if low == 0 else f"{name} is below {low:g}.")
    if value > high:
        raise RecordProblem(f"{name} is over {high:g}.")
    return float(value)


def whole(value, name: str, low: int, high: int, optional: bool = False) -> int | None:
    """Read a whole number within [low, high]."""
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
            or value != int(value):
        raise RecordProblem(f"{name} is not a whole number.")
    if not low <= value <= high:
        raise RecordProblem(f"{name} is not between {low} and {high}.")
    return int(value)


def text(value, name: str, limit: int, optional: bool = True) -> str | None:
    """Read a text of at most `limit` characters, without NUL."""
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise RecordProblem(f"{name} must be text.")
    if len(value) > limit:
        raise RecordProblem(f"{name} must be at most {limit} characters long.")
    if "\x00" in value:
        raise RecordProblem(f"{name} must not contain the NUL character.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise RecordProblem(f"{name} must be valid Unicode text.") from None
    return value


def one_of(value, name: str, allowed: tuple, optional: bool = False):
    """Read one of the allowed words."""
    if value is None and optional:
        return None
    if value not in allowed:
        raise RecordProblem(f"{name} must be one of {', '.join(allowed)}.")
    return value


def fields_of(record, what: str) -> dict:
    """Return a record as a dict, refusing anything else."""
    if not isinstance(record, dict):
        raise RecordProblem(f"The {what} is not an object.")
    return record
