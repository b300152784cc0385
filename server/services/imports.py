"""Bring a parent's history in from a file: a Pumpwell export, or another app's file read by a registered reader.

Every source goes through one pipeline: the body is read as a stream, rows are checked and applied a chunk at a
time inside ONE transaction (all of the file or none of it), and each stored row keeps a provenance key, so a
second import of the same file adds nothing. A preview runs the same pipeline and writes nothing.
"""

import csv
import functools
import io
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

import ijson
from sqlalchemy import Insert, and_, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from server.domain import export_format as fmt
from server.domain.errors import InvalidInput
from server.domain.languages import LANGUAGES
from server.domain.sessions import FUTURE_TOLERANCE, imported_session_problem
from server.domain.templates import TEMPLATES
from server.domain.units import UNITS
from server.imports.rows import ImportedSession, Row, Unreadable
from server.models import Goal, MilkBatch, MilkBatchEvent, Plan, PlanSlot, PumpSession, User
from server.services.access import Account
from server.services.plans import plan_added
from server.services.sessions import sessions_changed
from server.services.summary import hold_for_change
from server.time_zones import canonical_zone

Reader = Callable[[BinaryIO, ZoneInfo, datetime], Iterator[Row]]
# A reader of amounts written without a unit (Baby Buddy's): the parent says which one, ml or oz.
UnitReader = Callable[[BinaryIO, ZoneInfo, str, datetime], Iterator[Row]]
# Readers of other apps' files, by the source name the API takes (server/imports/ holds them). A reader yields
# ImportedSession and Unreadable rows in file order, and raises a ValueError (rows.py names them) for a file it
# cannot read at all.
READERS: dict[str, Reader | UnitReader] = {}
TAKES_UNIT: set[str] = set()
OWN = "pumpwell"
# Rows checked and written per statement: large enough that a 100,000-row file takes few round trips, small enough
# that a chunk's rows and look-ups stay a few hundred kilobytes.
CHUNK = 1000
SHOWN_UNREADABLE = 100
BOM = b"\xef\xbb\xbf"
# What an imported row's digest column holds: a client replaying a create with the same id is refused (409).
IMPORTED = "import"


class ImportRefused(InvalidInput):
    """The file cannot be imported at all (not the format, a newer version, unreadable); nothing was written."""


def register_reader(source: str, reader: Reader | UnitReader, takes_unit: bool = False) -> None:
    """Make `source` importable through `reader`, which is given the parent's unit when it `takes_unit`."""
    READERS[source] = reader
    if takes_unit:
        TAKES_UNIT.add(source)
    else:
        TAKES_UNIT.discard(source)


def sources() -> list[str]:
    """Return the source names an import takes."""
    return [OWN, *sorted(READERS)]


@dataclass
class Kind:
    """What an import found of one kind of row: in the file, there already, added."""

    found: int = 0
    already_present: int = 0
    added: int = 0


@dataclass
class Tally:
    """What an import found and did, as the preview and the result show it."""

    source: str
    sessions: Kind = field(default_factory=Kind)
    plans: Kind = field(default_factory=Kind)
    containers: Kind = field(default_factory=Kind)
    first: datetime | None = None
    last: datetime | None = None
    earliest_added: datetime | None = None
    settings: bool = False
    unreadable: list[Unreadable] = field(default_factory=list)
    unreadable_count: int = 0
    # The blocks stored here by (the file's plan id, block index), for sessions that name a block.
    slot_ids: dict[tuple[int, int], int] = field(default_factory=dict)
    plans_to_schedule: list[int] = field(default_factory=list)

    def cannot_read(self, line: int, reason: str) -> None:
        """Count a row that cannot be imported, keeping the first few to show."""
        self.unreadable_count += 1
        if len(self.unreadable) < SHOWN_UNREADABLE:
            self.unreadable.append(Unreadable(line, reason))

    def saw_session(self, started_at: datetime) -> None:
        """Widen the file's date range to a session."""
        self.sessions.found += 1
        self.first = started_at if self.first is None or started_at < self.first else self.first
        self.last = started_at if self.last is None or started_at > self.last else self.last

    def preview(self) -> dict:
        """Return the preview's answer."""
        answer = {
            "source": self.source, "sessions": self.sessions.found, "first": self.first, "last": self.last,
            "already_present": self.sessions.already_present,
            "to_add": self.sessions.found - self.sessions.already_present,
            "unreadable": [{"line": row.line, "reason": row.reason} for row in self.unreadable],
            "unreadable_count": self.unreadable_count,
        }
        if self.source == OWN:
            answer.update({name: {"found": kind.found, "already_present": kind.already_present,
                                  "to_add": kind.found - kind.already_present}
                           for name, kind in (("plans", self.plans), ("containers", self.containers))})
            answer["settings"] = self.settings
        return answer

    def result(self) -> dict:
        """Return the confirmed import's answer."""
        answer = {
            "source": self.source, "sessions": self.sessions.found, "first": self.first, "last": self.last,
            "added": self.sessions.added, "skipped": self.sessions.found - self.sessions.added,
            "unreadable": [{"line": row.line, "reason": row.reason} for row in self.unreadable],
            "unreadable_count": self.unreadable_count,
        }
        if self.source == OWN:
            answer.update({name: {"found": kind.found, "added": kind.added, "skipped": kind.found - kind.added}
                           for name, kind in (("plans", self.plans), ("containers", self.containers))})
            answer["settings"] = self.settings
        return answer


def preview_import(db: Session, account: Account, source: str, stream: BinaryIO, zone: str, now: datetime,
                   unit: str | None = None) -> dict:
    """Read the file as the import would and say what it would add and skip; write nothing."""
    try:
        return _run(db, account, source, stream, zone, now, write=False, unit=unit).preview()
    finally:
        db.rollback()


def import_file(db: Session, account: Account, source: str, stream: BinaryIO, zone: str, now: datetime,
                unit: str | None = None) -> dict:
    """Import the file in one transaction: everything it holds that is not here yet, or nothing."""
    try:
        hold_for_change(db, account)
        tally = _run(db, account, source, stream, zone, now, write=True, unit=unit)
        # What follows reads the settings the file may have restored.
        account = Account.of(db.get_one(User, account.id)) if tally.settings else account
        for plan_id in tally.plans_to_schedule:
            plan_added(db, account, db.get_one(Plan, plan_id), now)
        if tally.earliest_added is not None or tally.settings:
            # Kept summary days from the first imported session on are computed again, the gap reminder moves
            # (restored goals and quiet hours move it too) and plans near now relink their blocks: a summary
            # read right after shows the imported sessions.
            sessions_changed(db, account, now, tally.earliest_added or now)
        db.commit()
    except BaseException:
        db.rollback()
        raise
    return tally.result()


def _run(db: Session, account: Account, source: str, stream: BinaryIO, zone: str, now: datetime,
         write: bool, unit: str | None = None) -> Tally:
    """Read the file through its source's reader, checking and (when `write`) storing a chunk at a time."""
    if source != OWN and source not in READERS:
        raise InvalidInput("Unknown source.", {"source": [f"Must be one of {', '.join(sources())}."]})
    if canonical_zone(zone) is None:
        raise InvalidInput("Unknown time zone.", {"zone": ["Must be an IANA time zone such as Europe/Berlin."]})
    if source in TAKES_UNIT and unit not in UNITS:
        # The file's amounts carry no unit: guessing ml would turn 4 oz into 4 ml.
        raise InvalidInput("Say which unit the file's amounts are in.", {"unit": ["Must be ml or oz."]})
    tally = Tally(source)
    sessions = SessionChunks(db, account, tally, now, write)
    stream = _without_bom(stream)
    try:
        if source == OWN:
            _read_own(db, account, stream, tally, sessions, now, write)
        else:
            reader, zone_info = READERS[source], ZoneInfo(zone)
            rows = reader(stream, zone_info, unit, now) if source in TAKES_UNIT else reader(stream, zone_info, now)
            for row in rows:
                if isinstance(row, Unreadable):
                    tally.cannot_read(row.line, row.reason)
                else:
                    sessions.add(row.line, _from_reader(row))
        sessions.finish()
    except (ValueError, csv.Error, ijson.JSONError) as error:
        # A reader's named refusal (rows.py), a decoding error, or JSON that is not JSON: the whole file.
        raise ImportRefused(f"This file cannot be imported: {_words(error)}", {"file": [_words(error)]}) from None
    return tally


def _words(error: Exception) -> str:
    """Say what is wrong with a file in a sentence."""
    if isinstance(error, UnicodeError):
        return "it is not UTF-8 text."
    if isinstance(error, ijson.JSONError):
        return "it is not valid JSON (cut short or not a Pumpwell export)."
    return str(error) or type(error).__name__


def _without_bom(stream: BinaryIO) -> BinaryIO:
    """Return the stream without a UTF-8 byte order mark at its start (spreadsheets write one)."""
    buffered = stream if hasattr(stream, "peek") else io.BufferedReader(stream)
    if buffered.peek(len(BOM))[:len(BOM)] == BOM:
        buffered.read(len(BOM))
    return buffered


def _from_reader(row: ImportedSession) -> dict:
    """Return a reader's session as the values of a stored session."""
    sides = (row.left_ml is not None, row.right_ml is not None)
    mode = {(True, False): "left", (False, True): "right"}.get(sides, "double")
    return {"key": row.key, "file_id": None, "started_at": row.started_at.astimezone(UTC),
            "ended_at": row.ended_at.astimezone(UTC), "left_ml": row.left_ml, "right_ml": row.right_ml,
            "unsided_ml": row.total_ml, "mode": mode, "pump": None, "flange_mm": None, "pump_setting": None,
            "pain": None, "notes": row.notes, "slot": None, "created_at": None, "updated_at": None}


@functools.cache
def _insert_sessions(dialect: str) -> Insert:
    """Build, once per database, the insert of imported sessions that leaves out any whose key is there."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # No RETURNING: with it, a chunk is sent as one statement of 16,000 parameters, which psycopg parses anew in
    # Python each time (two thirds of an import's time); without, it is one prepared row statement, pipelined.
    return insert(PumpSession).on_conflict_do_nothing(index_elements=["user_id", "import_key"])


class SessionChunks:
    """Sessions of a file, checked and stored a chunk at a time.

    A preview looks each chunk's provenance keys up (so a key repeated in a later chunk of the file counts as to
    add there too). An import does not: the unique index on (user, key) leaves out what is there, including what
    an earlier chunk stored, and the sessions added are counted once at the end. Looking keys up while rows of
    the same account were being added made PostgreSQL, whose statistics had not seen them, read all of them again
    for every chunk: a 100,000-session import took ten times a 10,000-session one's time per row.
    """

    def __init__(self, db: Session, account: Account, tally: Tally, now: datetime, write: bool):
        self.db, self.account, self.tally, self.now, self.write = db, account, tally, now, write
        self.pending: list[dict] = []
        self.keyed_before = self._keyed() if write else 0

    def add(self, line: int, values: dict) -> None:
        """Check one session and queue it for the next chunk, or count it unreadable."""
        problem = imported_session_problem(values["started_at"], values["ended_at"],
                                           (values["left_ml"], values["right_ml"], values["unsided_ml"]), self.now)
        if problem is None:
            problem = _stored_problem(values)
        if problem is not None:
            self.tally.cannot_read(line, problem)
            return
        self.tally.saw_session(values["started_at"])
        self.pending.append(values)
        if len(self.pending) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        """Skip the queued sessions already here and store the rest (when writing)."""
        if not self.pending:
            return
        chunk, self.pending = self.pending, []
        present, taken = self._already_here(chunk)
        new, seen = [], set()
        for values in chunk:
            if values["key"] in present or values["file_id"] in present or values["key"] in seen:
                continue
            seen.add(values["key"])
            new.append(values)
        self.tally.sessions.already_present += len(chunk) - len(new)
        if not self.write or not new:
            return
        rows = [self._row(values, taken) for values in new]
        self.db.connection().execute(_insert_sessions(self.db.get_bind().dialect.name), rows)
        earliest = min(row["started_at"] for row in rows)
        if self.tally.earliest_added is None or earliest < self.tally.earliest_added:
            self.tally.earliest_added = earliest

    def finish(self) -> None:
        """Store the last chunk, and count the sessions the import added."""
        self.flush()
        if self.write:
            self.tally.sessions.added = self._keyed() - self.keyed_before

    def _keyed(self) -> int:
        """Count the account's imported sessions."""
        return self.db.scalar(select(func.count()).select_from(PumpSession).where(
            PumpSession.user_id == self.account.id, PumpSession.import_key.is_not(None)))

    def _already_here(self, chunk: list[dict]) -> tuple[set, set]:
        """Return the chunk's keys (preview only) and ids this account has already, and the ids another account
        holds."""
        present: set = set()
        if not self.write:
            present.update(self.db.scalars(select(PumpSession.import_key).where(
                PumpSession.user_id == self.account.id,
                PumpSession.import_key.in_([values["key"] for values in chunk]))))
        ids = [values["file_id"] for values in chunk if values["file_id"] is not None]
        taken = set()
        if ids:
            for session_id, user_id in self.db.execute(
                    select(PumpSession.id, PumpSession.user_id).where(PumpSession.id.in_(ids))):
                # Her own session with the file's id: the file is her export, restored.
                (present if user_id == self.account.id else taken).add(session_id)
        return present, taken

    def _row(self, values: dict, taken: set) -> dict:
        """Return the row to insert for a session: the file's id unless another account holds it."""
        file_id = values["file_id"]
        return {
            "id": file_id if file_id is not None and file_id not in taken else uuid.uuid4(),
            "user_id": self.account.id, "import_key": values["key"], "request_digest": IMPORTED,
            "plan_slot_id": self.tally.slot_ids.get(values["slot"]) if values["slot"] else None,
            "created_at": values["created_at"] or self.now, "updated_at": values["updated_at"] or self.now,
            **{name: values[name] for name in ("started_at", "ended_at", "left_ml", "right_ml", "unsided_ml", "mode",
                                               "pump", "flange_mm", "pump_setting", "pain", "notes")},
        }


def _stored_problem(values: dict) -> str | None:
    """Return why a session's amounts, notes or provenance cannot be stored, or None."""
    try:
        fmt.text(values["key"], "Its identifier in the file", 200, optional=False)
        for name in ("left_ml", "right_ml"):
            fmt.number(values[name], "An amount", 0, fmt.MAX_SIDE_ML)
        fmt.number(values["unsided_ml"], "The amount", 0, fmt.MAX_UNSIDED_ML)
        fmt.text(values["notes"], "The notes", fmt.MAX_NOTES)
    except fmt.RecordProblem as problem:
        return str(problem)
    return None


# Our own format ----------------------------------------------------------------------------------------------


def _members(stream: BinaryIO) -> Iterator[tuple[str, Any]]:
    """Yield (name, value) for each member of the file's top-level object, and (name, item) for each item of a
    member that is a list, built one at a time from the parser's events."""
    events = ijson.parse(stream, use_float=True)
    _, event, _ = next(events, ("", None, None))
    if event != "start_map":
        raise ImportRefused("This is not a Pumpwell export (it is not a JSON object).")
    for prefix, event, name in events:
        if event == "end_map" and prefix == "":
            return
        _, event, value = next(events)
        if event == "start_array":
            while True:
                _, event, value = next(events)
                if event == "end_array":
                    break
                yield name, _value(event, value, events)
        else:
            yield name, _value(event, value, events)


def _value(event: str, value, events) -> Any:
    """Build the value that starts with this event."""
    if event not in ("start_map", "start_array"):
        return value
    builder = ijson.ObjectBuilder()
    builder.event(event, value)
    depth = 1
    for _, event, value in events:
        builder.event(event, value)
        depth += event in ("start_map", "start_array")
        depth -= event in ("end_map", "end_array")
        if depth == 0:
            return builder.value
    raise ImportRefused("The file is cut short.")


# How the preview names a record that is not a session, before what is wrong with it.
KINDS = {"account": "Settings", "goals": "Goals", "plans": "Plan", "containers": "Container"}


def _read_own(db: Session, account: Account, stream: BinaryIO, tally: Tally, sessions: SessionChunks,
              now: datetime, write: bool) -> None:
    """Read a Pumpwell export: refuse another format or a newer version before anything, then each record."""
    members = _members(stream)
    head = dict(next(members, ("", None)) for _ in range(2))
    if head.get("format") != fmt.FORMAT:
        raise ImportRefused("This is not a Pumpwell export (it must begin with \"format\": \"pumpwell-export\").")
    version = head.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ImportRefused("This Pumpwell export has no format version.")
    if version > fmt.VERSION:
        raise ImportRefused(f"This file is from a newer Pumpwell (export format version {version}); this server "
                            f"reads version {fmt.VERSION}. Update the server, then import it again.")
    for number, (name, record) in enumerate(members, start=1):
        try:
            if name == "account":
                _settings(db, account, fmt.fields_of(record, "account"), tally, write)
            elif name == "goals" and record is not None:
                _goals(db, account, fmt.fields_of(record, "goals"), now, write)
            elif name == "plans":
                _plan(db, account, fmt.fields_of(record, "plan"), tally, now, write)
            elif name == "sessions":
                sessions.add(number, _session(fmt.fields_of(record, "session")))
            elif name == "containers":
                sessions.flush()  # a container names a session that may be in the last chunk
                _container(db, account, fmt.fields_of(record, "container"), tally, now, write)
        except fmt.RecordProblem as problem:
            kind = KINDS.get(name)
            tally.cannot_read(number, f"{kind}: {problem}" if kind else str(problem))


def _settings(db: Session, account: Account, record: dict, tally: Tally, write: bool) -> None:
    """Restore the account's settings (zone, unit, language, quiet hours, storage guideline, birth date); not its
    e-mail."""
    zone = canonical_zone(fmt.text(record.get("time_zone"), "The time zone", 64, optional=False))
    if zone is None:
        raise fmt.RecordProblem("The time zone is not an IANA time zone.")
    values = {
        "time_zone": zone, "unit": fmt.one_of(record.get("unit"), "The unit", fmt.UNITS),
        "quiet_start": fmt.clock_time(record.get("quiet_start"), "Quiet hours' start", optional=True),
        "quiet_end": fmt.clock_time(record.get("quiet_end"), "Quiet hours' end", optional=True),
        "stash_guideline": fmt.one_of(record.get("stash_guideline"), "The storage guideline", fmt.GUIDELINES),
    }
    if "birth_date" in record:  # files written before the format had it leave the birth date as it is
        values["birth_date"] = fmt.calendar_date(record["birth_date"], "The birth date", optional=True)
    if "language" in record:  # and the language
        values["language"] = fmt.one_of(record["language"], "The language", tuple(LANGUAGES))
    if (values["quiet_start"] is None) != (values["quiet_end"] is None):
        raise fmt.RecordProblem("Quiet hours need a start and an end.")
    tally.settings = True
    if write:
        user = db.get_one(User, account.id)
        for name, value in values.items():
            setattr(user, name, value)


def _goals(db: Session, account: Account, record: dict, now: datetime, write: bool) -> None:
    """Restore the goals."""
    values = {
        "daily_volume_ml": fmt.number(record.get("daily_volume_ml"), "The daily volume", 0, 10000, optional=False),
        "sessions_per_day": fmt.whole(record.get("sessions_per_day"), "Sessions per day", 0, 48),
        "max_gap_day_min": fmt.whole(record.get("max_gap_day_min"), "The day's longest gap", 0, 24 * 60),
        "max_gap_night_min": fmt.whole(record.get("max_gap_night_min"), "The night's longest gap", 0, 24 * 60),
        "night_start": fmt.clock_time(record.get("night_start"), "The night's start"),
        "night_end": fmt.clock_time(record.get("night_end"), "The night's end"),
        "updated_at": fmt.instant(record.get("updated_at"), "updated_at", optional=True) or now,
    }
    if write:
        goal = db.get(Goal, account.id) or Goal(user_id=account.id)
        for name, value in values.items():
            setattr(goal, name, value)
        db.add(goal)


def _session(record: dict) -> dict:
    """Return a session record of the file as the values of a stored session."""
    file_id = fmt.identifier(record.get("id"), "The id")
    slot = record.get("plan_slot")
    if slot is not None:
        slot = fmt.fields_of(slot, "plan block")
        slot = (fmt.whole(slot.get("plan"), "The plan", -2**63, 2**63), fmt.whole(slot.get("index"), "The block", 0,
                                                                                   fmt.MAX_SLOTS))
    return {
        "key": f"{fmt.FORMAT}:session:{file_id}", "file_id": file_id,
        "started_at": fmt.instant(record.get("started_at"), "started_at"),
        "ended_at": fmt.instant(record.get("ended_at"), "ended_at"),
        "left_ml": fmt.number(record.get("left_ml"), "left_ml", 0, fmt.MAX_SIDE_ML),
        "right_ml": fmt.number(record.get("right_ml"), "right_ml", 0, fmt.MAX_SIDE_ML),
        "unsided_ml": fmt.number(record.get("unsided_ml"), "unsided_ml", 0, fmt.MAX_UNSIDED_ML),
        "mode": fmt.one_of(record.get("mode"), "The mode", fmt.MODES),
        "pump": fmt.text(record.get("pump"), "The pump", fmt.MAX_LABEL),
        "flange_mm": fmt.number(record.get("flange_mm"), "The flange size", 10, 40),
        "pump_setting": fmt.text(record.get("pump_setting"), "The pump setting", fmt.MAX_LABEL),
        "pain": fmt.whole(record.get("pain"), "Pain", 0, 10, optional=True),
        "notes": fmt.text(record.get("notes"), "The notes", fmt.MAX_NOTES), "slot": slot,
        "created_at": fmt.instant(record.get("created_at"), "created_at", optional=True),
        "updated_at": fmt.instant(record.get("updated_at"), "updated_at", optional=True),
    }


def _plan(db: Session, account: Account, record: dict, tally: Tally, now: datetime, write: bool) -> None:
    """Import a plan with its blocks, unless it is here already (the same template from the same start)."""
    file_id = fmt.whole(record.get("id"), "The id", -2**63, 2**63)
    template = fmt.one_of(record.get("template"), "The template", tuple(TEMPLATES))
    starts_at = fmt.instant(record.get("starts_at"), "starts_at")
    values = {
        "template": template, "starts_at": starts_at, "status": fmt.one_of(record.get("status"), "The status",
                                                                           fmt.PLAN_STATUSES),
        "params": fmt.fields_of(record.get("params"), "plan's params"),
        "time_zone": fmt.text(record.get("time_zone"), "The time zone", 64, optional=False),
        "ends_at": fmt.instant(record.get("ends_at"), "ends_at"),
        "created_at": fmt.instant(record.get("created_at"), "created_at"),
        "cancelled_at": fmt.instant(record.get("cancelled_at"), "cancelled_at", optional=True),
    }
    if canonical_zone(values["time_zone"]) is None:
        raise fmt.RecordProblem("The time zone is not an IANA time zone.")
    slots = [_slot(fmt.fields_of(slot, "block")) for slot in _list(record.get("slots"), "blocks", fmt.MAX_SLOTS)]
    key = f"{fmt.FORMAT}:plan:{template}:{starts_at.isoformat()}"
    tally.plans.found += 1
    here = db.scalar(select(Plan).where(Plan.user_id == account.id, (Plan.import_key == key) | and_(
        Plan.template == template, Plan.starts_at == starts_at)).limit(1))
    if here is not None:
        tally.plans.already_present += 1
    elif values["status"] == "active" and db.scalar(select(Plan.id).where(
            Plan.user_id == account.id, Plan.template == template, Plan.status == "active").limit(1)):
        raise fmt.RecordProblem("A plan of this kind is active here already; cancel it to import this one.")
    elif write:
        here = Plan(user_id=account.id, import_key=key, slots=[PlanSlot(**slot) for slot in slots], **values)
        db.add(here)
        db.flush()
        tally.plans.added += 1
        if here.status == "active" and here.ends_at > now:
            tally.plans_to_schedule.append(here.id)
    if here is not None:
        tally.slot_ids.update({(file_id, slot.index): slot.id for slot in here.slots})
        db.expunge(here)


def _list(value, what: str, limit: int) -> list:
    """Return a list of at most `limit` items."""
    if not isinstance(value, list):
        raise fmt.RecordProblem(f"The {what} are not a list.")
    if len(value) > limit:
        raise fmt.RecordProblem(f"There are more than {limit} {what}.")
    return value


def _slot(record: dict) -> dict:
    """Return a plan block of the file as a stored block's values."""
    phases = []
    for phase in _list(record.get("phases"), "phases", 100):
        phase = fmt.fields_of(phase, "phase")
        phases.append({"kind": fmt.one_of(phase.get("kind"), "A phase", fmt.PHASE_KINDS),
                       "side": fmt.one_of(phase.get("side"), "A phase's side", fmt.SIDES, optional=True),
                       "minutes": fmt.whole(phase.get("minutes"), "A phase's minutes", 0, 600)})
    return {"index": fmt.whole(record.get("index"), "A block's index", 0, fmt.MAX_SLOTS),
            "starts_at": fmt.instant(record.get("starts_at"), "A block's start"),
            "ends_at": fmt.instant(record.get("ends_at"), "A block's end"), "phases": phases,
            "note": fmt.text(record.get("note"), "A block's note", fmt.MAX_NOTES)}


CONTAINER_TIMES = ("expressed_at", "location_since", "expires_at", "created_at", "updated_at")
CONTAINER_OPTIONAL_TIMES = ("first_frozen_at", "thawed_at", "offered_at", "closed_at")


def _container(db: Session, account: Account, record: dict, tally: Tally, now: datetime, write: bool) -> None:
    """Import a stash container with its history, unless it is here already."""
    file_id = fmt.identifier(record.get("id"), "The id")
    values = {
        "label": fmt.text(record.get("label"), "The label", fmt.MAX_LABEL, optional=False),
        "entered_volume": fmt.number(record.get("entered_volume"), "The volume", 0, fmt.MAX_CONTAINER_ML,
                                     optional=False),
        "entered_unit": fmt.one_of(record.get("entered_unit"), "The unit", fmt.UNITS),
        "volume_ml": fmt.number(record.get("volume_ml"), "The volume", 0, fmt.MAX_CONTAINER_ML, optional=False),
        "remaining_ml": fmt.number(record.get("remaining_ml"), "What is left", 0, fmt.MAX_CONTAINER_ML,
                                   optional=False),
        "location": fmt.one_of(record.get("location"), "The place", fmt.LOCATIONS),
        "condition": fmt.one_of(record.get("condition"), "The condition", fmt.CONDITIONS),
        "closed": fmt.one_of(record.get("closed"), "How it ended", ("used", "discarded"), optional=True),
        "discard_reason": fmt.text(record.get("discard_reason"), "The reason", fmt.MAX_REASON),
        **{name: fmt.instant(record.get(name), name) for name in CONTAINER_TIMES},
        **{name: fmt.instant(record.get(name), name, optional=True) for name in CONTAINER_OPTIONAL_TIMES},
    }
    if values["expressed_at"] > now + FUTURE_TOLERANCE:
        raise fmt.RecordProblem("It was pumped in the future.")
    events = [_event(fmt.fields_of(event, "step")) for event in _list(record.get("events"), "steps", fmt.MAX_EVENTS)]
    session_id = fmt.identifier(record.get("session"), "The session", optional=True)
    key = f"{fmt.FORMAT}:container:{file_id}"
    tally.containers.found += 1
    owners = dict(db.execute(select(MilkBatch.id, MilkBatch.user_id).where(MilkBatch.id == file_id)).all())
    if owners.get(file_id) == account.id or db.scalar(select(MilkBatch.id).where(
            MilkBatch.user_id == account.id, MilkBatch.import_key == key)):
        tally.containers.already_present += 1
        return
    if not write:
        return
    batch = MilkBatch(id=file_id if file_id not in owners else uuid.uuid4(), user_id=account.id, import_key=key,
                      session_id=_session_here(db, account, session_id), request_digest=IMPORTED, **values)
    taken = set(db.scalars(select(MilkBatchEvent.id).where(MilkBatchEvent.id.in_([e["id"] for e in events]))))
    batch.events = [MilkBatchEvent(**{**event, "id": event["id"] if event["id"] not in taken else uuid.uuid4()},
                                   user_id=account.id, request_digest=IMPORTED, created_at=now) for event in events]
    db.add(batch)
    db.flush()
    tally.containers.added += 1
    db.expunge(batch)


def _event(record: dict) -> dict:
    """Return a step of a container's history as a stored step's values."""
    return {"id": fmt.identifier(record.get("id"), "A step's id"),
            "seq": fmt.whole(record.get("seq"), "A step's order", 0, 10**6),
            "kind": fmt.one_of(record.get("kind"), "A step", fmt.EVENT_KINDS),
            "at": fmt.instant(record.get("at"), "A step's time"),
            "location": fmt.one_of(record.get("location"), "A step's place", fmt.LOCATIONS, optional=True),
            "volume_ml": fmt.number(record.get("volume_ml"), "A step's volume", 0, fmt.MAX_CONTAINER_ML),
            "reason": fmt.text(record.get("reason"), "A step's reason", fmt.MAX_REASON)}


def _session_here(db: Session, account: Account, file_id: uuid.UUID | None) -> uuid.UUID | None:
    """Return the id here of the session the file names by its id, if it was imported or is hers."""
    if file_id is None:
        return None
    # Two look-ups, each an equality on a unique index: with OR, PostgreSQL may read all her sessions instead.
    return db.scalar(select(PumpSession.id).where(PumpSession.id == file_id, PumpSession.user_id == account.id)) \
        or db.scalar(select(PumpSession.id).where(PumpSession.user_id == account.id,
                                                  PumpSession.import_key == f"{fmt.FORMAT}:session:{file_id}"))
