"""BM25 keyword search over chunks, in a tantivy index (one folder per collection).

tantivy keeps the index on disk and updates it in place on add, replace and delete (one
atomic commit per call), so it stays consistent with the vector store without rebuilding.
It ranks by BM25 with block-max WAND: it skips the chunks that cannot reach the first
``k``, where SQLite FTS5 (this index until session 15) scored every chunk holding any of
the question's words. At 50,000 chunks whose common words match most of them, that took
FTS5 39–40 ms a question, and tantivy under 1 ms (see the README, session 15).

Words are split on letters and digits, lowercased, folded to ASCII and stemmed (English
Snowball) on both sides; stop words are dropped from queries. A collection indexed by
FTS5 before is moved over on first use, and its old file removed; a read-only data folder
keeps its old file and is read into memory instead.
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import tantivy
from langchain_core.documents import Document

from retrieval import metadata as md
from retrieval.metadata import validate_collection_name
from retrieval.search.snapshots import read_only_copy
from retrieval.sqlite_db import writable
from retrieval.terms import STOPWORDS, words

log = logging.getLogger("groundwork.keyword")

_ANALYZER = "groundwork_en"
_WRITER_HEAP_BYTES = 64_000_000  # tantivy's indexing buffer before it writes a segment


@lru_cache(maxsize=1)
def _schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    # the words searched: the chunk's title and heading path, then its text
    b.add_text_field("text", tokenizer_name=_ANALYZER, index_option="freq")
    # the chunk's id, searched to read texts by id (see ``texts``)
    b.add_text_field("chunk_id", stored=True, tokenizer_name="raw", index_option="basic")
    b.add_text_field("document_id", tokenizer_name="raw", index_option="basic")
    b.add_text_field("source", tokenizer_name="raw", index_option="basic")
    b.add_bytes_field("body", stored=True)  # the chunk's text (kept here only), UTF-8
    b.add_bytes_field("meta", stored=True)  # its metadata, JSON
    return b.build()


@lru_cache(maxsize=1)
def _analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(64))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


def query_terms(question: str, max_terms: int = 64) -> list[str]:
    """The question's distinct non-stop words (all its words when every one is a stop
    word), in order, at most ``max_terms``."""
    seen: list[str] = []
    for w in words(question):
        if w not in STOPWORDS and w not in seen:
            seen.append(w)
    if not seen:
        seen = list(dict.fromkeys(words(question)))
    return seen[:max_terms]


def _stems(question: str) -> list[str]:
    out: list[str] = []
    for term in query_terms(question):
        for token in _analyzer().analyze(term):
            if token not in out:
                out.append(token)
    return out


@dataclass
class _Opened:
    index: tantivy.Index
    generation: int
    folder: tuple[int, int] | None  # (device, inode) of the folder; None: held in memory
    commit: tuple[int, int, int] | None  # meta.json's (inode, mtime_ns, size) when read
    copy: bool = False  # read from a copy (the folder is read-only)


class KeywordIndex:
    """Per-collection tantivy folders under ``root``. Thread-safe; every search sees the
    latest commit, made by this process or another one."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._lock = threading.Lock()
        self._opened: dict[str, _Opened] = {}
        self._generation: dict[str, int] = {}  # bumped by ``drop_collection``
        self._write_locks: dict[str, threading.Lock] = {}

    def path(self, collection: str) -> Path:
        validate_collection_name(collection)
        return self.root / collection

    # -- writing ---------------------------------------------------------------------

    def replace_documents(
        self, collection: str, document_ids: Iterable[str], chunks: Sequence[Document]
    ) -> None:
        """Atomically drop the documents' old chunks and insert ``chunks``."""
        docs = [_from_chunk(c) for c in chunks]
        with self._write_lock(collection):
            index = self._index(collection, create=True)
            assert index is not None
            writer = index.writer(heap_size=_WRITER_HEAP_BYTES, num_threads=1)
            try:
                for doc_id in set(document_ids):
                    writer.delete_documents("document_id", doc_id)
                for doc in docs:
                    writer.add_document(doc)
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
            finally:
                writer.wait_merging_threads()  # also frees the folder's writer lock
            index.reload()

    def delete_document(self, collection: str, document_id: str) -> None:
        if self._index(collection, create=False) is not None:
            self.replace_documents(collection, [document_id], [])

    def drop_collection(self, collection: str) -> None:
        """Delete the collection's folder; every thread stops reading it at once."""
        with self._write_lock(collection):
            with self._lock:
                self._generation[collection] = self._generation.get(collection, 0) + 1
                self._opened.pop(collection, None)
            shutil.rmtree(self.path(collection), ignore_errors=True)
            _remove_legacy(self._legacy_path(collection))

    # -- reading ---------------------------------------------------------------------

    def count(self, collection: str) -> int:
        index = self._index(collection, create=False)
        return 0 if index is None else index.searcher().num_docs

    def document_counts(self, collection: str) -> Counter[str]:
        """How many chunks the index holds for each document (reads every chunk's stored
        metadata: for checks, not for questions)."""
        index = self._index(collection, create=False)
        counts: Counter[str] = Counter()
        if index is None:
            return counts
        searcher = index.searcher()
        if searcher.num_docs == 0:
            return counts
        for _score, address in searcher.search(
            tantivy.Query.all_query(), searcher.num_docs, count=False
        ).hits:
            meta = json.loads(bytes(searcher.doc(address).get_first("meta")).decode("utf-8"))
            counts[meta.get(md.DOCUMENT_ID, "")] += 1
        return counts

    def texts(self, collection: str, ids: Sequence[str]) -> dict[str, str]:
        """The stored texts of those of the chunks ``ids`` the index holds, by chunk id
        (Chroma keeps vectors and metadata only)."""
        index = self._index(collection, create=False)
        wanted = list(dict.fromkeys(ids))
        if index is None or not wanted:
            return {}
        searcher = index.searcher()
        query = tantivy.Query.term_set_query(_schema(), "chunk_id", wanted)
        out: dict[str, str] = {}
        for _score, address in searcher.search(query, len(wanted), count=False).hits:
            doc = searcher.doc(address)
            out[doc.get_first("chunk_id")] = bytes(doc.get_first("body")).decode("utf-8")
        return out

    def search(
        self,
        collection: str,
        question: str,
        k: int,
        *,
        sources: Sequence[str] | None = None,
        document_ids: Sequence[str] | None = None,
        exclude_document_ids: Sequence[str] | None = None,
    ) -> list[tuple[Document, float]]:
        """Best ``k`` chunks by BM25, best first; the score is positive (higher is better)."""
        index = self._index(collection, create=False)
        stems = _stems(question)
        if index is None or not stems or k <= 0:
            return []
        searcher = index.searcher()
        query = _query(searcher, stems)
        if query is None:
            return []
        clauses = [(tantivy.Occur.Must, query)]
        if sources:
            clauses.append((tantivy.Occur.Must, _any_of("source", sources)))
        if document_ids:
            clauses.append((tantivy.Occur.Must, _any_of("document_id", document_ids)))
        if exclude_document_ids:
            clauses.append((tantivy.Occur.MustNot, _any_of("document_id", exclude_document_ids)))
        if len(clauses) > 1:
            query = tantivy.Query.boolean_query(clauses)
        out = []
        for score, address in searcher.search(query, k, count=False).hits:
            doc = searcher.doc(address)
            meta = json.loads(bytes(doc.get_first("meta")).decode("utf-8"))
            out.append(
                (
                    Document(
                        page_content=bytes(doc.get_first("body")).decode("utf-8"),
                        metadata=md.from_chroma(meta),
                        id=doc.get_first("chunk_id"),
                    ),
                    float(score),
                )
            )
        return out

    # -- the folders -------------------------------------------------------------------

    def _write_lock(self, collection: str) -> threading.Lock:
        with self._lock:
            return self._write_locks.setdefault(collection, threading.Lock())

    def _legacy_path(self, collection: str) -> Path:
        return self.root / f"{collection}.sqlite3"

    def _index(self, collection: str, create: bool) -> tantivy.Index | None:
        """The collection's index at its latest commit; None when it has none and not
        ``create``. A folder removed or made again (here or by another process) is
        reopened, never read stale."""
        path = self.path(collection)
        folder, commit = _identity(path)
        with self._lock:
            generation = self._generation.get(collection, 0)
            opened = self._opened.get(collection)
        if opened is not None and opened.generation == generation:
            if opened.folder is None and folder is None:
                if self._legacy_path(collection).exists():
                    return opened.index  # a read-only folder's old file, held in memory
            elif opened.folder == folder and folder is not None:
                if opened.commit == commit:
                    return opened.index
                if not opened.copy:
                    opened.index.reload()
                    opened.commit = commit
                    return opened.index
        if folder is None:
            legacy = self._legacy_path(collection)
            if legacy.exists():
                return self._keep(collection, generation, _from_legacy(path, legacy))
            if not create:
                return None
            path.mkdir(parents=True, exist_ok=True)
        elif not writable(path):
            # tantivy takes a lock file even to read: read a copy of a read-only folder
            copy = read_only_copy(path, instead="make the data folder writable")
            return self._keep(collection, generation, _open(copy), copy=True)
        return self._keep(collection, generation, _open(path))

    def _keep(
        self, collection: str, generation: int, index: tantivy.Index, *, copy: bool = False
    ) -> tantivy.Index:
        path = self.path(collection)
        folder, commit = _identity(path)
        with self._lock:
            if self._generation.get(collection, 0) == generation:
                self._opened[collection] = _Opened(index, generation, folder, commit, copy)
        return index


def _open(path: Path | None) -> tantivy.Index:
    """The index in ``path`` (made when missing), or a new one in memory for None."""
    if path is None:
        index = tantivy.Index(_schema())
    else:
        index = tantivy.Index(_schema(), path=str(path), reuse=True)
    index.register_tokenizer(_ANALYZER, _analyzer())
    index.config_reader(reload_policy="manual")
    return index


def _identity(path: Path) -> tuple[tuple[int, int] | None, tuple[int, int, int] | None]:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None, None
    try:
        meta = os.stat(path / "meta.json")
    except FileNotFoundError:
        return (st.st_dev, st.st_ino), None
    return (st.st_dev, st.st_ino), (meta.st_ino, meta.st_mtime_ns, meta.st_size)


def _query(searcher: tantivy.Searcher, stems: list[str]) -> tantivy.Query | None:
    """Any of ``stems``, each weighted by SQLite FTS5's idf, ln((N - n + 0.5) / (n + 0.5))
    floored at 1e-6, instead of tantivy's ln(1 + (N - n + 0.5) / (n + 0.5)): a word in
    half the chunks or more counts for almost nothing, as it did in FTS5 (SciFact train,
    tuning part: keyword nDCG@10 0.6906 with tantivy's idf, 0.6920 with FTS5's, FTS5 itself
    0.6970). None when no chunk holds any of them."""
    n_docs = searcher.num_docs
    clauses = []
    for stem in stems:
        n = searcher.doc_freq("text", stem)
        if n == 0:
            continue
        ratio = (n_docs - n + 0.5) / (n + 0.5)
        boost = max(math.log(ratio), 1e-6) / math.log1p(ratio)
        term = tantivy.Query.term_query(_schema(), "text", stem, index_option="freq")
        clauses.append((tantivy.Occur.Should, tantivy.Query.boost_query(term, boost)))
    return tantivy.Query.boolean_query(clauses) if clauses else None


def _document(
    body: str,
    context: str,
    chunk_id: str,
    document_id: str,
    source: str,
    meta_json: str,
) -> tantivy.Document:
    doc = tantivy.Document()
    doc.add_text("text", f"{context}\n{body}" if context else body)
    doc.add_text("chunk_id", chunk_id)
    doc.add_text("document_id", document_id)
    doc.add_text("source", source)
    doc.add_bytes("body", body.encode("utf-8"))
    doc.add_bytes("meta", meta_json.encode("utf-8"))
    return doc


def _from_chunk(chunk: Document) -> tantivy.Document:
    meta = chunk.metadata
    context = " ".join(x for x in (meta.get(md.TITLE) or "", meta.get(md.HEADING_PATH) or "") if x)
    return _document(
        chunk.page_content,
        context,
        chunk.id or "",
        meta[md.DOCUMENT_ID],
        meta.get(md.SOURCE, ""),
        json.dumps(meta, ensure_ascii=False),
    )


def _any_of(field: str, values: Sequence[str]) -> tantivy.Query:
    """Matches a chunk whose ``field`` is one of ``values``; adds nothing to the score."""
    return tantivy.Query.const_score_query(
        tantivy.Query.term_set_query(_schema(), field, list(values)), 0.0
    )


def _from_legacy(path: Path, legacy: Path) -> tantivy.Index:
    """An index made from an FTS5 file of an older version. In a writable folder it is
    built in ``path`` and the old file removed; in a read-only one it is held in memory."""
    conn = sqlite3.connect(f"file:{legacy}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT body, context, chunk_id, document_id, source, meta FROM chunks")
        docs = [
            _document(body, context or "", chunk_id, document_id, source or "", meta or "{}")
            for body, context, chunk_id, document_id, source, meta in rows
        ]
    finally:
        conn.close()
    if not writable(path.parent):
        index = _open(None)
        _add_all(index, docs)
        return index
    # built beside the collection's folder and renamed into place once committed, so a
    # run stopped halfway leaves the old file in use and the move to do again
    moving = path.with_name(path.name + ".moving")
    shutil.rmtree(moving, ignore_errors=True)
    moving.mkdir(parents=True)
    _add_all(_open(moving), docs)
    moving.rename(path)
    _remove_legacy(legacy)
    log.info("moved the keyword index %s to tantivy (%d chunks)", legacy.name, len(docs))
    return _open(path)


def _add_all(index: tantivy.Index, docs: list[tantivy.Document]) -> None:
    writer = index.writer(heap_size=_WRITER_HEAP_BYTES, num_threads=1)
    for doc in docs:
        writer.add_document(doc)
    writer.commit()
    writer.wait_merging_threads()
    index.reload()


def _remove_legacy(legacy: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(legacy) + suffix).unlink(missing_ok=True)
