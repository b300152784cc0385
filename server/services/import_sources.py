"""The other apps a parent can bring her history from, registered with the import pipeline by source name."""

import importlib

from server.imports.huckleberry import read_huckleberry_csv
from server.services.imports import UnitReader, register_reader


def register_sources(allow_private_hosts: bool = False) -> None:
    """Register Huckleberry's CSV, Baby Buddy's CSV and Excel exports, and a Baby Buddy server as import sources."""
    register_reader("huckleberry", read_huckleberry_csv)
    register_reader("babybuddy-csv", _on_first_use("babybuddy", "read_babybuddy_csv"), takes_unit=True)
    register_reader("babybuddy-xlsx", _on_first_use("babybuddy", "read_babybuddy_xlsx"), takes_unit=True)
    register_reader("babybuddy-api", _on_first_use("babybuddy_server", "read_babybuddy_server",
                                                   allow_private_hosts=allow_private_hosts), takes_unit=True)


def _on_first_use(module: str, name: str, **settings) -> UnitReader:
    """Return a reader that loads its module when first called: a web process that never imports from Baby Buddy
    does not load openpyxl and httpx."""

    def reader(stream, zone, unit, now):
        """Read through the reader `name` of server/imports/`module`."""
        return getattr(importlib.import_module(f"server.imports.{module}"), name)(stream, zone, unit, now, **settings)

    return reader
