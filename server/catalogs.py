"""Gather the texts to translate from the code, and bring every language's catalog up to date with them.

`make catalogs` (python -m server.catalogs) writes the templates (server/translations/messages.pot,
frontend/locales/app.pot, which git ignores: the code is their source) and adds each new text,
untranslated, to every language's .po, dropping the texts the code no longer uses; a translator then fills them
in. tests/test_catalogs.py reads the code the same way and fails
on any text a catalog lacks. docs/languages.md.
"""

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import write_po

from server.domain.languages import DEFAULT_LANGUAGE, LANGUAGES
from server.i18n import APP_CATALOGS, SERVER_CATALOGS, read_catalog

ROOT = Path(__file__).resolve().parent.parent
# The server: `_` and `_n` (server/i18n.py), N_ marks, the domain's Text and Counted sentences
# (server/domain/languages.py), and the templates' gettext calls and {% trans %} blocks.
# The API's refusals are translated too (server/api/reasons.py): the message each error class is raised with, and
# the name of what a per-account limit counts.
REFUSALS = ("InvalidInput", "NotFound", "NotAllowed", "Conflict", "ValidationError", "InvalidPlanParams",
            "SubscriptionRejected", "PlanConflict", "StashIdReused", "MoveNotAllowed", "WrongPassword",
            "PasswordRequired", "BadCredentials", "PasskeyTaken", "PasskeyNotAdded", "OwnInvitation", "MilkExpired",
            "CurrentDevice", "SessionIdReused", "UnsupportedMediaType", "EmailTaken", "TooManyInvitations",
            "ContainerClosed", "CommonPassword", "UnknownTemplate", "ResetLinkInvalid", "ThawedMilkCannotRefreeze",
            "RequestEntityTooLarge", "BadRequest")
SERVER_KEYWORDS = {"_": None, "_n": (1, 2), "N_": None, "Text": None, "Counted": (1, 2), "gettext": None,
                   "ngettext": (1, 2), "per_account": (2,), **dict.fromkeys(REFUSALS)}
# The app: t, tn and tc (frontend/js/i18n.js), and N_ marks.
APP_KEYWORDS = {"t": None, "tn": (1, 2), "tc": ((1, "c"), 2), "N_": None}


def extract(root: Path, keywords: dict) -> Catalog:
    """Every text to translate under `root`, as its babel.cfg maps files to extractors."""
    with (root / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    catalog = Catalog(project="Pumpwell", version="1", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(root, method_map, options_map, keywords):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def server_texts() -> Catalog:
    """The server's texts: share page, report, reminders, CSV headers, and what the API says in words."""
    return extract(ROOT, SERVER_KEYWORDS)


def app_texts() -> Catalog:
    """The app's texts."""
    return extract(ROOT / "frontend", APP_KEYWORDS)


def catalog_paths() -> dict[str, dict[str, Path]]:
    """Each domain's template and its catalog in every language but English (the code's own)."""
    others = [language for language in LANGUAGES if language != DEFAULT_LANGUAGE]
    return {
        "server": {"template": SERVER_CATALOGS / "messages.pot",
                   **{language: SERVER_CATALOGS / language / "LC_MESSAGES" / "messages.po" for language in others}},
        "app": {"template": APP_CATALOGS / "app.pot",
                **{language: APP_CATALOGS / f"{language}.po" for language in others}},
    }


def write(catalog: Catalog, path: Path) -> None:
    """Write a catalog as a .po or .pot file, sorted by text so a change reads well in a diff."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file:
        write_po(file, catalog, sort_output=True, omit_header=False, include_previous=False, width=116)


def update() -> None:
    """Write both templates and bring every language's catalog in line with them."""
    for domain, texts in (("server", server_texts()), ("app", app_texts())):
        paths = catalog_paths()[domain]
        write(texts, paths.pop("template"))
        for language, path in paths.items():
            catalog = read_catalog(path, language)
            catalog.update(texts, no_fuzzy_matching=True, update_creation_date=False)
            catalog.obsolete.clear()  # a text the code dropped; git keeps its history
            write(catalog, path)


if __name__ == "__main__":
    update()
