"""A write that races the deletion of its account answers 401 or 404, never 500, and leaves nothing behind."""

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from server.models import User
from tests.api.test_account import rows_of
from tests.conftest import PASSWORD

PHONES = 3


def _writes(now: datetime) -> list[tuple[str, str, dict]]:
    """The writes another phone of the account keeps sending: each inserts a row that names the account, or changes
    the account's own row."""
    started = (now - timedelta(hours=2)).isoformat()
    return [
        ("post", "/api/sessions", {"started_at": started, "duration_min": 15, "left_ml": 40, "notes": "n"}),
        ("post", "/api/shares", {"label": "Robin", "expires_in_days": 7}),
        ("post", "/api/stash", {"volume": 60, "expressed_at": started, "location": "fridge"}),
        ("patch", "/api/me", {"quiet_hours": {"start": "22:00", "end": "06:00"}}),
    ]


def test_writes_racing_account_deletion_answer_401_or_404_and_leave_no_row(app, db):
    client = app.test_client()
    email = "racing@example.com"
    client.post("/api/auth/register", json={"email": email, "password": PASSWORD})
    tokens = [client.post("/api/auth/login", json={"email": email, "password": PASSWORD}).json["token"]
              for _ in range(PHONES + 1)]
    user_id = db.scalar(select(User.id).where(User.email == email))
    answers: list[tuple[str, int]] = []
    deleted = threading.Event()

    def phone(token: str) -> None:
        """Keep writing until a while after the account is gone."""
        writer, after = app.test_client(), 0
        headers = {"Authorization": f"Bearer {token}"}
        while after < 10:
            for method, url, body in _writes(datetime.now(UTC)):
                answer = getattr(writer, method)(url, json=body, headers=headers)
                answers.append((url, answer.status_code))
            after += deleted.is_set()

    phones = [threading.Thread(target=phone, args=(token,)) for token in tokens[1:]]
    for thread in phones:
        thread.start()
    while len(answers) < 20:  # the phones are writing
        threading.Event().wait(0.01)
    gone = client.delete("/api/account", json={"password": PASSWORD}, headers={"Authorization": f"Bearer {tokens[0]}"})
    deleted.set()
    for thread in phones:
        thread.join(timeout=120)
    assert gone.status_code == 204
    refused = [(url, status) for url, status in answers if status not in (200, 201, 204, 401, 404)]
    assert not refused, refused
    assert sum(status == 401 for _, status in answers) >= PHONES * 10
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(User).where(User.id == user_id)) == 0
    assert not any(rows_of(db, user_id).values())
