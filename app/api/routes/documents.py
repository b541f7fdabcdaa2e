"""Documents of a collection: upload (ingested at once), list, inspect, delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, HTTPException, Response, UploadFile, status
from fastapi.responses import JSONResponse

from app.api.deps import (
    CollectionPath,
    ContainerDep,
    DataWritable,
    DocumentIdPath,
    LocksDep,
    PrincipalDep,
    readable,
    writable,
)
from app.api.schemas import ChunkOut, DocumentDetail, DocumentOut, UploadResult
from app.api.uploads import store_and_ingest
from retrieval import metadata as md

router = APIRouter(prefix="/collections/{collection}/documents", tags=["documents"])


@router.post(
    "",
    response_model=UploadResult,
    responses={422: {"description": "no file of the request was accepted"}},
    dependencies=[DataWritable],
)
def upload_documents(
    collection: CollectionPath,
    files: Annotated[list[UploadFile], File(description="one or more documents")],
    container: ContainerDep,
    principal: PrincipalDep,
    locks: LocksDep,
):
    writable(container, principal, collection, create=True)
    limit = container.settings.max_upload_files
    if len(files) > limit:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE, f"{len(files)} files sent; the limit is {limit}"
        )
    with locks.hold(collection):
        result = store_and_ingest(
            files,
            collection,
            container.settings.data_dir / "uploads" / collection,
            container.ingestor,
            max_bytes=int(container.settings.max_upload_mb * 1_000_000),
        )
    if all(f.status == "rejected" for f in result.files):
        reasons = "; ".join(f"{f.filename or '(no name)'}: {f.error}" for f in result.files)
        return JSONResponse(
            {"detail": f"no file was accepted: {reasons}", **result.model_dump()},
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    return result


@router.get("", response_model=list[DocumentOut])
def list_documents(
    collection: CollectionPath, container: ContainerDep, principal: PrincipalDep
) -> list[DocumentOut]:
    readable(container, principal, collection)
    return [DocumentOut.from_record(r) for r in container.records.list(collection)]


@router.get("/{document_id}", response_model=DocumentDetail)
def get_document(
    collection: CollectionPath,
    document_id: DocumentIdPath,
    container: ContainerDep,
    principal: PrincipalDep,
    chunks: bool = False,
) -> DocumentDetail:
    readable(container, principal, collection)
    record = container.records.get(collection, document_id)
    if record is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"document {document_id!r} not found")
    detail = DocumentDetail(**DocumentOut.from_record(record).model_dump())
    if chunks:
        detail.chunk_list = [
            ChunkOut(
                chunk_id=d.id or "",
                page=d.metadata.get(md.PAGE),
                heading=d.metadata.get(md.HEADING_PATH) or None,
                start=d.metadata.get(md.START),
                end=d.metadata.get(md.END),
                text=d.page_content,
            )
            for d in container.chunk_store.document_chunks(collection, document_id)
        ]
    return detail


@router.delete(
    "/{document_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[DataWritable],
)
def delete_document(
    collection: CollectionPath,
    document_id: DocumentIdPath,
    container: ContainerDep,
    principal: PrincipalDep,
    locks: LocksDep,
) -> Response:
    writable(container, principal, collection, create=False)
    record = container.records.get(collection, document_id)
    if record is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"document {document_id!r} not found")
    with locks.hold(collection):
        container.ingestor.delete_document(collection, document_id)
    uploaded = container.settings.data_dir / "uploads" / collection / record.source
    if uploaded.is_file():
        uploaded.unlink()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
