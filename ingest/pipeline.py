"""Idempotent, incremental batch ingestion of a folder (or a list of files), in three stages.

1. **plan** (``ingest/planning.py``): scan, hash, and decide new / updated / unchanged /
   failed against the records; writes nothing.
2. **process** (``ingest/executors/``): parse, chunk and embed the planned files; the
   part a different executor could run elsewhere.
3. **write** (``ingest/writing.py``): pending, replace the chunks in Chroma and the
   keyword index, ok; the only writer.

Then prune: documents whose file is gone are deleted. A document's id comes from its
collection and relative path; its content hash and the pipeline configuration decide
whether it is new, updated or unchanged. Unchanged files cost one hash and no embedding,
unless the index has lost their chunks (``IndexWriter.damaged``): then they are written
again, and the summary counts them as ``repaired``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from contextlib import closing
from pathlib import Path

from ingest.chunking import ChunkingConfig
from ingest.executors import Executor, LocalExecutor
from ingest.loaders.options import LoadOptions
from ingest.planning import IngestPlan, Planner, document_id, file_hash, scan_folder
from ingest.progress import IngestProgress, NoProgress
from ingest.records import RecordStore
from ingest.summary import IngestSummary
from ingest.writing import IndexWriter
from retrieval import metadata as md
from retrieval.search.chroma_store import ChromaChunkStore
from retrieval.search.keyword_index import KeywordIndex
from retrieval.search.sentence_vectors import SentenceVectors

log = logging.getLogger("groundwork.ingest")

_FILL_DOCUMENTS = 32  # documents whose sentences are embedded together when filling in

__all__ = ["Ingestor", "IngestSummary", "document_id", "file_hash", "scan_folder"]


class Ingestor:
    """Writes documents into one collection's chunk store, keyword index and records."""

    def __init__(
        self,
        chunk_store: ChromaChunkStore,
        keyword_index: KeywordIndex,
        records: RecordStore,
        *,
        chunking: ChunkingConfig | None = None,
        executor: Executor | None = None,
        workers: int = 1,
        batch_chunks: int = 256,
        parse_timeout_s: float = 60.0,
        max_file_bytes: int = 100 * 1024 * 1024,
        max_chunks_per_file: int = 100_000,
        parser_memory_mb: int | None = 2048,
        load_options: LoadOptions | None = None,
        sentence_vectors: SentenceVectors | None = None,
        embed_sentences: bool = False,
    ) -> None:
        self.chunk_store = chunk_store
        self.keyword_index = keyword_index
        self.records = records
        self.chunking = chunking or ChunkingConfig()
        self.executor = executor or LocalExecutor(
            workers=workers, batch_chunks=batch_chunks, memory_mb=parser_memory_mb
        )
        self.parse_timeout_s = parse_timeout_s
        self.max_file_bytes = max_file_bytes
        self.max_chunks_per_file = max_chunks_per_file
        self.load_options = load_options or LoadOptions()
        self.sentence_vectors = sentence_vectors
        self.embed_sentences = embed_sentences

    @property
    def config_fingerprint(self) -> str:
        model, dim = self.chunk_store.identity
        return f"{self.chunking.fingerprint}|{model}/{dim}"

    @property
    def writer(self) -> IndexWriter:
        return IndexWriter(
            self.chunk_store,
            self.keyword_index,
            self.records,
            self.config_fingerprint,
            self.sentence_vectors,
            self.embed_sentences,
        )

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
            scan_folder(root),
            collection,
            prune=prune,
            progress=progress,
            summary=summary,
            confine=root,
        )

    def ingest_files(
        self,
        files: Iterable[tuple[Path, str]],
        collection: str,
        *,
        prune: bool = False,
        progress: IngestProgress | None = None,
        summary: IngestSummary | None = None,
        confine: Path | None = None,
    ) -> IngestSummary:
        """Ingest ``(path, source)`` pairs; with ``confine``, only files whose real path
        lies inside that folder are read. ``summary``, if given, is filled in as the work
        goes, so a caller can watch it; an exception from ``progress`` stops the run
        between batches, leaving the index consistent and the rest for a later run."""
        md.validate_collection_name(collection)
        t0 = time.perf_counter()
        progress = progress or NoProgress()
        summary = summary if summary is not None else IngestSummary(collection)
        writer = self.writer
        planner = Planner(
            self.records,
            self.chunking,
            writer.fingerprint,
            self.parse_timeout_s,
            self.max_file_bytes,
            self.max_chunks_per_file,
            self.load_options,
        )
        plan = planner.plan(files, collection, summary, confine=confine)
        if plan.work:
            self.executor.prepare()  # parsers start while Chroma opens
        try:
            self._process(plan, collection, summary, progress)
        finally:
            self.executor.release()  # what ``prepare`` started and nothing used
        if prune:
            for record in self.records.list(collection):
                if record.source not in plan.seen_sources:
                    writer.delete_document(collection, record.document_id)
                    summary.pruned += 1
        summary.seconds = round(time.perf_counter() - t0, 3)
        return summary

    def _process(
        self, plan: IngestPlan, collection: str, summary: IngestSummary, progress: IngestProgress
    ) -> None:
        """Open the collection (failing on a model mismatch before anything is written),
        then record the early failures, and process and write the planned files."""
        writer = self.writer
        self.chunk_store.collection(collection, create=True)
        for failure in plan.early_failures:
            writer.fail(collection, failure, summary)
        # unchanged files whose chunks the index lost (a store's folder removed or restored
        # from an older copy) are written again
        repair = [plan.unchanged[d] for d in writer.damaged(collection) if d in plan.unchanged]
        if repair:
            log.warning("%d unchanged document(s) were missing from the index", len(repair))
            plan.work.extend(repair)
            summary.unchanged -= len(repair)
            summary.repaired += len(repair)

        # documents indexed before sentence vectors were stored at ingest get them now
        fill = writer.sentences_missing(collection, {w.task.document_id for w in plan.work})
        progress.start(len(plan.work) + len(fill))
        try:
            # closed at once when the run stops early, so an executor can cancel its work
            with closing(self.executor.process(plan.work, self.chunk_store.embeddings)) as run:
                for batch in run:
                    writer.write_or_settle(batch, collection, summary)
                    progress.advance(len(batch.done) + len(batch.failed), len(batch.chunks))
            for i in range(0, len(fill), _FILL_DOCUMENTS):
                part = fill[i : i + _FILL_DOCUMENTS]
                progress.advance(len(part), writer.fill_sentences(collection, part, summary))
        finally:
            progress.finish()

    def delete_document(self, collection: str, doc_id: str) -> bool:
        """Remove a document everywhere. Returns False when it was not there."""
        return self.writer.delete_document(collection, doc_id)

    def delete_collection(self, collection: str) -> None:
        self.writer.delete_collection(collection)
