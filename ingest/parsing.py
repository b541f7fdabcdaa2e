"""Parse one file into chunks, within a time limit. Runs inside worker processes."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from langchain_core.documents import Document

from ingest.chunking import ChunkingConfig, chunk_document
from ingest.loaders import LoadError, loader_for, unsupported_reason
from ingest.loaders.deadline import ParseTimeout, time_limit  # noqa: F401  (re-exported)
from ingest.loaders.options import LoadOptions, using
from ingest.sandbox import near_memory_cap

log = logging.getLogger("groundwork.ingest")


@dataclass
class ParseTask:
    path: str
    source: str
    document_id: str
    collection: str
    content_hash: str
    size_bytes: int
    chunking: ChunkingConfig
    timeout_s: float
    confine: str | None = None  # the real folder the file must lie in when it is read
    max_chunks: int = 100_000  # a file that makes more fails alone
    options: LoadOptions = field(default_factory=LoadOptions)
    config: str = ""  # what the document is written under (``reading_config``)


TOO_BIG = "the file needs more memory to parse than a parser may use (GROUNDWORK_PARSER_MEMORY_MB)"
OUTSIDE = "the file lies outside the folder being ingested (a link to elsewhere); not read"


def outside(path: Path, confine: str | Path | None) -> bool:
    """True when ``path``'s real location (links followed) is not inside ``confine``."""
    return confine is not None and not Path(path).resolve().is_relative_to(confine)


@dataclass
class ParseResult:
    task: ParseTask
    title: str = ""
    chunks: list[Document] = field(default_factory=list)
    page_count: int | None = None
    ocr_pages: int = 0  # pages, slides or frames whose text OCR read
    error: str | None = None


def parse_file(task: ParseTask) -> ParseResult:
    """Never raises: a failure comes back as ``ParseResult.error`` with a reason."""
    path = Path(task.path)
    if outside(path, task.confine):  # checked again as it is read: it may have changed
        return ParseResult(task, error=OUTSIDE)
    loader = loader_for(path)
    if loader is None:
        return ParseResult(task, error=unsupported_reason(path))
    try:
        with time_limit(task.timeout_s), using(task.options):
            loaded = loader.load(path)
            chunks = chunk_document(
                loaded,
                collection=task.collection,
                document_id=task.document_id,
                source=task.source,
                config=task.chunking,
            )
    except LoadError as exc:
        return ParseResult(task, error=str(exc))
    except MemoryError:
        return ParseResult(task, error=TOO_BIG)
    except RecursionError:
        return ParseResult(task, error="the file is nested too deeply to parse")
    except Exception as exc:  # a loader bug must not stop the batch
        if near_memory_cap():  # the allocation failed somewhere in C
            return ParseResult(task, error=TOO_BIG)
        log.warning("parsing %s failed: %r", task.source, exc, exc_info=exc)
        return ParseResult(
            task, error=f"the file could not be read: its {path.suffix} parser failed on it"
        )
    if not chunks:
        return ParseResult(task, error="no text found in the file")
    if len(chunks) > task.max_chunks:
        return ParseResult(
            task,
            error=f"the file makes {len(chunks):,} chunks, over the limit of "
            f"{task.max_chunks:,} per file (GROUNDWORK_MAX_CHUNKS_PER_FILE)",
        )
    pages = {s.page for s in loaded.sections if s.page is not None}
    return ParseResult(
        task,
        title=loaded.title,
        chunks=chunks,
        page_count=max(pages) if pages else None,
        ocr_pages=loaded.ocr_pages,
    )
