"""The household in the parent's language: on French phones a parent invites a caregiver and a consultant, who join
on theirs; every household screen, the switcher, the workspace, the import screen, the tab bar, the offline banners
and the time-zone offer show only French (tests/browser/languages.py). One pass in Spanish over the household screen."""

import uuid

from playwright.sync_api import expect

from tests.browser.languages import sign_up, untranslated
from tests.browser.test_household import phone


def invite(page, role: str) -> str:
    """Make an invitation link for `role` from the household screen and return it (a new one, not the last shown)."""
    page.goto("/#/household")
    shown = page.locator("#invite-url").all_inner_texts()
    page.locator(f"input[name=role][value={role}]").check()
    page.locator("#invite-form button[type=submit]").click()
    if shown:
        expect(page.locator("#invite-url")).not_to_have_text(shown[0])
    return page.locator("#invite-url").inner_text()


def test_the_household_screens_speak_french_from_invitation_to_workspace(browser, live_server):
    """Invite, join, switch, read as a consultant, import and go offline: no English on any of these screens."""
    parent_context, parent = phone(browser, live_server, locale="fr-FR")
    carer_context, carer = phone(browser, live_server, locale="fr-FR")
    consultant_context, consultant = phone(browser, live_server, locale="fr-FR")
    parent_email = f"parent-{uuid.uuid4().hex[:8]}@example.com"
    try:
        sign_up(parent, parent_email)
        caregiver_url = invite(parent, "caregiver")
        expect(parent.locator("#invite-h")).to_have_text("Inviter quelqu’un")
        expect(parent.locator("#invite-link")).to_contain_text("Envoyez ce lien à votre aidant.")
        parent.locator("#invite-link button").last.click()
        expect(parent.locator("#invite-said")).to_have_text("Lien copié. Collez-le dans un message pour l’envoyer.")
        expect(parent.locator("#invitation-list")).to_contain_text("Invitation\u00a0: Aidant")
        assert untranslated(parent, "fr") == []
        consultant_url = invite(parent, "consultant")

        sign_up(carer, f"carer-{uuid.uuid4().hex[:8]}@example.com")
        carer.goto(caregiver_url)
        expect(carer.locator("#join-h")).to_have_text("Rejoindre un foyer")
        assert untranslated(carer, "fr") == []
        carer.locator("#join-accept").click()
        expect(carer.locator("#join-h")).to_have_text(f"Vous faites partie du foyer de {parent_email} (aidant)")
        assert untranslated(carer, "fr") == []
        carer.locator("#join-open").click()
        expect(carer.locator("#household-switch")).to_have_text(f"{parent_email} — aidant")
        carer.locator("#household-switch").click()
        expect(carer.locator("#households-h")).to_have_text("Quel journal")
        assert carer.locator("#tabs a:visible").all_inner_texts() == ["Réserve", "Réglages"]
        assert untranslated(carer, "fr") == []
        carer.goto("/#/household")
        expect(carer.locator("#helped-list")).to_contain_text("Aidant depuis le")
        assert untranslated(carer, "fr") == []

        sign_up(consultant, f"ibclc-{uuid.uuid4().hex[:8]}@example.com")
        consultant.goto(consultant_url)
        consultant.locator("#join-accept").click()
        expect(consultant.locator("#join-h")).to_have_text(
            f"Vous faites partie du foyer de {parent_email} (consultante)")
        consultant.locator("#join-open").click()
        consultant.locator("#tabs [data-tab=workspace]").click()
        expect(consultant.locator("#workspace-h")).to_have_text("Vos clientes")
        expect(consultant.locator(".client-card")).to_contain_text("Dernières 24 h")
        assert untranslated(consultant, "fr") == []

        # Offline: the network line says so, and the household screen shows the account as this phone last saw it.
        consultant.goto("/#/household")
        expect(consultant.locator("#helped-list")).to_contain_text("Consultante depuis le")
        consultant_context.set_offline(True)
        consultant.goto("/#/households")
        consultant.goto("/#/household")
        expect(consultant.locator("#net")).to_have_text("Hors ligne")
        expect(consultant.locator("#stale")).to_contain_text("Hors ligne : voici ce que ce téléphone a vu en dernier")
        assert untranslated(consultant, "fr") == []
        consultant_context.set_offline(False)

        parent.goto("/#/import")
        expect(parent.locator("#import-h")).to_have_text("Importer vos données")
        assert untranslated(parent, "fr") == []
        parent.locator("input[name=from][value=babybuddy]").check()
        expect(parent.locator("#import-unit")).to_be_visible()
        assert untranslated(parent, "fr") == []
        parent.locator("input[name=how][value=server]").check()
        expect(parent.locator("#import-url")).to_be_visible()
        expect(parent).to_have_title("Importer vos données · Pumpwell")
        assert untranslated(parent, "fr") == []

        # Her account moved to Paris elsewhere: this UTC phone offers to follow it, in French.
        token = parent.evaluate("localStorage.getItem('pumpwell.token')")
        assert live_server.api("PATCH", "/me", token, json={"time_zone": "Europe/Paris"}).status_code == 200
        parent.reload()
        expect(parent.locator("#zone-offer")).to_contain_text("votre compte utilise Europe/Paris")
        assert untranslated(parent, "fr") == []
        errors = parent.errors + carer.errors + consultant.errors
        assert not errors, errors
    finally:
        parent_context.close()
        carer_context.close()
        consultant_context.close()


def test_the_household_screen_speaks_spanish(browser, live_server):
    """A Spanish parent's household screen, a link just made included, has no English left."""
    context, page = phone(browser, live_server, locale="es-ES")
    try:
        sign_up(page, f"madre-{uuid.uuid4().hex[:8]}@example.com")
        invite(page, "partner")
        expect(page.locator("#invite-link")).to_contain_text("Envía este enlace a tu pareja.")
        expect(page.locator("#member-list")).to_contain_text("Nadie más tiene acceso.")
        assert untranslated(page, "es") == []
        assert not page.errors, page.errors
    finally:
        context.close()
