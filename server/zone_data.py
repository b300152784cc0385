"""Which rules of a time zone this process computes with, as a short fingerprint of its zone file."""

import functools
import hashlib
import zoneinfo
from importlib import resources
from pathlib import Path


@functools.cache
def zone_fingerprint(key: str) -> str:
    """Return a fingerprint of the zone file zoneinfo reads for `key` (as zoneinfo caches zones, per process)."""
    # The same search as zoneinfo's: the system's folders first, then the tzdata package. A new tzdata that
    # changes a zone's rules changes its file, and so the fingerprint.
    for folder in zoneinfo.TZPATH:
        path = Path(folder, key)
        if path.is_file():
            return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    try:
        return hashlib.sha256(resources.files("tzdata.zoneinfo").joinpath(key).read_bytes()).hexdigest()[:16]
    except (ModuleNotFoundError, OSError):
        return "unknown"
