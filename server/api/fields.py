"""Schema fields and validators shared by the API's resources."""

from datetime import UTC, date, datetime, time
from functools import lru_cache
from zoneinfo import available_timezones

from apiflask import fields
from marshmallow import ValidationError
from marshmallow.validate import Range


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    """Return the IANA zone names this machine knows."""
    return frozenset(available_timezones()) | {"UTC"}


def validate_time_zone(value: str) -> None:
    """Accept only an existing IANA time zone name."""
    if value not in _zones():
        raise ValidationError("Not a known IANA time zone (for example Europe/Berlin).")


class TimeZone(fields.String):
    """An IANA time zone name such as America/New_York."""

    def __init__(self, **kwargs):
        super().__init__(validate=validate_time_zone, metadata={"example": "Europe/Berlin"}, **kwargs)


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
