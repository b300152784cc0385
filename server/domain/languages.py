"""The languages Pumpwell speaks: English as written in the code, the others from catalogs (docs/languages.md).

The domain writes English only. A text it hands on to be read in another language is marked N_ (a constant), or
is a Text (a sentence with values): the English sentence itself, which remembers how it was made, so that
server/i18n.py can write it again in its reader's language.
"""

from datetime import date, datetime

from server.domain.units import DISPLAY_PLACES, format_number, in_unit

# Each in its own words, as the language setting lists them.
LANGUAGES = {"en": "English", "es": "Español", "fr": "Français"}
DEFAULT_LANGUAGE = "en"


def N_(message: str) -> str:  # noqa: N802 (gettext's name for it, which the extractor looks for)
    """Mark a text to translate where it is used, not where it is written (a constant, a column header)."""
    return message


class Text(str):
    """A sentence in English that keeps its message (the catalogs' msgid) and the values of its {placeholders}.

    A value is written as it is (a name, a figure), or is itself a Text (or a text marked N_ under `said`), or a
    LocalTime; either is written in the reader's language too.
    """

    message: str
    plural: str | None
    values: dict

    def __new__(cls, message: str, plural: str | None = None, **values):
        english = plural if plural is not None and values["count"] != 1 else message
        text = super().__new__(cls, english.format(**values))
        text.message, text.plural, text.values = message, plural, values
        return text



def Counted(singular: str, plural: str, count: int, **values) -> Text:  # noqa: N802 (read as Text's counted form)
    """A Text with a singular and a plural: "{count} day", "{count} days"."""
    return Text(singular, plural, count=count, **values)


class Said(str):
    """A constant marked N_ that its reader sees in her language, as a value of a Text (a name that is one of ours)."""


# The forms a local date, or date and time, takes, as English writes them (server/i18n.py: every other language).
DATE_FORMS = {
    "short": "%b %d",  # Nov 03, a chart's axis
    "day": "%a %d %b",  # Mon 03 Nov
    "long": "%a %d %b %Y",  # Mon 03 Nov 2026
    "moment": "%a %d %b %H:%M",  # Mon 03 Nov 19:00
}


class LocalTime(str):
    """A local date, or date and time, in one of DATE_FORMS, written in the reader's language."""

    at: date | datetime  # naive, local wall-clock time
    form: str

    def __new__(cls, at: date | datetime, form: str = "moment"):
        text = super().__new__(cls, at.strftime(DATE_FORMS[form]))
        text.at, text.form = at, form
        return text


class Figure(str):
    """A number with at most `places` decimals and what follows it ("189.36 oz"), written as the reader writes it."""

    value: float
    places: int
    suffix: str

    def __new__(cls, value: float, places: int, suffix: str = ""):
        text = super().__new__(cls, format_number(value, places) + suffix)
        text.value, text.places, text.suffix = value, places, suffix
        return text


def volume_figure(ml: float, unit: str, places: int | None = None) -> Figure:
    """A volume in the account's unit, "120 mL" or "4.06 oz" (as units.format_volume writes it in English)."""
    places = DISPLAY_PLACES[unit] if places is None else places
    return Figure(in_unit(ml, unit), places, " mL" if unit == "ml" else " oz")


class Listed(str):
    """Phrases that read as one, joined by commas: "Pump 20 min (both sides), rest 10 min"."""

    items: tuple[str, ...]

    def __new__(cls, items: tuple[str, ...]):
        text = super().__new__(cls, ", ".join(items))
        text.items = tuple(items)
        return text


def stored(value):
    """Return a Text (or a value of one) as JSON-ready values, to be kept with a reminder and written later."""
    if isinstance(value, Text):
        return {"text": value.message, "plural": value.plural,
                "values": {name: stored(inner) for name, inner in value.values.items()}}
    if isinstance(value, LocalTime):
        return {"local": value.at.isoformat(), "form": value.form}
    if isinstance(value, Figure):
        return {"figure": value.value, "places": value.places, "suffix": value.suffix}
    if isinstance(value, Listed):
        return {"listed": [stored(item) for item in value.items]}
    if isinstance(value, Said):
        return {"said": str(value)}
    return value


def restored(value):
    """Read back a Text (or a value of one) kept by stored()."""
    if not isinstance(value, dict):
        return value
    if "local" in value:
        return LocalTime(datetime.fromisoformat(value["local"]), value["form"])
    if "figure" in value:
        return Figure(value["figure"], value["places"], value["suffix"])
    if "listed" in value:
        return Listed(tuple(restored(item) for item in value["listed"]))
    if "said" in value:
        return Said(value["said"])
    return Text(value["text"], value["plural"], **{name: restored(inner) for name, inner in value["values"].items()})
