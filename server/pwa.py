"""Serve the installable web app from frontend/ with a strict Content-Security-Policy."""

from pathlib import Path

from flask import Blueprint, Flask, request, send_from_directory

FRONTEND = Path(__file__).resolve().parent.parent / "frontend"

bp = Blueprint("pwa", __name__)

CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"


@bp.get("/")
def index():
    """Serve the app shell."""
    return send_from_directory(FRONTEND, "index.html")


@bp.after_app_request
def security_headers(response):
    """Forbid inline scripts and framing on every page the app serves."""
    # Swagger UI's page boots with an inline script; it is a developer page, not the app.
    if not request.path.startswith("/api/docs"):
        response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


def init_app(app: Flask) -> None:
    """Register the web app's routes."""
    app.register_blueprint(bp)
