"""What a route needs, as ``Annotated`` aliases: the container, the caller, a collection."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.api.auth import LOCAL, KeyRing, Principal
from app.api.job_runner import JobRunner
from app.api.job_store import JobStore
from app.api.write_locks import CollectionLocks
from app.container import Container
from retrieval import metadata as md

_bearer = HTTPBearer(auto_error=False, description="an API key from the keys file")


def get_container(request: Request) -> Container:
    return request.app.state.container


def get_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    keys: KeyRing = request.app.state.keys
    if not keys.enabled:
        return LOCAL
    principal = keys.authenticate(credentials.credentials) if credentials else None
    if principal is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "a valid API key is required (Authorization: Bearer <key>)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return principal


ContainerDep = Annotated[Container, Depends(get_container)]
CollectionPath = Annotated[
    str,
    Path(
        pattern=md.COLLECTION_PATTERN,
        min_length=3,
        max_length=63,
        description="3-63 lowercase letters, digits, '-' or '_'",
    ),
]
DocumentIdPath = Annotated[str, Path(pattern=r"^[0-9a-f]{24}$", description="a document id")]
PrincipalDep = Annotated[Principal, Depends(get_principal)]


def get_locks(request: Request) -> CollectionLocks:
    return request.app.state.locks


def get_jobs(request: Request) -> JobStore:
    return request.app.state.jobs


def get_runner(request: Request) -> JobRunner:
    return request.app.state.runner


def data_writable(container: Annotated[Container, Depends(get_container)]) -> None:
    """Refuses a change to the index when the data folder is read-only."""
    if container.read_only:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"this server's data folder {container.settings.data_dir} is read-only: it "
            "answers questions but cannot change the index; make the folder writable and "
            "restart it to add, change or remove documents",
        )


DataWritable = Depends(data_writable)
LocksDep = Annotated[CollectionLocks, Depends(get_locks)]
JobsDep = Annotated[JobStore, Depends(get_jobs)]
RunnerDep = Annotated[JobRunner, Depends(get_runner)]


def not_found(collection: str) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, f"collection {collection!r} not found")


def collection_exists(container: Container, collection: str) -> bool:
    return container.chunk_store.exists(collection) or collection in container.records.collections()


def readable(container: Container, principal: Principal, collection: str) -> str:
    """``collection`` if the caller may read it and it exists; 404 otherwise (a collection
    the caller may not read looks exactly like one that does not exist)."""
    md.validate_collection_name(collection)
    if not principal.can_read(collection) or not collection_exists(container, collection):
        raise not_found(collection)
    return collection


def writable(container: Container, principal: Principal, collection: str, *, create: bool) -> str:
    """``collection`` if the caller may write it (and it exists unless ``create``)."""
    md.validate_collection_name(collection)
    if not principal.can_write(collection):
        if principal.can_read(collection) and collection_exists(container, collection):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, f"this key may not change collection {collection!r}"
            )
        raise not_found(collection)
    if not create and not collection_exists(container, collection):
        raise not_found(collection)
    return collection
