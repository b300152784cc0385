"""The stash as CSV rows for a consultant: units in the headers, typed text neutralised (see export.py)."""

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from server.domain import storage
from server.domain.export import _local, _offset, _volume, neutralise
from server.domain.languages import N_


class BatchRecord(NamedTuple):
    """One container as the export needs it (times aware UTC, volumes mL)."""

    label: str
    entered_volume: float
    entered_unit: str
    volume_ml: float
    state: storage.Container
    discard_reason: str | None
    logged_by: str | None = None  # the role of whoever added it for the parent; None when she did


def stash_header(unit: str) -> list[str]:
    """Name the stash columns, each with its unit; oz columns are added for an oz user."""
    volumes = [N_("volume_ml"), N_("remaining_ml")] + ([N_("volume_oz"), N_("remaining_oz")] if unit == "oz" else [])
    return [
        N_("label"), N_("status"), N_("location"), N_("expressed_local"), N_("expressed_utc_offset"),
        N_("volume_as_entered"), N_("unit_as_entered"), *volumes, N_("first_frozen_local"), N_("thawed_local"),
        N_("offered_for_feed_local"), N_("expires_local"), N_("expires_utc_offset"), N_("limit"), N_("limit_source"),
        N_("cdc_limit"), N_("closed_local"), N_("discard_reason"), N_("logged_by"),
    ]  # fmt: skip


def stash_rows(
    batches: Iterable[BatchRecord], guideline: str, zone: ZoneInfo, unit: str, now: datetime
) -> Iterator[list[str]]:
    """Turn containers into CSV rows, in the user's zone, with each expiry's limit and source."""
    for batch in batches:
        state = batch.state
        limit = storage.limit_for(state.condition, guideline)
        cdc = storage.cdc_beside(state.condition, guideline)
        volumes = [state.volume_ml, state.remaining_ml]
        cells = [
            neutralise(batch.label), storage.status(state, now), state.location,
            _when(state.expressed_at, zone), _offset(state.expressed_at.astimezone(zone)),
            _volume(batch.entered_volume, "ml"), "mL" if batch.entered_unit == "ml" else "oz",
            *(_volume(ml, "ml") for ml in volumes),
        ]
        if unit == "oz":
            cells += [_volume(ml, "oz") for ml in volumes]
        cells += [
            _when(state.first_frozen_at, zone), _when(state.thawed_at, zone), _when(state.offered_at, zone),
            _when(state.expires_at, zone), _offset(state.expires_at.astimezone(zone)),
            limit.words, limit.source, cdc.words if cdc else "", _when(state.closed_at, zone),
            neutralise(batch.discard_reason), batch.logged_by or "",
        ]
        yield cells


def _when(moment: datetime | None, zone: ZoneInfo) -> str:
    """Write a moment as local date and time, empty when it did not happen."""
    return "" if moment is None else _local(moment.astimezone(zone))
