"""A web process loads only what its requests use: heavy modules wait for the route (or the clock) that needs them."""

import subprocess
import sys

# icalendar (with dateutil) serves only the .ics download; cryptography and py_vapid only the push key, a
# subscription's key check and the clock; openpyxl and httpx only an import from Baby Buddy; fpdf only the report.
# Each costs every web process memory and start-up time.
LAZY = ("icalendar", "dateutil", "cryptography", "py_vapid", "pywebpush", "apscheduler", "aiohttp", "openpyxl",
        "httpx", "fpdf")


def test_creating_the_app_does_not_import_heavy_modules(tmp_path):
    """Build the app in a fresh interpreter and list which of the lazy modules it loaded."""
    script = (
        "import sys; from server import create_app;"
        f"create_app({{'DATABASE_URL': 'sqlite:///{tmp_path}/app.db'}});"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({LAZY!r})))"
    )
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"
