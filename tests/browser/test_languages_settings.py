"""A French phone signs in, up, and sees Settings, Stash and Plans in French; Settings turns them Spanish at once."""


import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sized_page, wait_until
from tests.browser.languages import untranslated
from tests.conftest import PASSWORD


@pytest.fixture
def french(browser, live_server):
    """A page on a phone whose language is French, failing the test on any script error."""
    yield from sized_page(browser, live_server, locale="fr-FR")


def test_a_french_phone_signs_up_in_french_and_settings_turn_it_spanish_at_once(french, live_server):
    """Every text of these screens is French, and choosing Español redraws Settings in Spanish without a reload."""
    page = french
    page.goto("/#/signin")
    expect(page.locator("form h2")).to_have_text("Se connecter")
    assert untranslated(page, "fr") == []
    page.goto("/#/forgot")
    expect(page.locator("form h2")).to_have_text("Vous avez oublié votre mot de passe ?")
    assert untranslated(page, "fr") == []
    page.goto("/#/signup")
    expect(page.locator("form h2")).to_have_text("Créez votre compte")
    assert untranslated(page, "fr") == []
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
    assert untranslated(page, "fr") == []
    page.locator("#devices-open").click()
    expect(page.locator("#signed-in-devices > li .badge")).to_have_text("Ce téléphone")
    assert untranslated(page, "fr") == []
    page.get_by_role("button", name="Fermer").click()
    page.locator("#password-change-open").click()
    expect(page.get_by_label("Mot de passe actuel")).to_be_visible()
    assert untranslated(page, "fr") == []
    page.keyboard.press("Escape")

    # Stash: the add form, a container with its limits, and its use form.
    page.goto("/#/stash")
    expect(page.locator("#stash-empty")).to_have_text("Pas encore de lait en réserve.")
    page.get_by_role("button", name="Ajouter un contenant").click()
    expect(page.get_by_label("Où")).to_be_visible()
    assert untranslated(page, "fr") == []
    page.get_by_label("Volume (mL)").fill("120")
    page.get_by_label("Étiquette").fill("Sac du lundi")
    page.get_by_role("button", name="Ajouter à la réserve").click()
    expect(page.locator("#stash-list > li")).to_have_count(1)
    page.get_by_text("Limites et sources").click()
    assert untranslated(page, "fr") == []
    page.get_by_role("button", name="Utiliser Sac du lundi").click()
    expect(page.get_by_role("dialog", name="Utiliser du lait")).to_be_visible()
    assert untranslated(page, "fr") == []
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Déplacer Sac du lundi").click()
    expect(page.get_by_role("dialog", name="Déplacer le contenant")).to_be_visible()
    assert untranslated(page, "fr") == []
    page.keyboard.press("Escape")

    # Plans: the list, a template's preview and start form, then the plan it started.
    page.goto("/#/plans")
    card = page.locator("#tpl-power-hour")
    expect(card.locator("[aria-expanded]")).to_be_visible()
    assert untranslated(page, "fr") == []
    card.locator("[aria-expanded]").click()
    card.get_by_role("button", name="Aperçu des horaires").click()
    expect(card.locator(".preview ol > li").first).to_contain_text("tirer 20 · pause 10")
    assert untranslated(page, "fr") == []
    card.get_by_role("button", name="Lancer le programme").click()
    active = page.locator(".active-plan")
    expect(active).to_be_visible()
    active.get_by_text("Modifier les horaires").click()
    assert untranslated(page, "fr") == []

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
    assert untranslated(page, "es") == []
    assert live_server.api("GET", "/me", token).json["language"] == "es"
    page.reload()
    expect(page.locator("#language-h")).to_have_text("Idioma")
    expect(page.locator("#language")).to_have_value("es")
    assert untranslated(page, "es") == []
