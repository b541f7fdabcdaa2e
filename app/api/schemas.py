"""Request and response bodies of the API (the answer itself is ``retrieval.answer.schema``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from langchain_core.documents import Document
from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.api.folder_access import check_path_text
from ingest.records import DocumentRecord
from retrieval import metadata as md

COLLECTION_HELP = (
    "3-63 lowercase letters, digits, '-' or '_', starting and ending with a letter or digit"
)
CollectionField = Annotated[
    str,
    Field(pattern=md.COLLECTION_PATTERN, min_length=3, max_length=63, description=COLLECTION_HELP),
]


class Message(BaseModel):
    role: Literal["user", "assistant", "system"]
    content: str = Field(max_length=20_000)


class Filters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sources: list[str] | None = Field(default=None, max_length=200)
    document_ids: list[str] | None = Field(default=None, max_length=200)


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1)
    collection: CollectionField
    history: list[Message] = Field(default_factory=list)
    top_k: int | None = Field(default=None, ge=1, le=50)
    filters: Filters | None = None
    stream: bool = False


class SourceChunk(BaseModel):
    """A retrieved chunk, as sent in the ``sources`` event."""

    n: int
    chunk_id: str | None
    document_id: str
    source: str
    title: str | None
    page: int | None
    heading: str | None
    start: int | None
    end: int | None
    score: float | None
    text: str

    @classmethod
    def from_document(cls, n: int, doc: Document) -> SourceChunk:
        m = doc.metadata
        return cls(
            n=n,
            chunk_id=doc.id,
            document_id=m[md.DOCUMENT_ID],
            source=m[md.SOURCE],
            title=m.get(md.TITLE),
            page=m.get(md.PAGE),
            heading=m.get(md.HEADING_PATH) or None,
            start=m.get(md.START),
            end=m.get(md.END),
            score=m.get("score"),
            text=doc.page_content,
        )


def _iso(ts: float | None) -> str | None:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds") if ts else None


class DocumentOut(BaseModel):
    document_id: str
    collection: str
    source: str
    title: str | None
    status: Literal["ok", "pending", "failed"]
    error: str | None
    chunks: int
    pages: int | None
    ocr_pages: int = Field(default=0, description="pages, slides or frames read by OCR")
    size_bytes: int | None
    last_ingest: str | None

    @classmethod
    def from_record(cls, r: DocumentRecord) -> DocumentOut:
        return cls(
            document_id=r.document_id,
            collection=r.collection,
            source=r.source,
            title=r.title,
            status=r.status,  # type: ignore[arg-type]
            error=r.reason,
            chunks=r.chunk_count,
            pages=r.page_count,
            ocr_pages=r.ocr_pages or 0,
            size_bytes=r.size_bytes,
            last_ingest=_iso(r.updated_at),
        )


class ChunkOut(BaseModel):
    chunk_id: str
    page: int | None
    heading: str | None
    start: int | None
    end: int | None
    text: str


class DocumentDetail(DocumentOut):
    chunk_list: list[ChunkOut] | None = None


class CollectionOut(BaseModel):
    name: str
    documents: int
    chunks: int
    failed: int


class FileResult(BaseModel):
    filename: str
    source: str | None = None
    document_id: str | None = None
    status: Literal["new", "updated", "unchanged", "failed", "rejected"]
    chunks: int = 0
    error: str | None = None


class UploadResult(BaseModel):
    collection: str
    files: list[FileResult]
    seconds: float


class JobRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    collection: CollectionField
    path: str = Field(
        min_length=1,
        max_length=1024,
        description="a folder under GROUNDWORK_INGEST_ROOT that the key may read",
    )
    prune: bool = False
    engine: Literal["local", "ray"] | None = Field(
        default=None,
        description="where files are parsed and embedded: local worker processes or Ray "
        "(default: GROUNDWORK_INGEST_ENGINE)",
    )
    ray_address: str | None = Field(
        default=None,
        max_length=512,
        description="a Ray cluster to run on (admin keys only; default: GROUNDWORK_RAY_ADDRESS "
        "or a local runtime)",
    )

    @field_validator("path")
    @classmethod
    def _a_possible_path(cls, value: str) -> str:
        return check_path_text(value)


JobStatus = Literal["queued", "running", "succeeded", "failed", "cancelled", "interrupted"]


class JobOut(BaseModel):
    id: str
    collection: str
    path: str
    prune: bool
    engine: str = "local"
    status: JobStatus
    created_at: str | None
    started_at: str | None
    finished_at: str | None
    total: int
    done: int
    new: int
    updated: int
    unchanged: int
    skipped: int
    pruned: int
    repaired: int = Field(
        default=0,
        description="unchanged files written again because the index had lost their chunks "
        "(counted in updated)",
    )
    chunks: int
    failed: list[dict[str, str]]
    files_per_s: float
    chunks_per_s: float
    eta_s: float | None
    error: str | None


class Health(BaseModel):
    status: Literal["ok"]


class Ready(BaseModel):
    status: Literal["ready", "not ready"]
    checks: dict[str, str]
