"""The list of common passwords a new password must not be, read once from zxcvbn's data, and the check."""

import functools
import importlib.util
from pathlib import Path

from server.domain.passwords import refuse_common

# zxcvbn's frequency_lists module is a dict of comma-separated lists; this is the line of its password list.
PASSWORDS_LINE = '"passwords": "'


@functools.cache
def common_passwords() -> frozenset[str]:
    """Return zxcvbn's ~30,000 most common passwords in lower case, read at the first use.

    Read from zxcvbn's data module as text, not imported: importing zxcvbn builds ranked dictionaries of
    every list it has (names, English words...), about 12 MB a web process for the one list we use.
    """
    spec = importlib.util.find_spec("zxcvbn")  # finds the package without running it
    source = Path(spec.submodule_search_locations[0]) / "frequency_lists.py"
    with source.open(encoding="utf-8") as lines:
        for line in lines:
            line = line.strip()
            if line.startswith(PASSWORDS_LINE):
                return frozenset(line.removeprefix(PASSWORDS_LINE).rstrip(",").rstrip('"').lower().split(","))
    raise RuntimeError(f"no password list in {source}: has zxcvbn's data format changed?")


def refuse_common_password(password: str, field: str = "password") -> None:
    """Raise CommonPassword (422 on `field`) when a new password is one of the common ones."""
    refuse_common(password, common_passwords(), field)
