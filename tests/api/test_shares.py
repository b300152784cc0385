"""Share links: created once, listed with last use, revoked or expired into a plain 404, never a key to /api."""

import csv
import hashlib
import io
from datetime import UTC, datetime, timedelta

import pytest

from server.models import Share

SECRET_EMAIL = "dana.private@example.com"


def share(client, headers, **body):
    """Create a share link and return its JSON."""
    response = client.post("/api/shares", json={"label": "IBCLC Robin", **body}, headers=headers)
    assert response.status_code == 201, response.json
    return response.json


def log(client, headers, start: datetime, **fields):
    """Log a 15-minute session."""
    body = {"started_at": start.isoformat(), "duration_min": 15, "left_ml": 60, "right_ml": 55, **fields}
    assert client.post("/api/sessions", json=body, headers=headers).status_code == 201


def page_path(token: str) -> str:
    """Return the page of a token."""
    return f"/share/{token}"


@pytest.fixture
def user(make_user):
    """A user in New York who logged in with a private email."""
    return make_user(email=SECRET_EMAIL, time_zone="America/New_York")[1]


def test_created_link_shows_its_token_once_and_stores_only_its_hash(client, user, db):
    before = datetime.now(UTC)
    body = share(client, user)
    token = body["token"]
    assert len(token) >= 43  # 32 random bytes, base64url
    assert body["url"] == f"http://localhost/share/{token}"
    assert body["label"] == "IBCLC Robin"
    expires = datetime.fromisoformat(body["expires_at"])
    assert timedelta(days=14) - timedelta(seconds=5) < expires - before < timedelta(days=14, seconds=5)
    stored = db.get(Share, body["id"])
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(vars(stored))
    [listed] = client.get("/api/shares", headers=user).json["items"]
    assert "token" not in listed and listed["url"] is None
    assert listed["last_used_at"] is None and listed["revoked_at"] is None


@pytest.mark.parametrize("body, field", [
    ({"expires_in_days": 0}, "expires_in_days"),
    ({"expires_in_days": 91}, "expires_in_days"),
    ({"label": ""}, "label"),
    ({"label": "x" * 101}, "label"),
])  # fmt: skip
def test_out_of_range_links_are_refused(client, auth, body, field):
    response = client.post("/api/shares", json={"label": "IBCLC", **body}, headers=auth)
    assert response.status_code == 422
    assert field in response.json["error"]["fields"]


def test_the_link_names_the_public_url_whatever_host_the_request_claims(app, client, user):
    app.config["PUBLIC_URL"] = "https://pumpwell.example/"
    response = client.post("/api/shares", json={"label": "IBCLC Robin"}, headers={**user, "Host": "attacker.example"})
    assert response.status_code == 201
    assert response.json["url"] == f"https://pumpwell.example/share/{response.json['token']}"


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:5000", "[::1]:8000", "LOCALHOST"])
def test_without_a_public_url_an_allowed_host_names_the_link(app, client, user, host):
    app.config["PUBLIC_URL"] = ""
    response = client.post("/api/shares", json={"label": "IBCLC Robin"}, headers={**user, "Host": host})
    assert response.status_code == 201
    assert response.json["url"] == f"http://{host.lower()}/share/{response.json['token']}"


@pytest.mark.parametrize("host", ["attacker.example", "localhost.attacker.example", "127.0.0.1.nip.io", "[::2]"])
def test_without_a_public_url_another_host_is_refused_and_makes_no_link(app, client, user, db, host):
    app.config["PUBLIC_URL"] = ""
    response = client.post("/api/shares", json={"label": "IBCLC Robin"}, headers={**user, "Host": host})
    assert response.status_code == 400
    assert response.json["error"]["code"] == "bad_request" and "PUBLIC_URL" in response.json["error"]["message"]
    assert client.get("/api/shares", headers=user).json["items"] == []


def test_the_operator_can_allow_another_host(app, client, user):
    app.config.update(PUBLIC_URL="", ALLOWED_HOSTS=("pumpwell.lan",))
    response = client.post("/api/shares", json={"label": "IBCLC Robin"}, headers={**user, "Host": "pumpwell.lan:8000"})
    assert response.json["url"].startswith("http://pumpwell.lan:8000/share/")
    assert client.post("/api/shares", json={"label": "x"}, headers={**user, "Host": "localhost"}).status_code == 400


def test_a_link_may_live_up_to_90_days(client, auth):
    body = share(client, auth, expires_in_days=90)
    expires = datetime.fromisoformat(body["expires_at"]) - datetime.fromisoformat(body["created_at"])
    assert expires == timedelta(days=90)


def test_page_shows_chart_tables_and_downloads_read_only(client, user):
    now = datetime.now(UTC).replace(microsecond=0)
    log(client, user, now - timedelta(hours=3), notes="<script>alert(1)</script>, sore", pump="=cmd|' /C calc'!A0")
    log(client, user, now - timedelta(days=2))
    token = share(client, user)["token"]
    response = client.get(page_path(token))
    assert response.status_code == 200
    assert response.headers["X-Robots-Tag"].startswith("noindex")
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["Referrer-Policy"] == "no-referrer"
    html = response.data.decode()
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert "<svg" in html and 'class="bar' in html and 'class="goal"' in html
    assert "Goal 750 mL" in html
    assert html.count("<tr>") >= 30 + 2  # 30 days and 2 sessions
    assert "&lt;script&gt;alert(1)&lt;/script&gt;, sore" in html
    assert "<script" not in html and "<form" not in html and "<input" not in html and "<button" not in html
    assert SECRET_EMAIL not in html and "stash" not in html.lower()
    assert f"/share/{token}/sessions.csv?from=" in html and f"/share/{token}/daily.csv?from=" in html
    assert "/share/assets/share.css" in html and 'media="print"' in html


def test_page_stylesheets_are_served(client):
    for name in ("share.css", "share-print.css"):
        response = client.get(f"/share/assets/{name}")
        assert response.status_code == 200 and response.mimetype == "text/css"
        response.close()


def test_page_shows_an_oz_user_in_oz(client, make_user):
    _, headers = make_user(unit="oz")
    log(client, headers, datetime.now(UTC) - timedelta(hours=1))
    html = client.get(page_path(share(client, headers)["token"])).data.decode()
    assert "Goal 25.36 oz" in html and "3.89 oz" in html and "volumes in US fl oz" in html


def test_page_shows_the_active_plan_with_its_adherence(client, user):
    starts_at = (datetime.now(UTC) + timedelta(hours=1)).replace(microsecond=0)
    body = {"template": "power-hour", "starts_at": starts_at.isoformat(), "params": {}}
    assert client.post("/api/plans", json=body, headers=user).status_code == 201
    html = client.get(page_path(share(client, user)["token"])).data.decode()
    assert "Plan: Power pumping hour" in html
    assert "Still to come" in html and "not medical advice" in html


def test_page_without_a_plan_has_no_plan_section(client, user):
    html = client.get(page_path(share(client, user)["token"])).data.decode()
    assert "Plan:" not in html and "No sessions logged" in html


def test_csv_downloads_through_the_link_match_the_users_own(client, user):
    log(client, user, datetime(2026, 6, 1, 14, 0, tzinfo=UTC), notes="+1 good")
    token = share(client, user)["token"]
    for kind in ("sessions", "daily"):
        query = "?from=2026-06-01&to=2026-06-01"
        via_link = client.get(f"/share/{token}/{kind}.csv{query}")
        own = client.get(f"/api/export/{kind}.csv{query}", headers=user)
        assert via_link.status_code == 200
        assert via_link.headers["Content-Disposition"] == own.headers["Content-Disposition"]
        assert via_link.data == own.data
        rows = list(csv.DictReader(io.StringIO(via_link.data.decode().removeprefix("\ufeff"), newline="")))
        assert len(rows) == 1
        via_link.close()
        own.close()
    assert rows[0]["date_local"] == "2026-06-01"


def test_bad_csv_range_through_the_link_is_not_found(client, user):
    token = share(client, user)["token"]
    assert client.get(f"/share/{token}/daily.csv?from=yesterday").status_code == 404
    assert client.get(f"/share/{token}/sessions.csv?from=9999-12-31").status_code == 404
    backwards = client.get(f"/share/{token}/sessions.csv?from=2026-06-02&to=2026-06-01")
    assert backwards.status_code == 422 and backwards.mimetype == "text/html"


def test_opening_the_link_records_its_last_use(client, user):
    token = share(client, user)["token"]
    client.get(page_path(token))
    [listed] = client.get("/api/shares", headers=user).json["items"]
    assert listed["last_used_at"] is not None


def test_revoked_link_answers_a_plain_404_everywhere(client, user):
    body = share(client, user)
    token = body["token"]
    assert client.delete(f"/api/shares/{body['id']}", headers=user).status_code == 204
    for path in (page_path(token), f"{page_path(token)}/sessions.csv", f"{page_path(token)}/daily.csv"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.mimetype == "text/html"
        assert response.headers["X-Robots-Tag"].startswith("noindex")
        assert "expired" in response.data.decode()
    [listed] = client.get("/api/shares", headers=user).json["items"]
    assert listed["revoked_at"] is not None
    # Revoking again keeps the first time.
    assert client.delete(f"/api/shares/{body['id']}", headers=user).status_code == 204
    assert client.get("/api/shares", headers=user).json["items"][0]["revoked_at"] == listed["revoked_at"]


def test_expired_link_answers_404(app, client, user):
    token = share(client, user, expires_in_days=1)["token"]
    assert client.get(page_path(token)).status_code == 200
    later = datetime.now(UTC) + timedelta(days=1, seconds=5)
    app.config["CLOCK"] = lambda: later
    response = client.get(page_path(token))
    assert response.status_code == 404 and "<h1>Link not available</h1>" in response.data.decode()


def test_unknown_token_answers_404(client):
    response = client.get(page_path("not-a-real-token"))
    assert response.status_code == 404 and response.mimetype == "text/html"


def test_share_token_opens_nothing_under_api(client, user):
    token = share(client, user)["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    for path in ("/api/me", "/api/sessions", "/api/shares", "/api/export/sessions.csv", "/api/summary/daily"):
        response = client.get(path, headers=bearer)
        assert response.status_code == 401, path
        assert response.json["error"]["code"] == "unauthorized"


def test_another_users_link_is_not_found_and_not_listed(client, make_user):
    _, mine = make_user()
    _, theirs = make_user()
    body = share(client, theirs)
    response = client.delete(f"/api/shares/{body['id']}", headers=mine)
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
    assert client.get("/api/shares", headers=mine).json["items"] == []
    assert client.get(page_path(body["token"])).status_code == 200


def test_share_pages_are_rate_limited_with_a_plain_429(app, client, user):
    app.config["SHARE_RATE_LIMIT"] = "3 per minute"
    token = share(client, user)["token"]
    for _ in range(3):
        assert client.get(page_path(token)).status_code == 200
    response = client.get(page_path(token))
    assert response.status_code == 429
    assert response.mimetype == "text/html" and "Too many requests" in response.data.decode()
    assert "Retry-After" in response.headers
    # Unknown tokens count too, so guessing is throttled as well.
    assert client.get(page_path("guess")).status_code == 429
    # The API is not behind the share limit.
    assert client.get("/api/shares", headers=user).status_code == 200


@pytest.mark.parametrize("share_id", ["0", "2147483648", "99999999999999999999999"])
def test_ids_no_link_can_have_are_not_found(client, auth, share_id):
    response = client.delete(f"/api/shares/{share_id}", headers=auth)
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
