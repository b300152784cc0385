"""Serve the installable web app from frontend/ with a strict Content-Security-Policy."""

import base64
import gzip
import hashlib
import re
from pathlib import Path

import orjson
from flask import Blueprint, Flask, Response, abort, request, send_from_directory

from server.bundle import UNBUNDLED, current, shell_version
from server.domain.languages import DEFAULT_LANGUAGE, LANGUAGES
from server.i18n import app_messages

FRONTEND = Path(__file__).resolve().parent.parent / "frontend"

bp = Blueprint("pwa", __name__)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)

# Only these files under frontend/ are served; the rest (if any) stays private.
ASSET_SUFFIXES = {".js", ".css", ".png", ".svg", ".webmanifest"}


def shell_csp() -> str:
    """The CSP for the shell: besides 'self', only the inline scripts of index.html as they are, by their hash."""
    page = (FRONTEND / "index.html").read_text(encoding="utf-8")
    hashes = "".join(
        f" 'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"
        for script in INLINE_SCRIPT.findall(page)
    )
    return CSP.replace("script-src 'self'", f"script-src 'self'{hashes}")


@bp.get("/")
def index():
    """Serve the app shell; every screen is a #/route inside it."""
    response = send_from_directory(FRONTEND, "index.html", max_age=0)
    response.cache_control.no_cache = True
    response.headers["Content-Security-Policy"] = shell_csp()
    return response


@bp.get("/assets/bundle.js")
def script_bundle():
    """Serve the app's modules bundled into one script (see server/bundle.py), or without a bundle made from
    frontend/ as it is, a script that imports them one by one; revalidated by its ETag."""
    source = current(shell_version()) or UNBUNDLED
    response = Response(source, mimetype="text/javascript")
    response.set_etag(hashlib.sha256(source.encode()).hexdigest()[:16])
    response.cache_control.no_cache = True
    return response.make_conditional(request)


@bp.get("/sw.js")
def service_worker():
    """Serve the service worker for scope / with the shell version baked in; never cached by HTTP."""
    source = (FRONTEND / "sw.js").read_text(encoding="utf-8").replace("__VERSION__", shell_version())
    response = Response(source, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache, max-age=0"
    return response


@bp.get("/manifest.webmanifest")
def manifest():
    """Serve the web app manifest with its registered media type."""
    response = send_from_directory(FRONTEND, "manifest.webmanifest", mimetype="application/manifest+json", max_age=0)
    response.cache_control.no_cache = True
    return response


@bp.get("/assets/locales/<language>.json")
def app_catalog(language: str):
    """Serve the app's texts in `language` (frontend/locales/<language>.po) as JSON; revalidated by its ETag."""
    if language not in LANGUAGES or language == DEFAULT_LANGUAGE:
        abort(404)
    response = Response(orjson.dumps(app_messages(language)), mimetype="application/json")
    response.set_etag(shell_version())
    response.cache_control.no_cache = True
    return response.make_conditional(request)


@bp.get("/assets/<path:name>")
def asset(name: str):
    """Serve a script, style sheet or icon; the service worker caches them per version."""
    if Path(name).suffix not in ASSET_SUFFIXES:
        abort(404)
    mimetype = "text/javascript" if name.endswith(".js") else None
    response = send_from_directory(FRONTEND, name, mimetype=mimetype, max_age=0)
    # Revalidate (ETag) rather than trust a stale copy: the service worker handles speed and offline.
    response.cache_control.no_cache = True
    return response


# Sent with every answer unless a view set its own.
SECURITY_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)


@bp.after_app_request
def security_headers(response):
    """Forbid inline scripts, framing, sniffing and leaking share tokens through the Referer."""
    # One pass over the headers already set: a setdefault per header scanned them all each time (a twentieth of
    # a small request's time).
    present = {name.lower() for name in response.headers.keys()}
    wanted = list(SECURITY_HEADERS)
    # Swagger UI's page boots with an inline script; it is a developer page, not the app.
    if not request.path.startswith("/api/docs"):
        wanted.append(("Content-Security-Policy", CSP))
    if request.is_secure:
        wanted.append(("Strict-Transport-Security", "max-age=31536000"))
    for name, value in wanted:
        if name.lower() not in present:
            response.headers.add(name, value)
    return response


# Text worth compressing; images are compressed already and CSV downloads stream.
COMPRESSIBLE = ("text/", "application/json", "application/manifest+json", "image/svg+xml", "application/javascript")
MIN_COMPRESS_BYTES = 500


def compress(response):
    """Gzip text answers for clients that accept it: the first load on a slow phone connection is mostly text."""
    if (
        response.status_code != 200 or response.is_streamed and not response.direct_passthrough
        or "Content-Encoding" in response.headers
        or not (response.mimetype or "").startswith(COMPRESSIBLE)
        or "gzip" not in request.headers.get("Accept-Encoding", "")
    ):
        return response
    response.direct_passthrough = False
    body = response.get_data()
    if len(body) < MIN_COMPRESS_BYTES:
        return response
    response.set_data(gzip.compress(body, compresslevel=6, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    # Another encoding of the same file: its ETag turns weak, so revalidation (a weak comparison) still works.
    etag, weak = response.get_etag()
    if etag and not weak:
        response.set_etag(etag, weak=True)
    return response


def init_app(app: Flask) -> None:
    """Register the web app's routes."""
    app.register_blueprint(bp)
    app.after_request(compress)
