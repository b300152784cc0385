"""Texts in an account's language: the share page, the PDF, push notifications and CSV headers.

English is written in the code; every other language has a gettext catalog a translator edits,
server/translations/<language>/LC_MESSAGES/messages.po (the app's own are frontend/locales/<language>.po). Both
are read once per process, so a deploy is all it takes to ship a translation. Placeholders are named, as in the
app: `_("{count} sessions", count=3)`. Numbers and dates are written by Babel in the same language.
"""

from collections.abc import Callable
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from server.domain.languages import DEFAULT_LANGUAGE, LANGUAGES

SERVER_CATALOGS = Path(__file__).resolve().parent / "translations"
APP_CATALOGS = Path(__file__).resolve().parent.parent / "frontend" / "locales"


def N_(message: str) -> str:  # noqa: N802 (gettext's name for it, which the extractor looks for)
    """Mark a text to translate where it is used, not where it is written (a constant, a column header)."""
    return message


def read_catalog(path: Path, language: str):
    """Read a .po file into Babel's catalog."""
    with path.open("rb") as file:
        return read_po(file, locale=language)


@cache
def translations(language: str) -> NullTranslations:
    """The server's catalog for `language`, compiled in memory; English (or a language we lack) is the code's text."""
    path = SERVER_CATALOGS / language / "LC_MESSAGES" / "messages.po"
    if language == DEFAULT_LANGUAGE or language not in LANGUAGES or not path.exists():
        return NullTranslations()
    compiled = BytesIO()
    write_mo(compiled, read_catalog(path, language))
    compiled.seek(0)
    return Translations(compiled)


class Texts:
    """The translate functions of one language: `_` for a text, `_n` for one with a singular and plural."""

    def __init__(self, language: str):
        self.language = language if language in LANGUAGES else DEFAULT_LANGUAGE
        self.catalog = translations(self.language)

    def _(self, message: str, **values) -> str:
        """`message` in this language, its {placeholders} filled from `values`."""
        text = self.catalog.gettext(message)
        return text.format(**values) if values else text

    def _n(self, singular: str, plural: str, count: int, **values) -> str:
        """The form of a counted text this language uses for `count`; {count} is filled too."""
        return self.catalog.ngettext(singular, plural, count).format(count=count, **values)


@cache
def texts(language: str) -> tuple[Callable[..., str], Callable[..., str]]:
    """`_` and `_n` for `language`: `_, _n = texts(account.language)`."""
    found = Texts(language)
    return found._, found._n


@cache
def app_messages(language: str) -> dict[str, list[str]]:
    """The app's catalog for `language` as the app reads it: each text to its translation (its forms, if counted).

    Untranslated and fuzzy entries are left out, so the app shows the English text rather than an empty one.
    """
    path = APP_CATALOGS / f"{language}.po"
    if language == DEFAULT_LANGUAGE or language not in LANGUAGES or not path.exists():
        return {}
    messages = {}
    for message in read_catalog(path, language):
        if not message.id or message.fuzzy:
            continue
        key = message.id[0] if message.pluralizable else message.id
        forms = list(message.string) if message.pluralizable else [message.string]
        if all(forms):
            messages[key] = forms
    return messages
