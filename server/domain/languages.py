"""The languages Pumpwell speaks: English as written in the code, the others from catalogs (docs/languages.md)."""

# Each in its own words, as the language setting lists them.
LANGUAGES = {"en": "English", "es": "Español", "fr": "Français"}
DEFAULT_LANGUAGE = "en"
