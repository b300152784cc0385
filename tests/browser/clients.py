"""A consultant's clients for the browser tests and the screenshots: three parents with something to show."""

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from server.models import Grant
from tests.conftest import PASSWORD


def _parent(server, email: str) -> tuple[int, str]:
    """Register a parent in UTC; return her id and token."""
    answer = server.api("POST", "/auth/register", json={"email": email, "password": PASSWORD, "time_zone": "UTC"})
    assert answer.status_code == 201, answer.json
    return answer.json["user"]["id"], answer.json["token"]


def _log(server, token: str, starts: list[datetime], ml: float) -> None:
    """Log 15-minute sessions of `ml` a side."""
    for start in starts:
        answer = server.api("POST", "/sessions", token, json={
            "started_at": start.isoformat(), "duration_min": 15, "left_ml": ml, "right_ml": ml})
        assert answer.status_code == 201, answer.json


def seed_clients(server, consultant_id: int) -> dict[str, tuple[int, str]]:
    """Three parents who let the consultant in (one at goal, one short with a long night gap, one silent for two
    days) and one who let her in as a caregiver only; return {name: (id, token)} of the consultant's clients."""
    tag = uuid.uuid4().hex[:6]
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    clients = {name: _parent(server, f"{name}-{tag}@example.com") for name in ("amara", "bea", "cleo")}
    _, caregiver_of = _parent(server, f"dana-{tag}@example.com")
    every_3h = [now - timedelta(hours=1 + 3 * n) for n in range(8 * 5)]
    _log(server, clients["amara"][1], every_3h, 50)
    # Short of 750 mL a day, and one gap of 5 h 45 min in the last 24 hours.
    _log(server, clients["bea"][1], [at for at in every_3h if not 8 <= (now - at).total_seconds() / 3600 < 12], 42)
    _log(server, clients["cleo"][1], [at - timedelta(days=2) for at in every_3h[:16]], 45)
    with Session(server.app.extensions["engine"]) as db:
        for owner_id, _ in clients.values():
            db.add(Grant(owner_id=owner_id, grantee_id=consultant_id, role="consultant", created_at=now))
        dana = server.api("GET", "/me", caregiver_of).json["id"]
        db.add(Grant(owner_id=dana, grantee_id=consultant_id, role="caregiver", created_at=now))
        db.commit()
    return clients
