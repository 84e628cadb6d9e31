"""The web app (`collablens serve`): pages, the survey in the browser, and a JSON API."""

from .app import Settings, create_app

__all__ = ["Settings", "create_app"]
