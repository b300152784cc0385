"""Default goals, the suggested figures docs/consultants.md gives with their sources."""

from datetime import time

DEFAULT_GOALS = {
    "daily_volume_ml": 750.0,
    "sessions_per_day": 8,
    # Every 2-3 h by day; at night no longer than about 5 h (docs/consultants.md, exclusive-newborn).
    "max_gap_day_min": 180,
    "max_gap_night_min": 300,
    "night_start": time(22, 0),
    "night_end": time(6, 0),
}
