"""Idempotent, incremental batch ingestion of a folder (or a list of files).

A document's id comes from its collection and relative path; its content hash and the
pipeline configuration decide whether it is new, updated or unchanged. Unchanged files
cost one hash and no embedding. Files are parsed in worker processes while the main
process embeds finished files in large batches and writes them to Chroma and BM25.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ingest.chunking import ChunkingConfig, embedding_text
from ingest.loaders import loader_for
from ingest.parsing import ParseResult, ParseTask, parse_file
from ingest.progress import IngestProgress, NoProgress
from ingest.records import FAILED, OK, PENDING, DocumentRecord, RecordStore
from retrieval import metadata as md
from retrieval.keyword_index import KeywordIndex
from retrieval.vector_store import VectorStore


@dataclass
class IngestSummary:
    collection: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    pruned: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    chunks_written: int = 0
    chunks_embedded: int = 0
    seconds: float = 0.0
    files: int = 0
    documents: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def document_id(collection: str, source: str) -> str:
    return hashlib.sha256(f"{collection}\x00{source}".encode()).hexdigest()[:24]


def file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def scan_folder(root: Path) -> list[tuple[Path, str]]:
    """Files under ``root`` (hidden files and folders skipped), with their relative paths."""
    root = root.resolve()
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = Path(dirpath) / name
            if path.is_symlink() and not path.resolve().is_relative_to(root):
                continue
            found.append((path, path.relative_to(root).as_posix()))
    return found


@dataclass
class _Pending:
    result: ParseResult
    existed: bool  # had searchable chunks before: counts as "updated"
    has_record: bool  # may have chunks (even partial ones from a killed run) to replace


class Ingestor:
    """Writes documents into one collection's vector store, keyword index and records."""

    def __init__(
        self,
        vector_store: VectorStore,
        keyword_index: KeywordIndex,
        records: RecordStore,
        *,
        chunking: ChunkingConfig | None = None,
        workers: int = 1,
        batch_chunks: int = 256,
        parse_timeout_s: float = 60.0,
        max_file_bytes: int = 100 * 1024 * 1024,
    ) -> None:
        if workers < 0:
            raise ValueError(f"workers must be >= 0, got {workers}")
        self.vector_store = vector_store
        self.keyword_index = keyword_index
        self.records = records
        self.chunking = chunking or ChunkingConfig()
        self.workers = workers
        self.batch_chunks = batch_chunks
        self.parse_timeout_s = parse_timeout_s
        self.max_file_bytes = max_file_bytes

    @property
    def config_fingerprint(self) -> str:
        model, dim = self.vector_store.identity
        return f"{self.chunking.fingerprint}|{model}/{dim}"

    # -- public API ---------------------------------------------------------------------

    def ingest_folder(
        self,
        root: Path,
        collection: str,
        *,
        prune: bool = False,
        progress: IngestProgress | None = None,
        summary: IngestSummary | None = None,
    ) -> IngestSummary:
        root = Path(root)
        if not root.is_dir():
            raise FileNotFoundError(f"no such folder: {root}")
        return self.ingest_files(
            scan_folder(root), collection, prune=prune, progress=progress, summary=summary
        )

    def ingest_files(
        self,
        files: Iterable[tuple[Path, str]],
        collection: str,
        *,
        prune: bool = False,
        progress: IngestProgress | None = None,
        summary: IngestSummary | None = None,
    ) -> IngestSummary:
        """Ingest ``(path, source)`` pairs. ``summary``, if given, is filled in as the work
        goes, so a caller can watch it; an exception from ``progress`` stops the run
        between batches, leaving the index consistent and the rest for a later run."""
        md.validate_collection_name(collection)
        t0 = time.perf_counter()
        progress = progress or NoProgress()
        summary = summary if summary is not None else IngestSummary(collection)
        self.vector_store.collection(collection, create=True)  # fails early on a model mismatch
        fingerprint = self.config_fingerprint
        files = list(files)
        summary.files = len(files)
        tasks: list[tuple[ParseTask, bool, bool]] = []
        seen_sources: set[str] = set()
        for path, source in files:
            seen_sources.add(source)
            if loader_for(path) is None:
                summary.skipped.append(
                    {"source": source, "reason": f"unsupported file type {path.suffix or '(none)'}"}
                )
                continue
            doc_id = document_id(collection, source)
            record = self.records.get(collection, doc_id)
            existed = record is not None and record.chunk_count > 0
            try:
                size = path.stat().st_size
                if size > self.max_file_bytes:
                    raise ValueError(
                        f"the file is {size / 1e6:.1f} MB, over the "
                        f"{self.max_file_bytes / 1e6:.0f} MB limit"
                    )
                digest = file_hash(path)
            except (OSError, ValueError) as exc:
                self._fail(summary, collection, doc_id, source, None, str(exc), record is not None)
                continue
            if (
                record is not None
                and record.status == OK
                and record.content_hash == digest
                and record.config == fingerprint
            ):
                summary.unchanged += 1
                continue
            if (
                record is not None
                and record.status == FAILED
                and record.content_hash == digest
                and record.config == fingerprint
            ):  # the same bytes would fail the same way: report, don't retry
                summary.failed.append({"source": source, "reason": record.reason or "failed"})
                continue
            task = ParseTask(
                str(path),
                source,
                doc_id,
                collection,
                digest,
                size,
                self.chunking,
                self.parse_timeout_s,
            )
            tasks.append((task, existed, record is not None))

        progress.start(len(tasks))
        buffer: list[_Pending] = []
        try:
            flags = {t.document_id: (e, r) for t, e, r in tasks}
            for result in self._parse_all([t for t, _, _ in tasks]):
                existed, has_record = flags[result.task.document_id]
                if result.error:
                    task = result.task
                    self._fail(
                        summary,
                        collection,
                        task.document_id,
                        task.source,
                        task.content_hash,
                        result.error,
                        has_record,
                    )
                    progress.advance(1, 0)
                    continue
                buffer.append(_Pending(result, existed, has_record))
                if sum(len(p.result.chunks) for p in buffer) >= self.batch_chunks:
                    self._write(buffer, collection, summary, progress)
                    buffer = []
            if buffer:
                self._write(buffer, collection, summary, progress)
        finally:
            progress.finish()

        if prune:
            for record in self.records.list(collection):
                if record.source not in seen_sources:
                    self.delete_document(collection, record.document_id)
                    summary.pruned += 1
        summary.seconds = round(time.perf_counter() - t0, 3)
        return summary

    def delete_document(self, collection: str, doc_id: str) -> bool:
        """Remove a document everywhere. Returns False when it was not there."""
        record = self.records.get(collection, doc_id)
        self.vector_store.delete_document(collection, doc_id)
        self.keyword_index.delete_document(collection, doc_id)
        self.records.delete(collection, doc_id)
        return record is not None

    def delete_collection(self, collection: str) -> None:
        if self.vector_store.exists(collection):
            self.vector_store.delete_collection(collection)
        self.keyword_index.drop_collection(collection)
        self.records.delete_collection(collection)

    # -- internals ----------------------------------------------------------------------

    def _fail(
        self,
        summary: IngestSummary,
        collection: str,
        doc_id: str,
        source: str,
        digest: str | None,
        reason: str,
        has_record: bool,
    ) -> None:
        if has_record:  # the index must not keep serving a version that no longer exists
            self.vector_store.delete_document(collection, doc_id)
            self.keyword_index.delete_document(collection, doc_id)
        self.records.put(
            DocumentRecord(
                collection,
                doc_id,
                source,
                None,
                digest,
                self.config_fingerprint,
                FAILED,
                reason,
                0,
                None,
                None,
                0.0,
            )
        )
        summary.failed.append({"source": source, "reason": reason})
        summary.documents.append(
            {
                "source": source,
                "document_id": doc_id,
                "status": "failed",
                "reason": reason,
                "chunks": 0,
            }
        )

    def _write(
        self,
        buffer: list[_Pending],
        collection: str,
        summary: IngestSummary,
        progress: IngestProgress,
    ) -> None:
        chunks = [c for p in buffer for c in p.result.chunks]
        vectors = self._embed([embedding_text(c) for c in chunks])
        summary.chunks_embedded += len(chunks)
        fingerprint = self.config_fingerprint
        with self.records.transaction() as conn:
            for p in buffer:
                t = p.result.task
                old = self.records.get(collection, t.document_id)
                self.records.put(
                    DocumentRecord(
                        collection,
                        t.document_id,
                        t.source,
                        p.result.title,
                        old.content_hash if old else None,
                        old.config if old else None,
                        PENDING,
                        None,
                        old.chunk_count if old else 0,
                        None,
                        t.size_bytes,
                        0.0,
                    ),
                    conn,
                )
        for p in buffer:
            if p.has_record:
                self.vector_store.delete_document(collection, p.result.task.document_id)
        self.vector_store.upsert(
            collection,
            [c.id for c in chunks],
            [c.page_content for c in chunks],
            [c.metadata for c in chunks],
            vectors,
        )
        self.keyword_index.replace_documents(
            collection, [p.result.task.document_id for p in buffer], chunks
        )
        with self.records.transaction() as conn:
            for p in buffer:
                r, t = p.result, p.result.task
                self.records.put(
                    DocumentRecord(
                        collection,
                        t.document_id,
                        t.source,
                        r.title,
                        t.content_hash,
                        fingerprint,
                        OK,
                        None,
                        len(r.chunks),
                        r.page_count,
                        t.size_bytes,
                        0.0,
                    ),
                    conn,
                )
                if p.existed:
                    summary.updated += 1
                else:
                    summary.new += 1
                summary.documents.append(
                    {
                        "source": t.source,
                        "document_id": t.document_id,
                        "status": "updated" if p.existed else "new",
                        "chunks": len(r.chunks),
                    }
                )
        summary.chunks_written += len(chunks)
        progress.advance(len(buffer), len(chunks))

    def _embed(self, texts: list[str]) -> Any:
        embeddings = self.vector_store.embeddings
        encode = getattr(embeddings, "encode", None)
        if encode is not None:
            return encode(texts)
        return embeddings.embed_documents(texts)

    def _parse_all(self, tasks: list[ParseTask]) -> Iterator[ParseResult]:
        if self.workers == 0 or (self.workers == 1 and len(tasks) <= 1):
            for task in tasks:
                yield parse_file(task)
            return
        yield from self._parse_in_pool(tasks, max(1, self.workers))

    def _parse_in_pool(self, tasks: list[ParseTask], workers: int) -> Iterator[ParseResult]:
        context = multiprocessing.get_context("forkserver")
        # Files are parsed in waves that use every worker, and embedded between waves:
        # parsers and the embedder never compete for the CPU (on a small machine the
        # embedder's thread team slows down badly when a parser takes one of its cores).
        queue = list(reversed(tasks))
        wave_size = workers * 8
        while queue:
            crashed: list[ParseTask] = []
            with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                while queue and not crashed:
                    wave = [queue.pop() for _ in range(min(wave_size, len(queue)))]
                    futures = [(pool.submit(parse_file, task), task) for task in wave]
                    wait([f for f, _ in futures])
                    results = []
                    for fut, task in futures:
                        try:
                            results.append(fut.result())
                        except BrokenProcessPool:
                            crashed.append(task)
                    yield from results
            # a crashed parser (segfault, out of memory) takes the pool down: retry each
            # file of that wave alone, so only the file that crashes it fails
            for task in crashed:
                yield self._parse_isolated(task, context)

    @staticmethod
    def _parse_isolated(task: ParseTask, context) -> ParseResult:
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            try:
                return pool.submit(parse_file, task).result()
            except BrokenProcessPool:
                return ParseResult(task, error="the parser crashed on this file")
