"""Turning errors into JSON responses: a clear 4xx or 503, never a traceback."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from app.writer_lock import WriterLockedError
from retrieval.errors import (
    CollectionNotFoundError,
    ConfigurationError,
    GroundworkError,
    InvalidCollectionNameError,
    ProviderUnavailableError,
    outage_reason,
)

log = logging.getLogger("groundwork.api")

_STATUS: list[tuple[type[Exception], int]] = [
    (CollectionNotFoundError, 404),
    (InvalidCollectionNameError, 422),
    (ProviderUnavailableError, 503),
    (WriterLockedError, 409),
    (ConfigurationError, 409),
    (GroundworkError, 400),
    (PermissionError, 403),
    (FileNotFoundError, 404),
]


def status_for(exc: Exception) -> tuple[int, str]:
    for cls, code in _STATUS:
        if isinstance(exc, cls):
            return code, str(exc)
    reason = outage_reason(exc)
    if reason:
        return 503, f"a service Groundwork needs is unreachable: {reason}"
    return 500, "internal error; the server log has the details"


def install_error_handlers(app: FastAPI) -> None:
    async def handle(request: Request, exc: Exception) -> JSONResponse:
        code, detail = status_for(exc)
        if code >= 500:
            log.error("%s %s failed: %r", request.method, request.url.path, exc, exc_info=exc)
        return JSONResponse({"detail": detail}, status_code=code)

    for cls, _ in _STATUS:
        app.add_exception_handler(cls, handle)
    app.add_exception_handler(Exception, handle)
