"""Stage 3, write: the only place chunks reach Chroma, the keyword index and the records.

For each batch: mark its documents ``pending``, replace their chunks in Chroma (vectors and
metadata) and in the keyword index (which also keeps their texts), then mark them ``ok``
with their new hash. A run killed in between leaves
``pending`` rows, which the next run finishes without duplicates.
"""

from __future__ import annotations

import logging
from collections import Counter

from ingest.executors.base import ProcessedBatch
from ingest.planning import EarlyFailure
from ingest.records import FAILED, OK, PENDING, DocumentRecord, RecordStore
from ingest.summary import IngestSummary
from retrieval.errors import ProviderUnavailableError, outage_reason, storage_full
from retrieval.search.chroma_store import ChromaChunkStore
from retrieval.search.keyword_index import KeywordIndex
from retrieval.search.sentence_vectors import SentenceVectors
from retrieval.sentences import remember

log = logging.getLogger("groundwork.ingest")


class IndexWriter:
    def __init__(
        self,
        chunk_store: ChromaChunkStore,
        keyword_index: KeywordIndex,
        records: RecordStore,
        fingerprint: str,
        sentence_vectors: SentenceVectors | None = None,
        embed_sentences: bool = False,
    ) -> None:
        self.chunk_store = chunk_store
        self.keyword_index = keyword_index
        self.records = records
        self.fingerprint = fingerprint
        # the support model's vectors of each chunk's sentences: embedded here when
        # ``embed_sentences``; otherwise only a replaced or deleted document's are removed
        self.sentence_vectors = sentence_vectors
        self.embed_sentences = embed_sentences and sentence_vectors is not None

    def write(self, batch: ProcessedBatch, collection: str, summary: IngestSummary) -> None:
        """Record the batch's failures, then write its documents (see the module)."""
        for f in batch.failed:
            t = f.result.task
            self.fail(
                collection,
                EarlyFailure(
                    t.document_id,
                    t.source,
                    f.result.error or "failed",
                    f.item.has_record,
                    t.config or None,
                ),
                summary,
                content_hash=t.content_hash,
            )
        if not batch.done:
            return
        chunks = batch.chunks
        summary.chunks_embedded += len(chunks)
        self._mark_pending(batch, collection)
        for p in batch.done:
            if p.item.has_record:
                self.chunk_store.delete_document(collection, p.result.task.document_id)
        self.chunk_store.upsert(
            collection,
            [c.id for c in chunks],
            [c.metadata for c in chunks],
            batch.vectors,
        )
        self.keyword_index.replace_documents(
            collection, [p.result.task.document_id for p in batch.done], chunks
        )
        self._write_sentences(batch, collection, summary)
        self._mark_ok(batch, collection, summary)
        summary.chunks_written += len(chunks)

    def write_or_settle(
        self, batch: ProcessedBatch, collection: str, summary: IngestSummary
    ) -> None:
        """``write``; if the batch cannot be written, its files fail with the reason and
        their partial chunks are removed, so none is left ``pending``. An outage (the store
        is unreachable) stops the run instead: the files stay ``pending`` and the next run
        finishes them."""
        try:
            self.write(batch, collection, summary)
        except Exception as exc:
            if (
                outage_reason(exc) is not None
                or isinstance(exc, ProviderUnavailableError)
                or storage_full(exc)
            ):
                raise
            log.exception("could not write %d file(s) to the index", len(batch.done))
            reason = f"the file could not be written to the index ({type(exc).__name__}: {exc})"
            for p in batch.done:
                t = p.result.task
                failure = EarlyFailure(t.document_id, t.source, reason, True, t.config or None)
                self.fail(collection, failure, summary, content_hash=t.content_hash)

    def fail(
        self,
        collection: str,
        failure: EarlyFailure,
        summary: IngestSummary,
        *,
        content_hash: str | None = None,
    ) -> None:
        """Record a failed file; the index stops serving any older version of it."""
        if failure.has_record:
            self.chunk_store.delete_document(collection, failure.document_id)
            self.keyword_index.delete_document(collection, failure.document_id)
            if self.sentence_vectors is not None:
                self.sentence_vectors.delete_document(collection, failure.document_id)
        self.records.put(
            DocumentRecord(
                collection=collection,
                document_id=failure.document_id,
                source=failure.source,
                status=FAILED,
                content_hash=content_hash,
                config=failure.config or self.fingerprint,
                reason=failure.reason,
            )
        )
        summary.failed.append({"source": failure.source, "reason": failure.reason})
        _report(summary, failure.source, failure.document_id, "failed", 0, failure.reason)

    def delete_document(self, collection: str, document_id: str) -> bool:
        """Remove a document everywhere. Returns False when it was not there."""
        record = self.records.get(collection, document_id)
        self.chunk_store.delete_document(collection, document_id)
        self.keyword_index.delete_document(collection, document_id)
        if self.sentence_vectors is not None:
            self.sentence_vectors.delete_document(collection, document_id)
        self.records.delete(collection, document_id)
        return record is not None

    def delete_collection(self, collection: str) -> None:
        if self.chunk_store.exists(collection):
            self.chunk_store.delete_collection(collection)
        self.keyword_index.drop_collection(collection)
        if self.sentence_vectors is not None:
            self.sentence_vectors.drop_collection(collection)
        self.records.delete_collection(collection)

    def damaged(self, collection: str) -> set[str]:
        """Documents recorded as indexed whose chunks the stores do not hold as recorded
        (a store's folder lost, or restored from an older copy): the ingest writes them
        again. Chunks of documents without a record are removed. Called once the ingest
        has opened the collection; costs two counts when the stores agree with the
        records, and reads every chunk's metadata when not."""
        expected = self.records.chunk_total(collection)
        dense_total = self.chunk_store.count(collection)
        if dense_total == expected and self.keyword_index.count(collection) == expected:
            return set()
        indexed = {r.document_id: r.chunk_count for r in self.records.list(collection)}
        dense = self.chunk_store.document_counts(collection) if dense_total else Counter()
        keyword = self.keyword_index.document_counts(collection)
        for orphan in (set(dense) | set(keyword)) - set(indexed):
            self.chunk_store.delete_document(collection, orphan)
            self.keyword_index.delete_document(collection, orphan)
        return {
            doc_id
            for doc_id, chunks in indexed.items()
            if dense[doc_id] != chunks or keyword[doc_id] != chunks
        }

    def sentences_missing(self, collection: str, skip: set[str]) -> list[DocumentRecord]:
        """Indexed documents (other than ``skip``) whose sentence vectors are not stored
        for their current content: written before ``embed_sentences`` was turned on."""
        if not self.embed_sentences:
            return []
        assert self.sentence_vectors is not None
        covered = self.sentence_vectors.covered(collection)
        return [
            r
            for r in self.records.list(collection)
            if r.status == OK
            and r.document_id not in skip
            and (r.document_id not in covered or covered[r.document_id] != r.content_hash)
        ]

    def fill_sentences(
        self, collection: str, records: list[DocumentRecord], summary: IngestSummary
    ) -> int:
        """Embed and store the sentences of already indexed documents; returns their
        chunk count."""
        assert self.sentence_vectors is not None
        chunks = {
            r.document_id: self.chunk_store.document_chunks(collection, r.document_id)
            for r in records
        }
        summary.sentences_embedded += self.sentence_vectors.replace_documents(
            collection, chunks, {r.document_id: r.content_hash for r in records}
        )
        return sum(len(c) for c in chunks.values())

    def _write_sentences(
        self, batch: ProcessedBatch, collection: str, summary: IngestSummary
    ) -> None:
        if self.sentence_vectors is None:
            return
        if not self.embed_sentences:  # the old content's vectors would only take space
            for p in batch.done:
                if p.item.has_record:
                    self.sentence_vectors.delete_document(collection, p.result.task.document_id)
            return
        for text, bounds in (batch.splits or {}).items():  # split by the executor
            remember(text, bounds)
        summary.sentences_embedded += self.sentence_vectors.replace_documents(
            collection,
            {p.result.task.document_id: p.result.chunks for p in batch.done},
            {p.result.task.document_id: p.result.task.content_hash for p in batch.done},
            embedded=batch.sentences,  # made by the executor (Ray actors), if it did
        )

    def _mark_pending(self, batch: ProcessedBatch, collection: str) -> None:
        # the old hash and config stay until the new chunks are in: a run killed now
        # sees "pending" and processes the file again
        with self.records.transaction() as conn:
            for p in batch.done:
                t = p.result.task
                old = self.records.get(collection, t.document_id)
                self.records.put(
                    DocumentRecord(
                        collection=collection,
                        document_id=t.document_id,
                        source=t.source,
                        status=PENDING,
                        title=p.result.title,
                        content_hash=old.content_hash if old else None,
                        config=old.config if old else None,
                        chunk_count=old.chunk_count if old else 0,
                        size_bytes=t.size_bytes,
                    ),
                    conn,
                )

    def _mark_ok(self, batch: ProcessedBatch, collection: str, summary: IngestSummary) -> None:
        with self.records.transaction() as conn:
            for p in batch.done:
                r, t = p.result, p.result.task
                self.records.put(
                    DocumentRecord(
                        collection=collection,
                        document_id=t.document_id,
                        source=t.source,
                        status=OK,
                        title=r.title,
                        content_hash=t.content_hash,
                        config=t.config or self.fingerprint,
                        chunk_count=len(r.chunks),
                        page_count=r.page_count,
                        size_bytes=t.size_bytes,
                        ocr_pages=r.ocr_pages,
                    ),
                    conn,
                )
                if p.item.existed:
                    summary.updated += 1
                else:
                    summary.new += 1
                status = "updated" if p.item.existed else "new"
                _report(summary, t.source, t.document_id, status, len(r.chunks))


def _report(
    summary: IngestSummary,
    source: str,
    document_id: str,
    status: str,
    chunks: int,
    reason: str | None = None,
) -> None:
    """One file's outcome in ``summary.documents`` (a reason only for a failure)."""
    entry = {"source": source, "document_id": document_id, "status": status}
    if reason is not None:
        entry["reason"] = reason
    summary.documents.append({**entry, "chunks": chunks})
