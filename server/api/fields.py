"""Schema fields and validators shared by the API's resources."""

import uuid
from datetime import UTC, date, datetime, time

from apiflask import fields
from flask import Flask, has_request_context
from marshmallow import Schema, ValidationError
from marshmallow import fields as ma_fields

from server.api.auth import auth
from server.api.reasons import Range
from server.domain.errors import InvalidInput
from server.domain.languages import DEFAULT_LANGUAGE
from server.i18n import words
from server.services.cursors import decode_cursor
from server.time_zones import CANONICAL, canonical_zone


class TimeZone(fields.String):
    """An IANA time zone of a place, or UTC; an old name is stored as today's (Asia/Calcutta as Asia/Kolkata)."""

    def __init__(self, **kwargs):
        metadata = {"example": "Europe/Berlin", "enum": sorted(CANONICAL)}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        """Read a zone name and return the zone it names today."""
        zone = canonical_zone(super()._deserialize(value, attr, data, **kwargs))
        if zone is None:
            raise ValidationError("Not the time zone of a place (for example Europe/Berlin), nor UTC.")
        return zone


class Said(fields.String):
    """Words of ours (a template's name, a limit's source, a trends statement) in the language of whoever asks.

    Only texts the code marked (N_) or made (domain Text) are translated: what a person typed stays as typed.
    """

    def _serialize(self, value, attr, obj, **kwargs):
        """Write the text in the signed-in account's language (English outside a signed-in request)."""
        signed_in = has_request_context() and auth.current_user
        language = signed_in.account.language if signed_in else DEFAULT_LANGUAGE
        return super()._serialize(words(language).say(value), attr, obj, **kwargs)


class LocalTime(fields.String):
    """A local wall-clock time written HH:MM."""

    def __init__(self, **kwargs):
        super().__init__(metadata={"example": "22:00", "pattern": "^[0-2][0-9]:[0-5][0-9]$"}, **kwargs)

    def _serialize(self, value: time | None, attr, obj, **kwargs):
        """Write HH:MM."""
        return None if value is None else value.strftime("%H:%M")

    def _deserialize(self, value, attr, data, **kwargs):
        """Read HH:MM (00:00 to 23:59)."""
        try:
            hours, minutes = str(value).split(":")
            return time(int(hours), int(minutes))
        except (ValueError, TypeError):
            raise ValidationError("Use HH:MM, 00:00 to 23:59.") from None



# Far outside any pumping history, time zone arithmetic overflows at the calendar's ends.
PLAUSIBLE_DATES = Range(min=date(1970, 1, 1), max=date(2100, 12, 31))
PLAUSIBLE_INSTANTS = Range(min=datetime(1970, 1, 1, tzinfo=UTC), max=datetime(2100, 12, 31, tzinfo=UTC))


class LocalDate(fields.Date):
    """A local calendar date YYYY-MM-DD between 1970 and 2100."""

    def __init__(self, **kwargs):
        super().__init__(validate=PLAUSIBLE_DATES, **kwargs)


class Instant(fields.AwareDateTime):
    """An ISO 8601 time with its UTC offset (a bare local time is ambiguous), 1970 to 2100."""

    def __init__(self, **kwargs):
        super().__init__(validate=PLAUSIBLE_INSTANTS, **kwargs)


class _Exactly:
    """A set of one member matched by identity: as a Boolean's truthy or falsy set, 1 is not True nor 0 False."""

    def __init__(self, member: bool):
        self.member = member

    def __contains__(self, value) -> bool:
        return value is self.member


def _strict_scalars(schema, seen: set[int]) -> None:
    """Make every Integer and Boolean field of a schema instance, nested ones included, refuse other JSON types."""
    if id(schema) in seen:
        return
    seen.add(id(schema))
    stack = list(schema.fields.values())
    while stack:
        field = stack.pop()
        if isinstance(field, ma_fields.Integer):
            field.strict = True
        elif isinstance(field, ma_fields.Boolean):
            field.truthy, field.falsy = _Exactly(True), _Exactly(False)
        elif isinstance(field, ma_fields.Nested):
            _strict_scalars(field.schema, seen)
        elif isinstance(field, ma_fields.List):
            stack.append(field.inner)
        elif isinstance(field, ma_fields.Dict) and field.value_field is not None:
            stack.append(field.value_field)


def make_body_scalars_strict(app: Flask) -> None:
    """Refuse 3.9 (or "3") for an integer, and 0 (or "yes") for a boolean, in every JSON body the app accepts.

    Marshmallow would store 3, and False. Runs once over every registered view, so a new resource's schemas are
    covered without doing anything. Query strings stay lenient: there every value arrives as text.
    """
    seen: set[int] = set()
    for view in app.view_functions.values():
        body = getattr(view, "_spec", {}).get("body")
        if isinstance(body, Schema):
            _strict_scalars(body, seen)


def validate_cursor(value: str) -> None:
    """Accept only a cursor this API made: a well-formed one whose time lies outside 1970-2100 is refused too."""
    try:
        started_at = decode_cursor(value, datetime, uuid.UUID)[0].astimezone(UTC)
    except (InvalidInput, OverflowError):
        raise ValidationError("Not a cursor from this API.") from None
    if not PLAUSIBLE_INSTANTS.min <= started_at <= PLAUSIBLE_INSTANTS.max:
        raise ValidationError("Not a cursor from this API.")
