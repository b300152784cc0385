"""Adding stash containers against the database: a replay that raced its twin is still a replay."""

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.models import MilkBatch, User
from server.services import sessions, stash

NOW = datetime.now(UTC).replace(microsecond=0)


def test_a_twin_that_lost_the_race_for_a_session_s_whole_milk_is_answered_as_its_replay(app, db, make_user):
    data, _ = make_user()
    user = db.get(User, data["id"])
    session, _ = sessions.create_session(db, user, {
        "started_at": NOW - timedelta(hours=1), "duration_min": 20, "left_ml": 40, "right_ml": 30, "mode": "double",
    }, NOW)
    values = {"id": uuid.uuid4(), "session_id": session.id, "location": "fridge", "unit": "ml"}
    first, created = stash.add_batch(db, user, values, NOW)
    assert created and first.volume_ml == 70
    with Session(app.extensions["engine"], expire_on_commit=False) as twin:
        looked_up = []
        real_get = twin.get

        def get(model, key, **options):
            """Miss the container once, as a twin that looked before the first one committed."""
            looked_up.append(model)
            return None if model is MilkBatch and looked_up.count(MilkBatch) == 1 else real_get(model, key, **options)

        twin.get = get
        again, created_again = stash.add_batch(twin, twin.get(User, user.id), values, NOW)
    assert (created_again, again.id, again.volume_ml) == (False, first.id, 70)
    assert db.scalar(select(func.count()).select_from(MilkBatch)) == 1
