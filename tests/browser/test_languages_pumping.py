"""The pumping screens in French and Spanish: Today, the log form, History, Trends, Reminders, the running timer and a
plan's phase timer show nothing a catalog did not write, and a few texts read exactly as the catalogs have them."""

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import new_phone
from tests.browser.languages import INTL_WORDS, untranslated
from tests.browser.test_plans import start_plan_by_api
from tests.conftest import PASSWORD

# What other helpers' files still show in English on this branch: the shell (tab bar, header, skip link), the
# toast's Undo (dom.js) and the API's own words (a gap reminder, Trends' statements, figures and line on advice).
# The lead removes this list, and intl_date below, once every branch is merged.
OTHERS_TEXTS = re.compile("|".join([
    "History", "Main", "Plans", "Pumpwell", "Settings", "Skip to content", "Stash", "Today", "Undo",
    r"3 h since your last session", r"· Time to pump\? Log it when you are done\.",
    r"Weekly figures start on .+, once 7 whole days are logged\.", r"Coming to volume: .+", r"NICU minimum: .+",
    r"750–1,050 mL .+", r"General information, not medical advice: .+",
]))


def intl_date(page, language: str, text: str) -> bool:
    """Whether Intl wrote `text` ("lun. 7 déc., 15:22"): languages.py splits it into words without their dot
    ("déc") but keeps Intl's with it ("déc."), so a French short date reads as untranslated there."""
    words = {word.rstrip(".") for word in page.evaluate(INTL_WORDS, language)}
    rest = [word for word in re.split(r"[\s\d.,:;/·–—\-+%()]+", text.lower()) if word]
    return bool(rest) and all(word in words for word in rest)


def left_untranslated(page, language: str) -> list[str]:
    """What the page shows in `language` that no catalog wrote, leaving out other helpers' texts."""
    return [text for text in untranslated(page, language)
            if not OTHERS_TEXTS.fullmatch(text) and not intl_date(page, language, text)]


@pytest.fixture
def phone(browser, live_server, request):
    """A page on a phone in the language `request.param`, failing the test on any script error."""
    context = new_phone(browser, live_server, locale=request.param)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"script errors on the page: {errors}"


def sign_up(page) -> str:
    """Create an account in the phone's language, finding the fields by type (their labels are translated too);
    return its token once Today shows."""
    page.goto("/#/signup")
    page.locator("input[type=email]").fill(f"{uuid.uuid4().hex[:12]}@example.com")
    page.locator("input[type=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.locator(".dock .big-start").wait_for()
    return page.evaluate("localStorage.getItem('pumpwell.token')")


@pytest.mark.parametrize("phone", ["fr-FR"], indirect=True)
def test_the_pumping_screens_speak_french(phone, live_server):
    """Today, the log form with her equipment and notes, History, Trends, Reminders and both timers, in French."""
    page = phone
    token = sign_up(page)
    expect(page.locator("#today-h")).to_have_text("Aujourd’hui")
    expect(page.locator(".not-advice")).to_have_text(
        "Informations générales, pas un avis médical : demandez à une consultante en lactation (IBCLC) ou à votre "
        "professionnel de santé.")
    assert left_untranslated(page, "fr") == []

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
    assert left_untranslated(page, "fr") == []
    dialog.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#toast")).to_have_text("Séance enregistrée.")
    expect(page.locator("#today-sessions li")).to_have_count(1)
    expect(page.locator("#today-list-h")).to_have_text("Séances du jour")
    assert left_untranslated(page, "fr") == []

    page.goto("/#/history")
    row = page.locator("#history-list > li").first
    expect(row).to_contain_text("G 60 mL · D 55 mL · les deux")
    expect(row).to_contain_text("Spectra S1 · 24,5 mm · niveau 5 · douleur 2")
    expect(row.get_by_role("button", name="Modifier")).to_be_visible()
    assert left_untranslated(page, "fr") == []

    page.goto("/#/trends")
    expect(page.locator("#weeks-h")).to_have_text("Cette semaine et la précédente")
    expect(page.get_by_role("navigation", name="Semaines affichées")).to_contain_text("4 semaines")
    assert left_untranslated(page, "fr") == []

    # Her gap reminder, before a plan adds the API's words for each of its steps.
    page.goto("/#/reminders")
    expect(page.locator("#rem-list-h")).to_have_text("Prochains rappels")
    expect(page.locator("#reminder-list .item-actions").first).to_contain_text("Reporter de 10 min")
    assert left_untranslated(page, "fr") == []

    page.goto("/#/today")
    page.locator(".dock .big-start").click()
    expect(page.locator(".dock-status")).to_contain_text("Tirage depuis")
    expect(page.locator(".side-timer").first).to_contain_text("Démarrer gauche")
    assert left_untranslated(page, "fr") == []
    page.locator(".dock").get_by_role("button", name="Effacer le minuteur").click()

    plan = start_plan_by_api(live_server, token, "power-hour")
    page.goto(f"/#/timer/{plan['id']}/{plan['slots'][0]['id']}")
    expect(page.locator(".card")).to_contain_text("60 minutes : tirer des deux côtés 20, repos 10")
    assert left_untranslated(page, "fr") == []
    page.locator(".big-start").click()
    expect(page.locator(".phase-name")).to_have_text("Tirer des deux côtés")
    expect(page.locator(".phase-screen")).to_contain_text("Ensuite : repos pendant 10 min")
    assert left_untranslated(page, "fr") == []


@pytest.mark.parametrize("phone", ["es-ES"], indirect=True)
def test_today_and_history_speak_spanish(phone, live_server):
    """Today and History, with a session logged, in Spanish."""
    page = phone
    token = sign_up(page)
    body = {"started_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(), "duration_min": 15, "left_ml": 40,
            "right_ml": 45, "mode": "double", "notes": "Después del baño", "pump": "Medela", "flange_mm": 21}
    assert live_server.api("POST", "/sessions", token, json=body).status_code == 201
    page.reload()
    expect(page.locator("#today-sessions li")).to_have_count(1)
    expect(page.locator("#today-list-h")).to_have_text("Sesiones de hoy")
    assert left_untranslated(page, "es") == []

    page.goto("/#/history")
    row = page.locator("#history-list > li").first
    expect(row).to_contain_text("I 40 mL · D 45 mL · ambos")
    expect(row.get_by_role("button", name="Eliminar")).to_be_visible()
    assert left_untranslated(page, "es") == []
