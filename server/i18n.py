"""Texts in an account's language: the share page, the PDF, push notifications and CSV headers.

English is written in the code; every other language has a gettext catalog a translator edits,
server/translations/<language>/LC_MESSAGES/messages.po (the app's own are frontend/locales/<language>.po). Both
are read once per process, so a deploy is all it takes to ship a translation. Placeholders are named, as in the
app: `_("{count} sessions", count=3)`. Numbers and dates are written by Babel in the same language.
"""

from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.dates import format_skeleton
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

from server.domain.languages import (  # noqa: F401 (N_ is imported from here too)
    DATE_FORMS,
    DEFAULT_LANGUAGE,
    LANGUAGES,
    N_,
    Figure,
    Listed,
    LocalTime,
    Said,
    Text,
)
from server.domain.units import DISPLAY_PLACES, format_number, in_unit

# The Babel skeleton of each of the domain's DATE_FORMS: each language orders and writes it its own way.
SKELETONS = {"short": "MMMd", "day": "MMMEd", "long": "yMMMEd", "moment": "MMMEd"}
SERVER_CATALOGS = Path(__file__).resolve().parent / "translations"
APP_CATALOGS = Path(__file__).resolve().parent.parent / "frontend" / "locales"


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

    def say(self, text: str | None) -> str | None:
        """Write a domain's Text, or a text it marked N_, in this language."""
        if text is None or self.language == DEFAULT_LANGUAGE:
            return text
        if isinstance(text, Text | LocalTime | Figure | Listed):
            return self._value(text)
        return self.catalog.gettext(text)

    def _value(self, value) -> str:
        """Write one value of a Text in this language: a name or a figure she typed stays as it is."""
        if isinstance(value, Text):
            values = {name: self._value(inner) for name, inner in value.values.items()}
            if value.plural is None:
                return self.catalog.gettext(value.message).format(**values)
            return self.catalog.ngettext(value.message, value.plural, value.values["count"]).format(**values)
        if isinstance(value, Said):
            return self.catalog.gettext(value)
        if isinstance(value, LocalTime):
            return self.date(value.at, value.form)
        if isinstance(value, Figure):
            return self.number(value.value, value.places) + value.suffix
        if isinstance(value, Listed):
            return ", ".join(self._value(item) for item in value.items)
        return str(value)

    def number(self, value: float, places: int) -> str:
        """Write a figure with at most `places` decimals, as this language writes it ("12.5", "12,5")."""
        if self.language == DEFAULT_LANGUAGE:
            return format_number(value, places)  # English keeps the figures it always wrote: 1500, no comma
        return format_decimal(round(value, places) + 0.0, format="#,##0." + "#" * places if places else "#,##0",
                              locale=self.language)

    def volume(self, ml: float, unit: str) -> str:
        """Write a volume in the account's unit, "120 mL" or "4,06 oz"."""
        return f"{self.number(in_unit(ml, unit), DISPLAY_PLACES[unit])} {'mL' if unit == 'ml' else 'oz'}"

    def rate(self, ml_per_min: float, unit: str) -> str:
        """Write a flow, "3.6 mL/min" or "0,12 oz/min" (a tenth of a mL: 3.6 is not 4)."""
        places = 1 if unit == "ml" else 2
        return f"{self.number(in_unit(ml_per_min, unit), places)} {'mL' if unit == 'ml' else 'oz'}/min"

    def date(self, moment: date | datetime, form: str) -> str:
        """Write a local date, or date and time, in one of DATE_FORMS: "day" is Mon 03 Nov in English, lun. 3 nov."""
        if self.language == DEFAULT_LANGUAGE:
            return moment.strftime(DATE_FORMS[form])  # as English always read
        day = format_skeleton(SKELETONS[form], moment, locale=self.language)
        return f"{day} {moment:%H:%M}" if form == "moment" else day


@cache
def words(language: str) -> Texts:
    """The texts, figures and dates of `language`: `words(account.language).volume(120, "ml")`."""
    return Texts(language)


@cache
def texts(language: str) -> tuple[Callable[..., str], Callable[..., str]]:
    """`_` and `_n` for `language`: `_, _n = texts(account.language)`."""
    found = words(language)
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
        if message.context:  # gettext's own way of keying a text in a context
            key = f"{message.context}\x04{key}"
        forms = list(message.string) if message.pluralizable else [message.string]
        if all(forms):
            messages[key] = forms
    return messages
