"""The workspace reads the same few statements whatever the number of clients: no read per client."""

from datetime import UTC, datetime, timedelta

from server.models import Grant, User
from server.services import plans, sessions
from server.services.access import Account
from server.services.workspace import workspace
from tests.statements import recorded

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)


def _clients(db, make_user, consultant: Account, count: int) -> None:
    """Give the consultant `count` clients, each with sessions and an active plan."""
    for _ in range(count):
        parent = Account.of(db.get(User, make_user(time_zone="Europe/Berlin")[0]["id"]))
        db.add(Grant(owner_id=parent.id, grantee_id=consultant.id, role="consultant", created_at=NOW))
        for hours in (2, 5, 30, 80):
            values = {"started_at": NOW - timedelta(hours=hours), "duration_min": 15, "mode": "double",
                      "left_ml": 60.0}
            sessions.create_session(db, parent, values, NOW)
        plans.start_plan(db, parent, {"template": "frequent-boost", "starts_at": NOW - timedelta(hours=6)}, NOW)
    db.commit()


def test_the_workspace_reads_as_many_statements_for_five_clients_as_for_one(db, make_user):
    consultants = [Account.of(db.get(User, make_user()[0]["id"])) for _ in range(2)]
    _clients(db, make_user, consultants[0], 1)
    _clients(db, make_user, consultants[1], 5)
    counts = []
    for consultant, clients in zip(consultants, (1, 5), strict=True):
        db.expire_all()
        with recorded(db.get_bind()) as statements:
            assert len(workspace(db, consultant, "flags", NOW)) == clients
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 6
