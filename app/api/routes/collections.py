"""Collections: list the ones the key may read; delete one."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from app.api.deps import (
    CollectionPath,
    ContainerDep,
    DataWritable,
    LocksDep,
    PrincipalDep,
    writable,
)
from app.api.schemas import CollectionOut

router = APIRouter(prefix="/collections", tags=["collections"])


@router.get("", response_model=list[CollectionOut])
def list_collections(container: ContainerDep, principal: PrincipalDep) -> list[CollectionOut]:
    names = sorted(
        set(container.chunk_store.list_collections()) | set(container.records.collections())
    )
    out = []
    for name in principal.readable(names):
        records = container.records.list(name)
        out.append(
            CollectionOut(
                name=name,
                documents=len(records),
                chunks=sum(r.chunk_count for r in records),
                failed=sum(1 for r in records if r.status == "failed"),
            )
        )
    return out


@router.delete("/{collection}", status_code=status.HTTP_204_NO_CONTENT, dependencies=[DataWritable])
def delete_collection(
    collection: CollectionPath, container: ContainerDep, principal: PrincipalDep, locks: LocksDep
) -> Response:
    writable(container, principal, collection, create=False)
    with locks.hold(collection):
        container.ingestor.delete_collection(collection)
    uploads = container.settings.data_dir / "uploads" / collection
    if uploads.is_dir():
        import shutil

        shutil.rmtree(uploads, ignore_errors=True)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
