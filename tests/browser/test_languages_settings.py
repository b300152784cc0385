"""A French phone signs in, up, and sees Settings, Stash and Plans in French; Settings turns them Spanish at once."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import new_phone, wait_until
from tests.browser.languages import untranslated
from tests.conftest import PASSWORD

# What these screens show that other parts translate: the shell around every screen (index.html's header and tabs,
# app.js) and dom.js's dialog buttons. The server's own words (limits, sources, plan templates) are read from the
# API instead, by `server_words`.
SHELL = {"Pumpwell", "Skip to content", "Main", "Today", "History", "Plans", "Stash", "Settings", "Cancel"}


def server_words(live_server, token) -> set[str]:
    """The texts the API gives these screens as they come: the storage guideline and the plan templates."""
    guideline = live_server.api("GET", "/stash/guideline", token).json
    templates = live_server.api("GET", "/plans/templates", token).json
    words = {guideline.get("not_medical_advice"), templates.get("disclaimer")}
    words |= {choice["name"] for choice in guideline["choices"]}
    for row in guideline["limits"]:
        words |= {row["limit"], row["source"], row.get("note"), row.get("cdc_limit")}
    for batch in live_server.api("GET", "/stash?limit=200", token).json["items"]:
        words |= {batch["time_left"], batch["limit"]["limit"]}
    for template in templates["items"]:
        words |= {template["name"], template.get("description"), template.get("evidence"), template.get("source")}
        words |= {(param.get("description") or param["name"]).rstrip(".") for param in template.get("params") or []}
    for plan in live_server.api("GET", "/plans", token).json["items"]:
        words |= {plan.get("disclaimer"), live_server.api("GET", f"/plans/{plan['id']}", token).json.get("disclaimer")}
    return {" ".join(word.split()) for word in words if word}


# Every short weekday and month Intl writes in a date ("jeu. 10 déc."), without their dots.
DATE_WORDS = """(language) => {
  const words = new Set();
  const options = { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short' };
  const format = new Intl.DateTimeFormat(language, options);
  for (let day = 0; day < 365; day += 1) {
    const date = new Date(Date.UTC(2026, 0, 1 + day, 12));
    for (const part of format.formatToParts(date)) words.add(part.value.toLowerCase().replace(/\\.$/, ''));
  }
  return [...words];
}"""


def intl_only(page, language: str, text: str) -> bool:
    """Whether a text is only a date Intl wrote, "jeu. 10 déc., 15:51" (languages.py misses some of these)."""
    words = set(page.evaluate(DATE_WORDS, language))
    return all(word in words for word in re.split(r"[\s\d.,:;/·–—\-+%()]+", text.lower()) if word)


def left(page, language: str, server: set[str] = frozenset()) -> list[str]:
    """What the page shows untranslated, less the shell's texts, the server's words (a label may add its unit) and
    Intl's dates."""
    return [text for text in untranslated(page, language) if text not in SHELL
            and not any(text.startswith(word) for word in server) and not intl_only(page, language, text)]


@pytest.fixture
def french(browser, live_server):
    """A page on a phone whose language is French, failing the test on any script error."""
    context = new_phone(browser, live_server, locale="fr-FR")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"script errors on the page: {errors}"


def test_a_french_phone_signs_up_in_french_and_settings_turn_it_spanish_at_once(french, live_server):
    """Every text of these screens is French, and choosing Español redraws Settings in Spanish without a reload."""
    page = french
    page.goto("/#/signin")
    expect(page.locator("form h2")).to_have_text("Se connecter")
    assert left(page, "fr") == []
    page.goto("/#/forgot")
    expect(page.locator("form h2")).to_have_text("Vous avez oublié votre mot de passe ?")
    assert left(page, "fr") == []
    page.goto("/#/signup")
    expect(page.locator("form h2")).to_have_text("Créez votre compte")
    assert left(page, "fr") == []
    page.get_by_label("E-mail").fill("marie@example.com")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Créer un compte").click()
    wait_until(page, "localStorage.getItem('pumpwell.token')")
    token = page.evaluate("localStorage.getItem('pumpwell.token')")
    assert live_server.api("GET", "/me", token).json["language"] == "fr"

    # Settings, with its Security card's devices and password form.
    page.goto("/#/settings")
    expect(page.locator("#language")).to_have_value("fr")
    expect(page.locator("#devices-summary")).to_have_text("Session ouverte sur ce téléphone seulement.")
    assert page.title() == "Réglages · Pumpwell"
    assert left(page, "fr") == []
    page.locator("#devices-open").click()
    expect(page.locator("#signed-in-devices > li .badge")).to_have_text("Ce téléphone")
    assert left(page, "fr") == []
    page.get_by_role("button", name="Fermer").click()
    page.locator("#password-change-open").click()
    expect(page.get_by_label("Mot de passe actuel")).to_be_visible()
    assert left(page, "fr") == []
    page.keyboard.press("Escape")

    # Stash: the add form, a container with its limits, and its use form.
    page.goto("/#/stash")
    expect(page.locator("#stash-empty")).to_have_text("Pas encore de lait en réserve.")
    page.get_by_role("button", name="Ajouter un contenant").click()
    expect(page.get_by_label("Où")).to_be_visible()
    assert left(page, "fr", server_words(live_server, token)) == []
    page.get_by_label("Volume (mL)").fill("120")
    page.get_by_label("Étiquette").fill("Sac du lundi")
    page.get_by_role("button", name="Ajouter à la réserve").click()
    expect(page.locator("#stash-list > li")).to_have_count(1)
    page.get_by_text("Limites et sources").click()
    server = server_words(live_server, token)
    assert left(page, "fr", server) == []
    page.get_by_role("button", name="Utiliser Sac du lundi").click()
    expect(page.get_by_role("dialog", name="Utiliser du lait")).to_be_visible()
    assert left(page, "fr", server) == []
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Déplacer Sac du lundi").click()
    expect(page.get_by_role("dialog", name="Déplacer le contenant")).to_be_visible()
    assert left(page, "fr", server) == []
    page.keyboard.press("Escape")

    # Plans: the list, a template's preview and start form, then the plan it started.
    page.goto("/#/plans")
    card = page.locator("#tpl-power-hour")
    expect(card.locator("[aria-expanded]")).to_be_visible()
    assert left(page, "fr", server) == []
    card.locator("[aria-expanded]").click()
    card.get_by_role("button", name="Aperçu des horaires").click()
    expect(card.locator(".preview ol > li").first).to_contain_text("tirer 20 · pause 10")
    assert left(page, "fr", server) == []
    card.get_by_role("button", name="Lancer le programme").click()
    active = page.locator(".active-plan")
    expect(active).to_be_visible()
    active.get_by_text("Modifier les horaires").click()
    assert left(page, "fr", server_words(live_server, token)) == []

    # Español, chosen in Settings: the screen and its title change at once, the page is the same one.
    page.goto("/#/settings")
    expect(page.locator("#language-h")).to_have_text("Langue")
    page.evaluate("window.sameRoom = true")
    page.locator("#language").select_option("es")
    expect(page.locator("#language-h")).to_have_text("Idioma")
    expect(page.locator("#share-h")).to_have_text("Compartir con tu asesora")
    expect(page).to_have_title("Ajustes · Pumpwell")
    assert page.evaluate("window.sameRoom") is True
    assert page.evaluate("document.documentElement.lang") == "es"
    assert left(page, "es") == []
    assert live_server.api("GET", "/me", token).json["language"] == "es"
    page.reload()
    expect(page.locator("#language-h")).to_have_text("Idioma")
    expect(page.locator("#language")).to_have_value("es")
    assert left(page, "es") == []
