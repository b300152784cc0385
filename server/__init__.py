"""Pumpwell: a pumping companion API and web app. `flask --app server` finds create_app here."""

__all__ = ["create_app"]


def __getattr__(name: str):
    """Import the app only when create_app is asked for: gunicorn's settings (server.gunicorn_conf) must run first."""
    if name == "create_app":
        from server.app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
