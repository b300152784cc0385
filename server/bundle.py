"""Bundle the app's ES modules into one script at build time, so a phone on a slow line fetches its code at once.

`python -m server.bundle` (run by `make setup`, `make run` and `make test`; `flask --app server release` too) writes
build/bundle.js with esbuild, stamped with the version of frontend/ it was made from. The web process only reads
it: while it is missing or was made from another version, /assets/bundle.js imports the modules one by one.
"""

import argparse
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FRONTEND = ROOT / "frontend"
BUNDLE = ROOT / "build" / "bundle.js"
ENTRY = "js/app.js"
# What /assets/bundle.js answers without a bundle: the entry module, which imports the rest itself.
UNBUNDLED = f"import './{ENTRY}';\n"
STAMP = "// pumpwell frontend "


class BundleError(RuntimeError):
    """esbuild could not bundle the modules (a syntax error or a missing import), or is not installed."""


def shell_version(frontend: Path = FRONTEND) -> str:
    """Hash every file of the app, so any change to it installs a new service worker and cache."""
    digest = hashlib.sha256()
    for path in sorted(frontend.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(frontend).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def build(frontend: Path) -> str:
    """Bundle js/app.js and every module it imports, statically or by import(), into one ES module."""
    esbuild = shutil.which("esbuild")
    if esbuild is None:
        raise BundleError("esbuild is not installed: apt-get install esbuild (or see docs/contributors.md)")
    # esbuild follows the imports itself, so a module another screen starts importing is in the next bundle.
    # Whitespace and syntax only: names stay readable in a phone's stack trace.
    args = [esbuild, ENTRY, "--bundle", "--format=esm", "--target=es2020", "--minify-whitespace", "--minify-syntax",
            "--log-level=error"]
    done = subprocess.run(args, cwd=frontend, capture_output=True, text=True)
    if done.returncode != 0:
        raise BundleError(f"esbuild {ENTRY} failed:\n{done.stderr}")
    return done.stdout


def write(frontend: Path = FRONTEND, out: Path | None = None) -> Path:
    """Build the bundle and write it (by default to BUNDLE), stamped with the version of frontend/ it was made from."""
    out = out or BUNDLE
    source = build(frontend)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".partial")
    partial.write_text(f"{STAMP}{shell_version(frontend)}\n{source}", encoding="utf-8")
    partial.replace(out)  # at once: a web process never reads half a bundle
    return out


def current(version: str) -> str | None:
    """Return the bundle made from this version of frontend/, or None when there is none."""
    try:
        text = BUNDLE.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    stamp, _, source = text.partition("\n")
    return source if stamp == f"{STAMP}{version}" else None


def make(if_available: bool) -> str:
    """Write the bundle and say where; without esbuild and if_available, say that the app is served unbundled."""
    try:
        return f"Bundled the app's modules into {write().relative_to(ROOT)}"
    except BundleError as err:
        if if_available and shutil.which("esbuild") is None:
            return f"The app is served unbundled: {err}"
        raise


def main() -> None:
    """Write build/bundle.js, as make setup, make run and make test do."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--if-available", action="store_true",
                        help="without esbuild, leave the app unbundled instead of failing")
    try:
        print(make(parser.parse_args().if_available))
    except BundleError as err:
        sys.exit(str(err))


if __name__ == "__main__":
    main()
