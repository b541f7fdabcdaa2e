"""Turning errors into JSON responses: a clear 4xx or 503, never a traceback."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from app.writer_lock import WriterLockedError
from retrieval import metadata as md
from retrieval.errors import (
    CollectionNotFoundError,
    ConfigurationError,
    GroundworkError,
    InvalidCollectionNameError,
    ProviderUnavailableError,
    StorageFullError,
    outage_reason,
    storage_full,
)

log = logging.getLogger("groundwork.api")

_STATUS: list[tuple[type[Exception], int]] = [
    (CollectionNotFoundError, 404),
    (InvalidCollectionNameError, 422),
    (ProviderUnavailableError, 503),
    (StorageFullError, 507),
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
    if storage_full(exc):
        return 507, "the server's disk is full: nothing was changed; free some space and retry"
    reason = outage_reason(exc)
    if reason:
        return 503, f"a service Groundwork needs is unreachable: {reason}"
    return 500, "internal error; the server log has the details"


def _printable(value: Any) -> Any:
    """``value`` with lone surrogates (which UTF-8 cannot carry) replaced by "?"."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {_printable(k): _printable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_printable(v) for v in value]
    return value


def _explained(error: dict[str, Any]) -> dict[str, Any]:
    """A collection name that fails the schema's pattern gets the sentence that says why."""
    loc = error.get("loc") or ()
    if loc and loc[-1] == "collection" and str(error.get("type", "")).startswith("string_"):
        try:
            md.validate_collection_name(str(error.get("input", "")))
        except InvalidCollectionNameError as exc:
            return {**error, "msg": str(exc)}
    return error


async def _invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
    """FastAPI's 422, with collection names explained, and safe to send when the bad input
    is not valid UTF-8 text."""
    errors = [_explained(e) for e in exc.errors()]
    detail = _printable(jsonable_encoder(errors, custom_encoder={bytes: repr}))
    return JSONResponse({"detail": detail}, status_code=422)


def install_error_handlers(app: FastAPI) -> None:
    async def handle(request: Request, exc: Exception) -> JSONResponse:
        code, detail = status_for(exc)
        if code >= 500:
            log.error("%s %s failed: %r", request.method, request.url.path, exc, exc_info=exc)
        return JSONResponse({"detail": detail}, status_code=code)

    app.add_exception_handler(RequestValidationError, _invalid_request)
    for cls, _ in _STATUS:
        app.add_exception_handler(cls, handle)
    app.add_exception_handler(Exception, handle)
