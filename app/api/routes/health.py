"""Liveness (no key needed) and readiness (store reachable, embedding model loaded)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from app.api.deps import ContainerDep, PrincipalDep
from app.api.errors import status_for
from app.api.schemas import Health, Ready

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
def health() -> Health:
    return Health(status="ok")


@router.get("/ready", response_model=Ready, responses={503: {"model": Ready}})
def ready(request: Request, container: ContainerDep, _: PrincipalDep):
    checks = {}
    try:
        container.chroma_client.heartbeat()
        checks["store"] = "ok"
    except Exception as exc:  # any failure means "not ready", with the reason
        checks["store"] = status_for(exc)[1]
    warm = request.app.state.warm
    checks["embedding_model"] = "ok" if warm.is_set() else "loading"
    if request.app.state.warm_error:
        checks["embedding_model"] = request.app.state.warm_error
    checks["provider"] = container.settings.llm
    checks["data"] = "read-only" if container.read_only else "writable"
    ok = checks["store"] == "ok" and checks["embedding_model"] == "ok"
    body = Ready(status="ready" if ok else "not ready", checks=checks)
    return JSONResponse(body.model_dump(), status_code=200 if ok else 503)
