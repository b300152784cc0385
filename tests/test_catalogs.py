"""Every text the code shows has a translation in every language's catalog, with the same placeholders."""

import re

import pytest

from server import catalogs
from server.domain.languages import DEFAULT_LANGUAGE, LANGUAGES
from server.i18n import app_messages, read_catalog, texts

PLACEHOLDER = re.compile(r"\{(\w+)\}")
OTHERS = [language for language in LANGUAGES if language != DEFAULT_LANGUAGE]
DOMAINS = {"server": catalogs.server_texts, "app": catalogs.app_texts}


def ids(message) -> tuple[str, ...]:
    """A message's text, or its singular and plural."""
    return tuple(message.id) if isinstance(message.id, tuple | list) else (message.id,)


def forms(message) -> tuple[str, ...]:
    """A message's translation, or each of its forms."""
    return tuple(message.string) if isinstance(message.string, tuple | list) else (message.string,)


@pytest.fixture(scope="module", params=DOMAINS)
def domain(request):
    """A domain's name and the texts its code holds."""
    return request.param, DOMAINS[request.param]()


@pytest.mark.parametrize("language", OTHERS)
def test_every_text_in_the_code_is_translated(domain, language):
    """A text added to the code and not to a catalog fails here (run `make catalogs`, then translate)."""
    name, texts_in_code = domain
    catalog = read_catalog(catalogs.catalog_paths()[name][language], language)
    missing = []
    for message in texts_in_code:
        found = catalog.get(message.id, context=message.context) if message.id else True
        if found is None or (message.id and (not all(forms(found)) or found.fuzzy)):
            missing.append(message.id)
    assert missing == [], f"{len(missing)} texts lack a {language} translation in the {name} catalog"


@pytest.mark.parametrize("language", OTHERS)
def test_a_catalog_holds_only_texts_the_code_uses(domain, language):
    """A text the code no longer shows leaves the catalogs (`make catalogs` drops it)."""
    name, texts_in_code = domain
    catalog = read_catalog(catalogs.catalog_paths()[name][language], language)
    unused = [message.id for message in catalog
              if message.id and texts_in_code.get(message.id, context=message.context) is None]
    assert unused == []


@pytest.mark.parametrize("language", OTHERS)
def test_a_translation_keeps_every_placeholder_of_its_text(domain, language):
    """{count} or {name} dropped or misspelt in a translation would show a wrong or empty value."""
    name, _ = domain
    catalog = read_catalog(catalogs.catalog_paths()[name][language], language)
    wrong = []
    for message in catalog:
        if not message.id:
            continue
        wanted = set().union(*(PLACEHOLDER.findall(text) for text in ids(message)))
        for form in forms(message):
            if form and set(PLACEHOLDER.findall(form)) - wanted:
                wrong.append((message.id, form))
            elif form and not message.pluralizable and set(PLACEHOLDER.findall(form)) != wanted:
                wrong.append((message.id, form))
    assert wrong == []


def test_the_app_is_served_each_catalog_and_the_service_worker_keeps_it(client):
    """/assets/locales/<language>.json answers each language but English; sw.js precaches each for offline use."""
    sw = client.get("/sw.js").get_data(as_text=True)
    for language in OTHERS:
        answer = client.get(f"/assets/locales/{language}.json")
        assert answer.status_code == 200
        assert answer.json == app_messages(language)
        assert f"'/assets/locales/{language}.json'" in sw
    assert client.get("/assets/locales/en.json").status_code == 404
    assert client.get("/assets/locales/xx.json").status_code == 404


def test_the_server_speaks_each_language_and_falls_back_to_english():
    """A language we lack, or a text not yet translated, reads as the code wrote it."""
    _, _n = texts("xx")
    assert _("Daily total {n}", n=3) == "Daily total 3"
    assert _n("{count} session", "{count} sessions", 2) == "2 sessions"
