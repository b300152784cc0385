"""The equipment comparison and the one-page PDF report: for the parent, through a share link, on A4 and Letter."""

import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from server.domain.report import MAX_DAYS
from server.models import User
from server.report_pdf import render_report
from server.services import report
from server.services.access import Account

ZONE = "America/New_York"
A4_POINTS = (595, 842)
LETTER_POINTS = (612, 792)


def log(client, headers, start: datetime, **fields):
    """Log a 20-minute session of 100 mL unless told otherwise."""
    body = {"started_at": start.isoformat(), "duration_min": 20, "left_ml": 50, "right_ml": 50, **fields}
    response = client.post("/api/sessions", json=body, headers=headers)
    assert response.status_code == 201, response.json


def read_pdf(response) -> PdfReader:
    """Check a PDF download's framing and open it."""
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="pumpwell-report_')
    assert response.headers["Cache-Control"] == "private, no-store"
    return PdfReader(io.BytesIO(response.data))


def text_of(pdf: PdfReader) -> str:
    """Return the text of every page, spaces squeezed."""
    return " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)


@pytest.fixture
def parent(client, make_user):
    """A parent in New York with a month of sessions: a pump change and a flange change in it."""
    _, headers = make_user(time_zone=ZONE)
    today = datetime.now(ZoneInfo(ZONE)).date()
    for back in range(MAX_DAYS):
        day = today - timedelta(days=back)
        for hour in (1, 6, 11, 16, 21):
            start = datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo(ZONE))
            if start > datetime.now(UTC):
                continue
            pump = "Spectra S1" if back > 20 else "Elvie Stride"
            flange = 24 if back > 10 else 21
            log(client, headers, start, pump=pump, flange_mm=flange, pump_setting="level 5", pain=1)
    return headers


def test_a_session_keeps_its_pump_setting_and_refuses_a_long_one(client, auth):
    now = datetime.now(UTC) - timedelta(hours=1)
    body = {"started_at": now.isoformat(), "duration_min": 15, "pump_setting": "expression 3, speed 70"}
    created = client.post("/api/sessions", json=body, headers=auth)
    assert created.status_code == 201 and created.json["pump_setting"] == "expression 3, speed 70"
    changed = client.patch(f"/api/sessions/{created.json['id']}", json={"pump_setting": None}, headers=auth)
    assert changed.json["pump_setting"] is None
    refused = client.post("/api/sessions", json={**body, "pump_setting": "x" * 101}, headers=auth)
    assert refused.status_code == 422 and "pump_setting" in refused.json["error"]["fields"]


def test_equipment_changes_are_listed_with_medians_and_counts_as_observations(client, parent):
    response = client.get("/api/equipment", headers=parent)
    assert response.status_code == 200, response.json
    body = response.json
    assert body["observation"].startswith("An observation, not a cause")
    pump, flange = body["changes"]
    assert pump["changed"] == ["pump"] and (pump["before"]["pump"], pump["after"]["pump"]) == ("Spectra S1",
                                                                                                "Elvie Stride")
    assert flange["changed"] == ["flange_mm"] and flange["after"]["flange_mm"] == 21
    assert pump["before"]["median_ml_per_session"] == 100 and pump["before"]["median_ml_per_min"] == 5
    assert pump["after"]["sessions"] == 50 == flange["before"]["sessions"]


def test_another_parents_equipment_is_not_seen(client, parent, make_user):
    _, stranger = make_user(email="stranger@example.com")
    assert client.get("/api/equipment", headers=stranger).json["changes"] == []


@pytest.mark.parametrize("paper, size", [("a4", A4_POINTS), ("letter", LETTER_POINTS)])
def test_a_month_fits_one_page_of_either_paper_with_every_part(client, parent, paper, size):
    today = datetime.now(ZoneInfo(ZONE)).date()
    first = today - timedelta(days=MAX_DAYS - 1)
    pdf = read_pdf(client.get(f"/api/report.pdf?from={first}&to={today}&paper={paper}", headers=parent))
    assert len(pdf.pages) == 1
    box = pdf.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == size
    text = text_of(pdf)
    for part in ("Daily volume against the goal", "Days", "Longest gaps", "Plan adherence", "Equipment changes",
                 "Milk stash", "An observation, not a cause", "none of this is medical advice"):
        assert part in text, part
    assert f"{MAX_DAYS} local days" in text and "time zone America/New_York" in text
    assert "pump Spectra S1 → Elvie Stride" in text and "flange 24 mm → 21 mm" in text
    assert first.strftime("%a %d %b") in text and today.strftime("%a %d %b") in text


def test_the_report_defaults_to_four_weeks_on_a4(client, parent):
    pdf = read_pdf(client.get("/api/report.pdf", headers=parent))
    assert "28 local days" in text_of(pdf)
    assert round(float(pdf.pages[0].mediabox.height)) == A4_POINTS[1]


@pytest.mark.parametrize("query, field", [
    ("from=2026-03-10&to=2026-03-01", "to"),
    ("from=2026-01-01&to=2026-02-01", "to"),  # 32 days
    ("from=1000-01-01&to=2026-01-01", "from"),
    ("from=2026-02-30", "from"),
    ("to=9999-12-31", "to"),
    ("paper=a3", "paper"),
    ("paper=", "paper"),
])
def test_hostile_ranges_and_papers_are_refused_in_the_error_shape(client, auth, query, field):
    response = client.get(f"/api/report.pdf?{query}", headers=auth)
    assert response.status_code == 422, response.data[:200]
    assert field in response.json["error"]["fields"]


def test_the_report_needs_a_sign_in(client):
    assert client.get("/api/report.pdf").status_code == 401
    assert client.get("/api/equipment").status_code == 401


def test_a_share_link_downloads_the_report_with_the_stash_only_when_shared(client, parent):
    expressed = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    stashed = client.post("/api/stash", json={"volume": 120, "location": "freezer", "expressed_at": expressed},
                          headers=parent)
    assert stashed.status_code == 201, stashed.json
    without = client.post("/api/shares", json={"label": "Dr Lee"}, headers=parent).json["token"]
    text = text_of(read_pdf(client.get(f"/share/{without}/report.pdf?paper=letter")))
    assert "Equipment changes" in text and "Milk stash" not in text
    shared = client.post("/api/shares", json={"label": "IBCLC", "include_stash": True}, headers=parent).json["token"]
    assert "Milk stash" in text_of(read_pdf(client.get(f"/share/{shared}/report.pdf")))
    page = client.get(f"/share/{shared}").get_data(as_text=True)
    assert f"/share/{shared}/report.pdf?paper=a4" in page and "Equipment changes" in page
    assert "An observation, not a cause" in page


def test_a_share_link_refuses_a_long_range_and_an_unknown_paper_or_token(client, parent):
    token = client.post("/api/shares", json={"label": "Dr Lee"}, headers=parent).json["token"]
    long = client.get(f"/share/{token}/report.pdf?from=2026-01-01&to=2026-03-01")
    assert long.status_code == 422 and "too long" in long.get_data(as_text=True)
    assert client.get(f"/share/{token}/report.pdf?paper=a0").status_code == 404
    assert client.get("/share/not-a-token/report.pdf").status_code == 404


def test_without_dejavu_the_page_is_drawn_in_helvetica(app, db, parent):
    user = Account.of(db.query(User).one())
    made = report.period_report(db, user, None, None, datetime.now(UTC))
    pdf = PdfReader(io.BytesIO(render_report(made, "letter", Path("/nonexistent"))))
    assert len(pdf.pages) == 1 and "Pumping report" in text_of(pdf) and "pump Spectra S1 -> Elvie" in text_of(pdf)


def test_an_empty_period_still_says_what_it_would_show(client, auth):
    text = text_of(read_pdf(client.get(f"/api/report.pdf?from={date(2026, 1, 1)}&to={date(2026, 1, 31)}",
                                       headers=auth)))
    assert "No plan ran in these days." in text and "No change of pump or flange size" in text
