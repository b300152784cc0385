"""Export and share services against the database: batched reads, local ranges, link lifetimes."""

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert

from server.domain.errors import InvalidInput, NotFound
from server.models import PumpSession, User
from server.services import export, shares

NOW = datetime(2026, 3, 8, 3, 0, tzinfo=UTC)  # 22:00 on 7 March in New York


@pytest.fixture
def user(make_user, db):
    """A stored user in New York."""
    data, _ = make_user(time_zone="America/New_York")
    return db.get(User, data["id"])


def store_sessions(db, user, count: int, first: datetime) -> None:
    """Store `count` sessions three hours apart."""
    rows = [
        {"id": uuid.uuid4(), "user_id": user.id, "started_at": first + timedelta(hours=3 * n),
         "ended_at": first + timedelta(hours=3 * n, minutes=15), "left_ml": 50.0, "right_ml": 40.0,
         "mode": "double", "request_digest": "x", "created_at": NOW, "updated_at": NOW}
        for n in range(count)
    ]  # fmt: skip
    db.execute(insert(PumpSession), rows)
    db.commit()


def test_sessions_export_reads_in_batches_and_keeps_every_row(db, user, monkeypatch):
    monkeypatch.setattr(export, "YIELD_PER", 3)
    store_sessions(db, user, 10, datetime(2026, 3, 1, 12, tzinfo=UTC))
    name, chunks = export.export_sessions_csv(db, user, date(2026, 3, 1), date(2026, 3, 7), NOW)
    text = "".join(chunks)
    assert name == "pumpwell-sessions_2026-03-01_2026-03-07.csv"
    assert text.count("\r\n") == 11
    assert text.count(",90,") == 10  # every total


def test_export_defaults_to_the_last_30_local_days(user):
    assert export.export_range(user, None, None, NOW) == (date(2026, 2, 6), date(2026, 3, 7))
    assert export.export_range(user, date(2026, 1, 1), None, NOW) == (date(2026, 1, 1), date(2026, 3, 7))
    with pytest.raises(InvalidInput):
        export.export_range(user, date(2026, 3, 2), date(2026, 3, 1), NOW)


def test_a_link_works_until_the_moment_it_expires(db, user):
    _, token = shares.create_share(db, user, "IBCLC", 1, NOW)
    assert shares.open_share(db, token, NOW + timedelta(days=1) - timedelta(seconds=1)).id == user.id
    with pytest.raises(NotFound):
        shares.open_share(db, token, NOW + timedelta(days=1))


def test_revoking_ends_the_link_and_keeps_the_first_revocation_time(db, user):
    share, token = shares.create_share(db, user, "IBCLC", 14, NOW)
    shares.revoke_share(db, user, share.id, NOW + timedelta(hours=1))
    shares.revoke_share(db, user, share.id, NOW + timedelta(hours=2))
    assert share.revoked_at == NOW + timedelta(hours=1)
    with pytest.raises(NotFound):
        shares.open_share(db, token, NOW + timedelta(hours=3))


def test_overview_covers_30_days_newest_sessions_first(db, user):
    store_sessions(db, user, 4, datetime(2026, 3, 6, 12, tzinfo=UTC))
    overview = shares.share_overview(db, user, NOW)
    assert len(overview.days) == 30 and overview.days[-1].date == date(2026, 3, 7)
    starts = [s.started_at for s in overview.sessions]
    assert starts == sorted(starts, reverse=True) and len(starts) == 4
    assert overview.plan is None and len(overview.chart.bars) == 30
