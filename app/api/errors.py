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


def outage_reason(exc: BaseException) -> str | None:
    """A reason if ``exc`` means a dependency (Chroma server, model server) is unreachable."""
    import httpx

    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, httpx.TransportError | ConnectionError | TimeoutError):
            return f"a service Groundwork needs is unreachable: {type(exc).__name__}: {exc}"
        text = str(exc)
        if "Could not connect to" in text or "Connection refused" in text:
            return f"a service Groundwork needs is unreachable: {text}"
        exc = exc.__cause__ or exc.__context__
    return None


def status_for(exc: Exception) -> tuple[int, str]:
    for cls, code in _STATUS:
        if isinstance(exc, cls):
            return code, str(exc)
    reason = outage_reason(exc)
    if reason:
        return 503, reason
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
