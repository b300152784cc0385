"""Whether a device token is live: one function, at the edges of its maximum age and idle time."""

from datetime import UTC, datetime, timedelta

from server.models import ApiToken
from server.services.access import is_live

ISSUED = datetime(2026, 12, 1, tzinfo=UTC)
IDLE = timedelta(days=30)


def _token(last_used_at: datetime | None = None) -> ApiToken:
    """A token issued at ISSUED, good for 90 days at the most."""
    return ApiToken(created_at=ISSUED, expires_at=ISSUED + timedelta(days=90), last_used_at=last_used_at)


def test_an_unused_token_lives_for_the_idle_time_from_its_issue():
    assert is_live(_token(), IDLE, ISSUED + IDLE - timedelta(seconds=1))
    assert not is_live(_token(), IDLE, ISSUED + IDLE)


def test_each_use_restarts_the_idle_time_until_the_maximum_age():
    used = ISSUED + timedelta(days=70)
    assert is_live(_token(used), IDLE, used + timedelta(days=19, hours=23))
    assert not is_live(_token(used), IDLE, ISSUED + timedelta(days=90))
    assert not is_live(_token(used), IDLE, used + IDLE)
