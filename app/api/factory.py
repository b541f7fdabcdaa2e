"""``app.api.factory:app`` for uvicorn's own workers: each builds the app from settings."""

from __future__ import annotations

from fastapi import FastAPI


def app() -> FastAPI:
    from app.api.main import create_app

    return create_app()
