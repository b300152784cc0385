"""Pumpwell: a pumping companion API and web app. `flask --app server` finds create_app here."""

from server.app import create_app

__all__ = ["create_app"]
