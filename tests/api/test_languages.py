"""Each account reads the server's words in its own language: what it asks for itself in its own, a share link in
the parent's, a push notification in its recipient's. Figures in a CSV stay as a spreadsheet reads them."""

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_skeleton
from pypdf import PdfReader
from sqlalchemy import select

from server.models import Grant, Reminder, User
from server.report_pdf import render_report
from server.services import report
from server.services.access import Account
from server.services.dispatch import dispatch_due
from tests.api.grant_helpers import acting_for
from tests.conftest import PASSWORD
from tests.push.conftest import device, push_client, push_service  # noqa: F401 (fixtures)

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def app(app):
    """The app with push encryption kept in-process, as tests/push has it."""
    app.config["PUSH_ENCRYPT_PROCESSES"] = 0
    return app


@pytest.fixture
def account(client):
    """Register an account speaking `language`; return (user json, auth headers)."""

    def make(language: str):
        """Register one."""
        body = {"email": f"{uuid.uuid4().hex[:12]}@example.com", "password": PASSWORD, "time_zone": "Europe/Paris",
                "unit": "ml", "language": language}
        response = client.post("/api/auth/register", json=body)
        assert response.status_code == 201, response.json
        return response.json["user"], {"Authorization": f"Bearer {response.json['token']}"}

    return make


def log_week(client, headers, days: int = 9):
    """Log two sessions a day for `days` days up to yesterday, on a new pump for the last three."""
    for back in range(1, days + 1):
        for hour in (6, 18):
            start = (NOW - timedelta(days=back)).replace(hour=hour, minute=0, second=0)
            body = {"started_at": start.isoformat(), "duration_min": 20, "left_ml": 60.5, "right_ml": 40,
                    "pump": "Spectra S1" if back > 3 else "Elvie Stride", "flange_mm": 24}
            assert client.post("/api/sessions", json=body, headers=headers).status_code == 201


def pdf_text(data: bytes) -> str:
    """The words of a one-page PDF, spaces squeezed (as tests/api/test_report.py reads them)."""
    pages = PdfReader(io.BytesIO(data)).pages
    assert len(pages) == 1
    return " ".join(pages[0].extract_text().split())


def header_row(response) -> list[str]:
    """The first row of a CSV download."""
    assert response.status_code == 200, response.data[:300]
    return next(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_a_french_account_reads_templates_guidelines_and_trends_in_french(client, account):
    _, headers = account("fr")
    templates = client.get("/api/plans/templates", headers=headers).json
    names = {t["key"]: t for t in templates["items"]}
    assert names["power-hour"]["name"] == "Heure de tirage intensif (power pumping)"
    assert names["frequent-boost"]["evidence"] == "preuves limitées\u00a0: un article"
    assert names["power-hour"]["params"][0]["description"] == "Nombre de jours que dure le programme."
    assert templates["disclaimer"].startswith("Ce programme est une information générale, pas un avis médical.")
    # Citations stay as published, beside their translation.
    assert "« one hour each day for 5-7 days »" in names["power-hour"]["source"].replace("\u00a0", " ")

    guideline = client.get("/api/stash/guideline", headers=headers).json
    assert guideline["not_medical_advice"].startswith("Les limites de conservation sont des repères généraux")
    fridge = next(limit for limit in guideline["limits"] if limit["condition"] == "fridge")
    assert fridge["limit"] == "4 jours" and fridge["condition"] == "fridge"
    freezer = next(limit for limit in guideline["limits"] if limit["condition"] == "freezer")
    assert freezer["limit"] == "12 mois" and "cdc.gov" in freezer["source"]

    empty = client.get("/api/trends?weeks=4", headers=headers).json
    assert empty["statements"][0]["text"] == "Rien d’enregistré pour l’instant\u00a0: les tendances commencent avec " \
                                             "votre première séance."
    assert empty["not_advice"].startswith("Information générale, pas un avis médical")
    log_week(client, headers)
    trends = client.get("/api/trends?weeks=4", headers=headers).json
    total = next(s for s in trends["statements"] if s["kind"] == "total")
    assert total["text"].startswith("Total sur 7 jours\u00a0: 1\u202f407 mL sur les 7 jours jusqu’à hier")
    assert total["latest"] == pytest.approx(1407)  # figures stay figures
    sessions = next(s for s in trends["statements"] if s["kind"] == "sessions_per_24h")
    assert sessions["text"] == "Séances par 24 h\u00a0: 2 sur les 7 jours jusqu’à hier."


def test_a_french_account_downloads_csv_headed_in_french_with_machine_readable_values(client, account):
    _, headers = account("fr")
    log_week(client, headers, days=1)
    response = client.get("/api/export/sessions.csv", headers=headers)
    assert header_row(response)[:7] == ["date_locale", "debut_local", "debut_decalage_utc", "fin_locale",
                                        "fin_decalage_utc", "duree_min", "depuis_fin_precedente_min"]
    first = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))[1]
    assert first[0] == (NOW - timedelta(days=1)).date().isoformat() and first[7] == "60.5"  # ISO dates, '.' decimals
    assert header_row(client.get("/api/export/daily.csv", headers=headers))[:3] == ["date_locale", "seances",
                                                                                   "total_ml"]
    body = {"volume": 120, "location": "fridge", "expressed_at": (NOW - timedelta(hours=1)).isoformat()}
    assert client.post("/api/stash", json=body, headers=headers).status_code == 201
    assert header_row(client.get("/api/export/stash.csv", headers=headers))[:3] == ["etiquette", "etat", "emplacement"]


def test_a_spanish_consultant_reads_a_french_parents_data_in_spanish(client, account, db):
    parent, parent_headers = account("fr")
    consultant, consultant_headers = account("es")
    db.add(Grant(owner_id=parent["id"], grantee_id=consultant["id"], role="consultant", created_at=NOW))
    db.commit()
    log_week(client, parent_headers)
    as_consultant = acting_for(consultant_headers, parent["id"])

    trends = client.get("/api/trends?weeks=4", headers=as_consultant).json
    total = next(s for s in trends["statements"] if s["kind"] == "total")
    assert total["text"].startswith("Total de 7 días: 1.407 mL en los 7 días hasta ayer")
    own = client.get("/api/trends?weeks=4", headers=parent_headers).json
    assert next(s for s in own["statements"] if s["kind"] == "total")["text"].startswith("Total sur 7 jours")
    assert header_row(client.get("/api/export/sessions.csv", headers=as_consultant))[:2] == ["fecha_local",
                                                                                           "inicio_local"]
    templates = client.get("/api/plans/templates", headers=consultant_headers).json
    assert {t["name"] for t in templates["items"]} >= {"Destete de la extracción"}


def test_a_french_caregiver_is_reminded_of_an_english_parents_stash_in_french(
        client, account, db, device, push_service, push_client):  # noqa: F811 (fixtures)
    parent, parent_headers = account("en")
    caregiver, caregiver_headers = account("fr")
    db.add(Grant(owner_id=parent["id"], grantee_id=caregiver["id"], role="caregiver", created_at=NOW))
    db.commit()
    hers, theirs = device(parent_headers), device(caregiver_headers)
    body = {"volume": 120, "location": "room", "label": "Bag 7", "expressed_at": (NOW - timedelta(hours=1)).isoformat()}
    assert client.post("/api/stash", json=body, headers=parent_headers).status_code == 201
    due = db.scalar(select(Reminder.send_after).where(Reminder.user_id == parent["id"]))
    [listed] = client.get("/api/reminders", headers=parent_headers).json["items"]
    assert listed["title"] == "Bag 7: 3 h at room temperature"

    dispatch_due(db, push_client, due)
    [english] = [r.json() for r in push_service.delivered(hers)]
    [french] = [r.json() for r in push_service.delivered(theirs)]
    assert english["title"] == "Bag 7: 3 h at room temperature"
    assert english["body"] == "Put it in the fridge or use it within the hour."
    assert [a["title"] for a in english["actions"]] == ["Start", "Snooze 10 min", "Skip"]
    assert french["title"] == "Bag 7\u00a0: 3 h à température ambiante"
    assert french["body"] == "Mettez-le au réfrigérateur ou utilisez-le dans l’heure."
    assert [a["title"] for a in french["actions"]] == ["Commencer", "Reporter de 10 min", "Passer"]


@pytest.fixture
def french_parent(client, account):
    """A French parent with nine days of sessions, a plan and a container, who shares her stash."""
    parent, headers = account("fr")
    log_week(client, headers)
    goals = {"daily_volume_ml": 1500, "sessions_per_day": 8, "max_gap_day_min": 180, "max_gap_night_min": 300,
             "night_start": "22:00", "night_end": "06:00"}
    assert client.put("/api/goals", json=goals, headers=headers).status_code == 200
    plan = {"template": "power-hour", "starts_at": (NOW - timedelta(hours=20)).isoformat()}
    assert client.post("/api/plans", json=plan, headers=headers).status_code == 201
    body = {"volume": 120, "location": "freezer", "label": "Sac 1",
            "expressed_at": (NOW - timedelta(hours=1)).isoformat()}
    assert client.post("/api/stash", json=body, headers=headers).status_code == 201
    token = client.post("/api/shares", json={"label": "Dr Lee", "include_stash": True}, headers=headers).json["token"]
    return parent, headers, token


def test_the_share_page_speaks_the_parents_language(client, french_parent):
    _, _, token = french_parent
    page = client.get(f"/share/{token}").get_data(as_text=True)
    assert '<html lang="fr">' in page
    for words in ("<h1>Relevé des tirages</h1>", "Volume quotidien par rapport à l’objectif", "Changements de matériel",
                  "Réserve de lait", "Programme\u00a0: Heure de tirage intensif (power pumping)", "congélateur",
                  "Séances faites", "tire-lait Spectra S1 → Elvie Stride", "Rapport d’une page (PDF, A4)",
                  "Une observation, pas une cause", "Réalisé avec Pumpwell."):
        assert words in page, words
    yesterday = (NOW - timedelta(days=1)).astimezone(ZoneInfo("Europe/Paris")).date()
    assert f"{format_skeleton('MMMEd', yesterday, locale='fr')}</th>" in page  # a day's row, as French writes it
    goal = page[page.index('<span class="key goal"></span>'):].split("</p>")[0]
    assert "objectif\u00a0: 1\u202f500 mL et 8 séances par jour" in goal  # figures by Babel


def test_a_pdf_from_a_share_link_is_french_and_an_accounts_own_download_is_in_her_language(
        client, account, db, french_parent):
    parent, _, token = french_parent
    french = pdf_text(client.get(f"/share/{token}/report.pdf").data)
    for words in ("Rapport des tirages", "Suivi du programme", "Plus longs intervalles", "Changements de matériel",
                  "Réserve de lait", "Réalisé avec Pumpwell le", "Jours", "Séances"):
        assert words in french, words
    consultant, consultant_headers = account("es")
    db.add(Grant(owner_id=parent["id"], grantee_id=consultant["id"], role="consultant", created_at=NOW))
    db.commit()
    answer = client.get("/api/report.pdf", headers=acting_for(consultant_headers, parent["id"]))
    assert answer.status_code == 200, answer.data[:300]
    spanish = pdf_text(answer.data)
    for words in ("Informe de extracciones", "Cumplimiento del plan", "Intervalos más largos", "Cambios de equipo",
                  "Hecho con Pumpwell el", "sacaleches Spectra S1 → Elvie Stride"):
        assert words in spanish, words


def test_without_dejavu_a_french_pdf_writes_babels_spaces_in_latin_1(client, db, french_parent):
    parent, _, _ = french_parent
    user = Account.of(db.get(User, parent["id"]))
    made = report.period_report(db, user, None, None, datetime.now(UTC))
    text = pdf_text(render_report(made, "a4", Path("/nonexistent"), language="fr"))
    assert "Rapport des tirages" in text and "tire-lait Spectra S1 -> Elvie Stride" in text
    assert "objectif 1 500 mL et 8 séances par jour" in text  # Babel's narrow no-break space, as Latin-1 has it
    assert "?" not in text.replace("Where is breast milk made in the body?", "")  # nothing Latin-1 lacks
