"""The import pipeline against the database: a registered reader's rows checked, skipped by provenance, applied in
one transaction, and reflected at once in summaries, the CSV and plan adherence."""

import hashlib
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from server.imports.rows import ImportedSession, Row, Unreadable
from server.models import PumpSession, User
from server.services import export, imports, summary
from server.services.access import Account
from server.services.imports import ImportRefused

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)


class CannotRead(ValueError):
    """The test reader's whole-file refusal (a real reader's lives in rows.py)."""


def lines_reader(stream, zone: ZoneInfo, now: datetime) -> Iterator[Row]:
    """Read the test format: one session a line, `local start;minutes;left;right;total;notes`, local to `zone`."""
    for line, text in enumerate(io.TextIOWrapper(stream, encoding="utf-8", newline=""), start=1):
        if text.startswith("#"):
            raise CannotRead("the file says it is not one of ours")
        try:
            start, minutes, left, right, total, notes = text.rstrip("\n").split(";")
            started = datetime.fromisoformat(start).replace(tzinfo=zone).astimezone(UTC)
            amounts = [float(value) if value else None for value in (left, right, total)]
        except ValueError:
            yield Unreadable(line, "Not start;minutes;left;right;total;notes.")
            continue
        key = "lines:" + hashlib.sha256(text.encode()).hexdigest()[:32]
        yield ImportedSession(line, key, started, started + timedelta(minutes=float(minutes)), *amounts, notes or None)


@pytest.fixture(autouse=True)
def registered():
    """Register the test reader as the source `lines` for the test."""
    imports.register_reader("lines", lines_reader)
    yield
    imports.READERS.pop("lines")


@pytest.fixture
def account(make_user, db) -> Account:
    """A parent in New York."""
    data, _ = make_user(time_zone="America/New_York")
    return Account.of(db.get(User, data["id"]))


def body(*lines: str) -> io.BytesIO:
    """Return a file of the test format."""
    return io.BytesIO("".join(line + "\n" for line in lines).encode())


def stored(db, account) -> int:
    """Count the account's sessions."""
    return db.scalar(select(func.count()).select_from(PumpSession).where(PumpSession.user_id == account.id))


FILE = ("2026-11-20T07:00;20;60;55;;morning", "2026-11-20T11:00;15;;;80;one amount", "not a line",
        "2026-11-21T07:00;20;-5;50;;", "2026-12-25T07:00;20;60;55;;")


def test_a_preview_counts_what_would_be_added_and_why_lines_are_skipped_and_writes_nothing(db, account):
    preview = imports.preview_import(db, account, "lines", body(*FILE), "America/New_York", NOW)
    assert (preview["sessions"], preview["to_add"], preview["already_present"]) == (2, 2, 0)
    assert preview["first"] == datetime(2026, 11, 20, 12, tzinfo=UTC)
    assert preview["last"] == datetime(2026, 11, 20, 16, tzinfo=UTC)
    assert preview["unreadable"] == [
        {"line": 3, "reason": "Not start;minutes;left;right;total;notes."},
        {"line": 4, "reason": "An amount is negative."},
        {"line": 5, "reason": "It starts in the future."},
    ]
    assert preview["unreadable_count"] == 3 and stored(db, account) == 0


def test_importing_the_same_file_twice_adds_nothing_the_second_time(db, account):
    first = imports.import_file(db, account, "lines", body(*FILE), "America/New_York", NOW)
    assert (first["added"], first["skipped"]) == (2, 0)
    again = imports.import_file(db, account, "lines", body(*FILE), "America/New_York", NOW)
    assert (again["added"], again["skipped"]) == (0, 2)
    assert imports.preview_import(db, account, "lines", body(*FILE), "America/New_York", NOW)["to_add"] == 0
    assert stored(db, account) == 2


def test_one_amount_without_sides_counts_in_the_summary_and_the_csv_at_once(db, account):
    day = date(2026, 11, 20)
    assert summary.daily_summary(db, account, day, day)[0].total_ml == 0
    summary.summary_view(db, account, day, day, NOW)  # the day is kept, empty
    imports.import_file(db, account, "lines", body(*FILE), "America/New_York", NOW)
    kept = summary.summary_view(db, account, day, day, NOW).days[0]
    assert (kept.sessions, kept.total_ml, kept.left_ml, kept.right_ml) == (2, 195.0, 60.0, 55.0)
    _, chunks = export.export_sessions_csv(db, account, day, day, NOW)
    csv = "".join(chunks)
    assert ",80," in csv.splitlines()[2] and "one amount" in csv


def test_a_file_the_reader_refuses_is_refused_whole_and_nothing_is_written(db, account):
    lines = [f"2026-11-{1 + n // 200:02d}T{n % 200 // 10:02d}:{n % 10 * 5:02d};10;30;30;;" for n in range(2500)]
    with pytest.raises(ImportRefused) as refused:
        imports.import_file(db, account, "lines", body(*lines, "# not ours"), "UTC", NOW)
    assert "the file says it is not one of ours" in refused.value.message
    assert stored(db, account) == 0


def test_text_that_is_not_utf8_is_refused_with_a_reason(db, account):
    with pytest.raises(ImportRefused, match="not UTF-8"):
        imports.import_file(db, account, "lines", io.BytesIO(b"2026-11-20T07:00;20;\xff\xfe;;;\n"), "UTC", NOW)


def test_thousands_of_rows_import_across_chunks_in_one_go(db, account):
    lines = [f"2026-11-{1 + n // 200:02d}T{n % 200 // 10:02d}:{n % 10 * 5:02d};10;30;30;;" for n in range(2500)]
    result = imports.import_file(db, account, "lines", body(*lines, *lines[:10]), "UTC", NOW)
    assert (result["sessions"], result["added"], result["skipped"]) == (2510, 2500, 10)
    assert stored(db, account) == 2500


def test_an_unknown_source_or_zone_is_refused(db, account):
    with pytest.raises(imports.InvalidInput) as unknown:
        imports.preview_import(db, account, "sprout", body(*FILE), "UTC", NOW)
    assert unknown.value.fields["source"][0].startswith("Must be one of pumpwell, ")
    assert "lines" in unknown.value.fields["source"][0] and "sprout" not in unknown.value.fields["source"][0]
    with pytest.raises(imports.InvalidInput):
        imports.preview_import(db, account, "lines", body(*FILE), "Mars/Olympus", NOW)
