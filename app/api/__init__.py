"""The REST API: ``create_app(settings)`` builds it; ``groundwork serve`` runs it."""

from app.api.main import create_app

__all__ = ["create_app"]
