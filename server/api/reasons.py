"""Why a request was refused, in the words of whoever sent it: the error shape's message and field reasons.

The API's refusals are written in English where they are raised (domain errors, field reasons, marshmallow's own);
an answer is written in the signed-in account's language, or before sign-in in the one the request's
Accept-Language prefers (the app sends its own). A reason that is a Text, or a constant the catalogs hold, is
translated; anything else (a name she typed, a figure) stays as it is.
"""

from apiflask import validators
from flask import has_request_context, request

from server.api.auth import auth
from server.domain.languages import DEFAULT_LANGUAGE, LANGUAGES, N_, Text
from server.i18n import words

# marshmallow's own reasons, as its fields and schemas write them, so that the catalogs hold them too.
MARSHMALLOW_REASONS = (
    N_("Missing data for required field."), N_("Field may not be null."), N_("Unknown field."),
    N_("Invalid input type."), N_("Invalid type."), N_("Invalid value."), N_("Not a valid string."),
    N_("Not a valid integer."), N_("Not a valid number."), N_("Number too large."),
    N_("Special numeric values (nan or infinity) are not permitted."), N_("Not a valid boolean."),
    N_("Not a valid UUID."), N_("Not a valid datetime."), N_("Not a valid date."), N_("Not a valid time."),
    N_("Not a valid list."), N_("Not a valid mapping type."), N_("Not a valid email address."),
    N_("Not a valid utf-8 string."), N_("String does not match expected pattern."),
)

# The names of the HTTP statuses an answer gives when nothing more particular is said (werkzeug's, as APIFlask
# words them).
STATUS_NAMES = (
    N_("Bad Request"), N_("Unauthorized"), N_("Forbidden"), N_("Not Found"), N_("Method Not Allowed"),
    N_("Conflict"), N_("Gone"), N_("Request Entity Too Large"), N_("Unsupported Media Type"),
    N_("Unprocessable Entity"), N_("Too Many Requests"), N_("Internal Server Error"),
)


def reader_language() -> str:
    """The language of this request's reader: her account's once signed in, else her Accept-Language's best."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    signed_in = auth.current_user
    if signed_in is not None:
        return signed_in.account.language
    return request.accept_languages.best_match(LANGUAGES, DEFAULT_LANGUAGE)


def in_reader_language(message: str, fields: dict) -> tuple[str, dict]:
    """Return the message and the field reasons written in the reader's language."""
    language = reader_language()
    if language == DEFAULT_LANGUAGE:
        return message, fields
    say = words(language).say
    return say(message), _said(fields, say)


def _said(reasons, say):
    """Translate every reason of a field map, however deep (a list's items, a nested object's fields)."""
    if isinstance(reasons, dict):
        return {key: _said(value, say) for key, value in reasons.items()}
    if isinstance(reasons, list):
        return [_said(value, say) for value in reasons]
    return say(reasons) if isinstance(reasons, str) else reasons


class Range(validators.Range):
    """marshmallow's Range, whose reason is a Text: "Must be ... {min} and ... {max}." in any language."""

    def _format_error(self, value, message: str) -> str:
        return Text(self.error or message, input=value, min=self.min, max=self.max)


class Length(validators.Length):
    """marshmallow's Length, whose reason is a Text."""

    def _format_error(self, value, message: str) -> str:
        return Text(self.error or message, input=value, min=self.min, max=self.max, equal=self.equal)


class OneOf(validators.OneOf):
    """marshmallow's OneOf, whose reason is a Text (the choices themselves are names, written as they are)."""

    def _format_error(self, value) -> str:
        return Text(self.error, input=value, choices=self.choices_text, labels=self.labels_text)


# The templates of the reasons above, as marshmallow words them (its Range builds four from parts).
VALIDATOR_REASONS = (
    N_("Must be greater than or equal to {min} and less than or equal to {max}."),
    N_("Must be greater than {min} and less than {max}."),
    N_("Must be greater than or equal to {min} and less than {max}."),
    N_("Must be greater than {min} and less than or equal to {max}."),
    N_("Must be greater than or equal to {min}."), N_("Must be greater than {min}."),
    N_("Must be less than or equal to {max}."), N_("Must be less than {max}."),
    N_("Length must be between {min} and {max}."), N_("Length must be {equal}."),
    N_("Longer than maximum length {max}."), N_("Shorter than minimum length {min}."),
    N_("Must be one of: {choices}."),
)
