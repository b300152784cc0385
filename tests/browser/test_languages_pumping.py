"""The pumping screens in French and Spanish: Today, the log form, History, Trends, Reminders, the running timer and a
plan's phase timer show nothing a catalog did not write, and a few texts read exactly as the catalogs have them."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sized_page
from tests.browser.languages import sign_up, untranslated
from tests.browser.test_plans import start_plan_by_api


@pytest.fixture
def phone(browser, live_server, request):
    """A page on a phone in the language `request.param`, failing the test on any script error."""
    yield from sized_page(browser, live_server, locale=request.param)


@pytest.mark.parametrize("phone", ["fr-FR"], indirect=True)
def test_the_pumping_screens_speak_french(phone, live_server):
    """Today, the log form with her equipment and notes, History, Trends, Reminders and both timers, in French."""
    page = phone
    token = sign_up(page)
    page.locator(".dock .big-start").wait_for()
    expect(page.locator("#today-h")).to_have_text("Aujourd’hui")
    expect(page.locator(".not-advice")).to_have_text(
        "Informations générales, pas un avis médical : demandez à une consultante en lactation (IBCLC) ou à votre "
        "professionnel de santé.")
    assert untranslated(page, "fr") == []

    page.locator("#log-past").click()
    dialog = page.get_by_role("dialog", name="Noter une séance")
    dialog.locator("input[name=left]").fill("60")
    dialog.locator("input[name=right]").fill("55")
    dialog.locator("summary").click()
    dialog.locator("#eq-pump").fill("Spectra S1")
    dialog.locator("#eq-flange_mm").fill("24.5")
    dialog.locator("#eq-pump_setting").fill("niveau 5")
    dialog.locator("#eq-pain").fill("2")
    dialog.locator("textarea[name=notes]").fill("Bébé a dormi, tiré au calme")
    expect(dialog.locator("summary")).to_have_text("Tire-lait et confort : Spectra S1 · 24,5 mm · niveau 5 · douleur 2")
    assert untranslated(page, "fr") == []
    dialog.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#toast")).to_have_text("Séance enregistrée.")
    expect(page.locator("#today-sessions li")).to_have_count(1)
    expect(page.locator("#today-list-h")).to_have_text("Séances du jour")
    assert untranslated(page, "fr") == []

    page.goto("/#/history")
    row = page.locator("#history-list > li").first
    expect(row).to_contain_text("G 60 mL · D 55 mL · les deux")
    expect(row).to_contain_text("Spectra S1 · 24,5 mm · niveau 5 · douleur 2")
    expect(row.get_by_role("button", name="Modifier")).to_be_visible()
    assert untranslated(page, "fr") == []

    page.goto("/#/trends")
    expect(page.locator("#weeks-h")).to_have_text("Cette semaine et la précédente")
    expect(page.get_by_role("navigation", name="Semaines affichées")).to_contain_text("4 semaines")
    assert untranslated(page, "fr") == []

    # Her gap reminder, before a plan adds the API's words for each of its steps.
    page.goto("/#/reminders")
    expect(page.locator("#rem-list-h")).to_have_text("Prochains rappels")
    expect(page.locator("#reminder-list .item-actions").first).to_contain_text("Reporter de 10 min")
    assert untranslated(page, "fr") == []

    page.goto("/#/today")
    page.locator(".dock .big-start").click()
    expect(page.locator(".dock-status")).to_contain_text("Tirage depuis")
    expect(page.locator(".side-timer").first).to_contain_text("Démarrer gauche")
    assert untranslated(page, "fr") == []
    page.locator(".dock").get_by_role("button", name="Effacer le minuteur").click()

    plan = start_plan_by_api(live_server, token, "power-hour")
    page.goto(f"/#/timer/{plan['id']}/{plan['slots'][0]['id']}")
    expect(page.locator(".card")).to_contain_text("60 minutes : tirer des deux côtés 20, repos 10")
    assert untranslated(page, "fr") == []
    page.locator(".big-start").click()
    expect(page.locator(".phase-name")).to_have_text("Tirer des deux côtés")
    expect(page.locator(".phase-screen")).to_contain_text("Ensuite : repos pendant 10 min")
    assert untranslated(page, "fr") == []


@pytest.mark.parametrize("phone", ["es-ES"], indirect=True)
def test_today_and_history_speak_spanish(phone, live_server):
    """Today and History, with a session logged, in Spanish."""
    page = phone
    token = sign_up(page)
    page.locator(".dock .big-start").wait_for()
    body = {"started_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(), "duration_min": 15, "left_ml": 40,
            "right_ml": 45, "mode": "double", "notes": "Después del baño", "pump": "Medela", "flange_mm": 21}
    assert live_server.api("POST", "/sessions", token, json=body).status_code == 201
    page.reload()
    expect(page.locator("#today-sessions li")).to_have_count(1)
    expect(page.locator("#today-list-h")).to_have_text("Sesiones de hoy")
    assert untranslated(page, "es") == []

    page.goto("/#/history")
    row = page.locator("#history-list > li").first
    expect(row).to_contain_text("I 40 mL · D 45 mL · ambos")
    expect(row.get_by_role("button", name="Eliminar")).to_be_visible()
    assert untranslated(page, "es") == []
