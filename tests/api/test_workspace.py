"""The consultant's workspace over the API: her clients only, with their last 24 h, trend, plan and flags."""

from datetime import timedelta

import pytest

from tests.api import plan_helpers
from tests.api.grant_helpers import acting_for, grant

clock = plan_helpers.clock
log = plan_helpers.log


@pytest.fixture
def consultant(make_user):
    """A consultant's account: (user, headers)."""
    return make_user(email="consultant@example.com")


def _client(app, make_user, consultant, email, role="consultant", time_zone="Europe/Berlin"):
    """A parent who granted the consultant `role`: (user, headers)."""
    user, headers = make_user(email=email, time_zone=time_zone)
    grant(app, user["id"], consultant[0]["id"], role)
    return user, headers


def test_the_workspace_lists_each_client_with_her_figures_plan_and_flags(app, client, make_user, consultant, clock):
    steady, steady_headers = _client(app, make_user, consultant, "steady@example.com")
    quiet, _ = _client(app, make_user, consultant, "quiet@example.com", time_zone="America/New_York")
    for hours in range(3, 24 * 7, 3):
        log(client, steady_headers, clock.now - timedelta(hours=hours), ml=50.0)
    plan_helpers.start(client, steady_headers, "frequent-boost", clock.now - timedelta(hours=6))

    response = client.get("/api/workspace?sort=name", headers=consultant[1])
    assert response.status_code == 200, response.json
    items = response.json["items"]
    assert [c["email"] for c in items] == ["quiet@example.com", "steady@example.com"]
    quiet_view, steady_view = items
    assert steady_view["account_id"] == steady["id"] and steady_view["time_zone"] == "Europe/Berlin"
    assert steady_view["last_24h"] == {"total_ml": 800.0, "sessions": 8, "longest_gap_min": 165.0}
    assert steady_view["goal_ml"] == 750.0 and steady_view["goal_progress"] == pytest.approx(800 / 750, abs=1e-3)
    assert len(steady_view["trend"]) == 7 and all(day["total_ml"] > 0 for day in steady_view["trend"])
    assert steady_view["plan"]["template"] == "frequent-boost"
    assert steady_view["plan"]["done"] == 2 and steady_view["plan"]["missed"] == 1
    assert steady_view["last_logged_at"] is not None and steady_view["flags"] == []
    assert quiet_view["account_id"] == quiet["id"] and quiet_view["plan"] is None
    assert quiet_view["last_24h"] == {"total_ml": 0.0, "sessions": 0, "longest_gap_min": None}
    assert [f["code"] for f in quiet_view["flags"]] == ["nothing_logged", "below_goal"]
    assert quiet_view["flags"][0]["message"] == "Nothing logged yet."


def test_sorting_by_flags_last_logged_and_total(app, client, make_user, consultant, clock):
    _, fine = _client(app, make_user, consultant, "fine@example.com")
    _, gap = _client(app, make_user, consultant, "gap@example.com")
    _client(app, make_user, consultant, "never@example.com")
    for day in range(7):
        for hour in range(0, 24, 3):
            log(client, fine, clock.now - timedelta(days=day, hours=hour + 1), ml=60.0)
    log(client, gap, clock.now - timedelta(hours=7), ml=20.0)
    sorted_by = lambda sort: [c["email"] for c in client.get(  # noqa: E731
        f"/api/workspace?sort={sort}", headers=consultant[1]).json["items"]]
    assert sorted_by("flags") == ["never@example.com", "gap@example.com", "fine@example.com"]
    assert sorted_by("last_logged") == ["never@example.com", "gap@example.com", "fine@example.com"]
    assert sorted_by("total") == ["never@example.com", "gap@example.com", "fine@example.com"]
    assert sorted_by("name") == ["fine@example.com", "gap@example.com", "never@example.com"]
    wrong = client.get("/api/workspace?sort=age", headers=consultant[1])
    assert wrong.status_code == 422 and "sort" in wrong.json["error"]["fields"]


def test_other_roles_and_strangers_see_nobody_in_the_workspace(app, client, make_user, consultant, clock):
    _client(app, make_user, consultant, "cared@example.com", role="caregiver")
    _client(app, make_user, consultant, "partnered@example.com", role="partner")
    mine, _ = _client(app, make_user, consultant, "client@example.com")
    assert [c["email"] for c in client.get("/api/workspace", headers=consultant[1]).json["items"]] == [
        "client@example.com"]
    _, stranger = make_user()
    assert client.get("/api/workspace", headers=stranger).json["items"] == []
    # The workspace is the consultant's own: acting for a client does not turn it into the client's.
    assert client.get("/api/workspace", headers=acting_for(consultant[1], mine["id"])).status_code == 403
    assert client.get("/api/workspace").status_code == 401
