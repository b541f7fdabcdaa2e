"""Support-model vectors of the chunks' sentences, embedded once at ingest and kept on disk.

Answering scores every sentence of the retrieved chunks against the question with the
support model; embedding those sentences is most of that stage's time. With
``GROUNDWORK_SENTENCE_VECTORS=ingest`` the writer embeds each chunk's sentences when the
chunk is written, and answering reads their vectors here instead of embedding them.

A vector is stored under a digest of the support model's name and the sentence's text, so
a lookup can never return a vector for other text or another model: what is not found is
embedded at answer time, as without the store. Which sentences a document holds is kept
beside them, so that replacing or deleting a document removes the vectors only it used.
One SQLite file per collection (``<data>/sentences/<collection>.sqlite3``); a vector is
1.5 KB (384 float32 values, exact: answers are the same as when embedding them), kept in
16 KB pages so that ten fit in one.

The store is a cache of what the chunks already hold: a damaged file is deleted when the
writer next touches it and rebuilt as documents are written (the next ingest with the
setting on fills in every unchanged document), so it never stops an ingest or a delete.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import numpy as np
from langchain_core.documents import Document

from retrieval.sentences import is_cached, offsets, remember, split_sentences
from retrieval.sqlite_db import CollectionFiles, damaged, transaction

log = logging.getLogger("groundwork.sentences")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (
    id INTEGER PRIMARY KEY, digest BLOB NOT NULL UNIQUE, vector BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS document_sentences (
    document_id TEXT NOT NULL, digest BLOB NOT NULL, PRIMARY KEY (document_id, digest)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS document_sentences_digest ON document_sentences(digest);
CREATE TABLE IF NOT EXISTS documents (document_id TEXT PRIMARY KEY, content_hash TEXT);
CREATE TABLE IF NOT EXISTS splits (
    document_id TEXT NOT NULL, digest BLOB NOT NULL, bounds BLOB NOT NULL,
    PRIMARY KEY (document_id, digest)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS splits_digest ON splits(digest);
"""

MIN_WORDS = 3  # shorter sentences are never scored (``SupportScorer.min_words``)
_LOOKUP_BATCH = 500  # digests per query, under SQLite's bound-parameter limit

Embed = Callable[[list[str]], np.ndarray]
T = TypeVar("T")


def _rows_of(conn: sqlite3.Connection, table: str, digests: list[bytes], columns: str) -> list:
    """``columns`` of ``table``'s rows among ``digests``, queried in parts."""
    rows: list[tuple] = []
    for i in range(0, len(digests), _LOOKUP_BATCH):
        part = digests[i : i + _LOOKUP_BATCH]
        marks = ",".join("?" * len(part))
        sql = f"SELECT {columns} FROM {table} WHERE digest IN ({marks})"
        rows.extend(conn.execute(sql, part).fetchall())
    return rows


def _vectors_of(conn: sqlite3.Connection, digests: list[bytes], columns: str) -> list[tuple]:
    return _rows_of(conn, "vectors", digests, columns)


def sentence_texts(chunks: Iterable[Document], min_words: int = MIN_WORDS) -> list[str]:
    """The distinct sentences of ``chunks`` that answering would score, in order."""
    seen: dict[str, None] = {}
    for chunk in chunks:
        for span in split_sentences(chunk.page_content):
            if len(span.text.split()) >= min_words:
                seen.setdefault(span.text, None)
    return list(seen)


@lru_cache(maxsize=1)
def _segmenter_version() -> str:
    from importlib.metadata import version

    return version("pysbd")


def _bounds(text: str) -> bytes:
    return np.array(offsets(split_sentences(text)), dtype=np.int32).reshape(-1, 2).tobytes()


def unit_rows(vectors) -> np.ndarray:
    """``vectors`` as float32 rows of length one."""
    arr = np.array(vectors, dtype=np.float32, copy=True, ndmin=2)
    arr /= np.maximum(np.linalg.norm(arr, axis=1, keepdims=True), 1e-12)
    return arr


def embed_sentences(
    embed: Embed, chunks_by_document: Mapping[str, Sequence[Document]]
) -> dict[str, dict[str, np.ndarray]]:
    """Each document's sentences (``sentence_texts``) with their unit vectors, every
    distinct sentence embedded once: what an ingest executor computes beside the chunks'
    vectors, so that the writer stores them without splitting or embedding anything."""
    texts = {doc_id: sentence_texts(chunks) for doc_id, chunks in chunks_by_document.items()}
    distinct = list(dict.fromkeys(t for ts in texts.values() for t in ts))
    vectors = dict(zip(distinct, unit_rows(embed(distinct)), strict=True)) if distinct else {}
    return {doc_id: {t: vectors[t] for t in ts} for doc_id, ts in texts.items()}


class SentenceVectors:
    """Per-collection files of sentence vectors under ``root``, for one support model.

    Thread-safe (one connection per thread and collection). ``embed`` turns texts into
    vectors (rows in order); it is needed only to write."""

    def __init__(self, root: Path, model: str, embed: Embed | None = None) -> None:
        self.root = Path(root)
        self.model = model
        self.embed = embed
        # rows of 1.5 KB: ten fit in a 16 KB page, two in the default 4 KB one
        self._files = CollectionFiles(self.root, _SCHEMA, page_size=16384)

    # --- reading -------------------------------------------------------------------
    def lookup(self, collection: str, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored unit vectors of those ``texts`` that have one."""
        conn = self._conn(collection, create=False)
        if conn is None or not texts:
            return {}
        by_digest = {self.digest(t): t for t in dict.fromkeys(texts)}
        rows = _vectors_of(conn, list(by_digest), "digest, vector")
        return {by_digest[bytes(d)]: np.frombuffer(blob, dtype=np.float32) for d, blob in rows}

    def prime_splits(self, collection: str, texts: Iterable[str]) -> int:
        """Put the stored sentence splits of those chunk ``texts`` that are not in the
        split cache into it (``retrieval.sentences.remember``), so that splitting them is
        a lookup instead of the segmenter's ~10 ms a chunk. Returns how many were put."""
        wanted = {self.split_digest(t): t for t in dict.fromkeys(texts) if not is_cached(t)}
        conn = self._conn(collection, create=False) if wanted else None
        if conn is None:
            return 0
        try:
            rows = _rows_of(conn, "splits", list(wanted), "digest, bounds")
        except sqlite3.Error:  # a damaged file: split as without it
            log.warning("stored sentence splits of %r unreadable", collection, exc_info=True)
            return 0
        primed = set()
        for digest, blob in rows:
            text = wanted[bytes(digest)]
            bounds = np.frombuffer(blob, dtype=np.int32).reshape(-1, 2).tolist()
            if text not in primed and remember(text, [(a, b) for a, b in bounds]):
                primed.add(text)
        return len(primed)

    def covered(self, collection: str) -> dict[str, str | None]:
        """Document id → the content hash its sentences were stored for (none when the
        file was damaged: it is rebuilt)."""

        def read() -> dict[str, str | None]:
            conn = self._conn(collection, create=False)
            if conn is None:
                return {}
            rows = conn.execute("SELECT document_id, content_hash FROM documents").fetchall()
            return dict(rows)

        return self._rebuilding(collection, read)

    def count(self, collection: str) -> int:
        conn = self._conn(collection, create=False)
        return 0 if conn is None else conn.execute("SELECT count(*) FROM vectors").fetchone()[0]

    # --- writing -------------------------------------------------------------------
    def replace_documents(
        self,
        collection: str,
        chunks_by_document: Mapping[str, Sequence[Document]],
        content_hashes: Mapping[str, str | None] | None = None,
        embedded: Mapping[str, Mapping[str, np.ndarray]] | None = None,
    ) -> int:
        """Store the sentences of each document's chunks (embedding those not stored yet)
        in place of what the documents held before. Returns how many were stored anew.

        ``embedded`` (from ``embed_sentences``) gives documents' sentences with their
        vectors already made, for example by the actors of a Ray job: those are stored
        as they are, without splitting or embedding here."""
        if self.embed is None and not embedded:
            raise RuntimeError("SentenceVectors needs an embed function to write")
        return self._rebuilding(
            collection,
            lambda: self._replace(collection, chunks_by_document, content_hashes, embedded or {}),
        )

    def _replace(
        self,
        collection: str,
        chunks_by_document: Mapping[str, Sequence[Document]],
        content_hashes: Mapping[str, str | None] | None,
        embedded: Mapping[str, Mapping[str, np.ndarray]],
    ) -> int:
        conn = self._conn(collection)
        assert conn is not None
        wanted = {
            doc_id: [
                (self.digest(t), t)
                for t in (embedded[doc_id] if doc_id in embedded else sentence_texts(chunks))
            ]
            for doc_id, chunks in chunks_by_document.items()
        }
        made = {t: v for vectors in embedded.values() for t, v in vectors.items()}
        distinct = {d: t for pairs in wanted.values() for d, t in pairs}
        have = {bytes(d) for (d,) in _vectors_of(conn, list(distinct), "digest")}
        missing = [(d, t) for d, t in distinct.items() if d not in have]
        to_embed = [t for _, t in missing if t not in made]
        fresh = dict(zip(to_embed, self._embed_unit(to_embed), strict=True))
        vectors = [made[t] if t in made else fresh[t] for _, t in missing]
        hashes = content_hashes or {}
        # each chunk's sentence offsets, so that searches and answers need not split it
        # again: the chunks were just split above, or by the executor that embedded their
        # sentences (its splits are in the split cache), so this is a lookup
        splits = [
            (doc_id, self.split_digest(c.page_content), _bounds(c.page_content))
            for doc_id, chunks in chunks_by_document.items()
            for c in chunks
        ]
        with transaction(conn):
            for doc_id in wanted:
                self._forget(conn, doc_id)
            conn.executemany(
                "INSERT OR REPLACE INTO vectors (digest, vector) VALUES (?, ?)",
                [
                    (d, np.asarray(v, dtype=np.float32).tobytes())
                    for (d, _), v in zip(missing, vectors, strict=True)
                ],
            )
            for doc_id, pairs in wanted.items():
                conn.executemany(
                    "INSERT OR IGNORE INTO document_sentences (document_id, digest) VALUES (?, ?)",
                    [(doc_id, d) for d, _ in pairs],
                )
                conn.execute(
                    "INSERT OR REPLACE INTO documents (document_id, content_hash) VALUES (?, ?)",
                    (doc_id, hashes.get(doc_id)),
                )
            conn.executemany(
                "INSERT OR REPLACE INTO splits (document_id, digest, bounds) VALUES (?, ?, ?)",
                splits,
            )
        return len(missing)

    def delete_document(self, collection: str, document_id: str) -> None:
        """Forget a document and the vectors no other document uses. Missing is fine."""

        def forget() -> None:
            conn = self._conn(collection, create=False)
            if conn is not None:
                with transaction(conn):
                    self._forget(conn, document_id)

        self._rebuilding(collection, forget)

    def drop_collection(self, collection: str) -> None:
        self._files.drop(collection)

    # --- internals -----------------------------------------------------------------
    def _rebuilding(self, collection: str, operation: Callable[[], T]) -> T:
        """``operation``; if the file turns out damaged, delete it and run it again on a
        new one (the vectors are a cache: the next ingest fills them in)."""
        try:
            return operation()
        except sqlite3.DatabaseError as exc:
            if not damaged(exc):
                raise
            log.warning(
                "the stored sentence vectors of %r are damaged (%s): the file is deleted "
                "and rebuilt as documents are written",
                collection,
                exc,
            )
            self._files.drop(collection)
            return operation()

    def digest(self, text: str) -> bytes:
        return hashlib.blake2b(f"{self.model}\0{text}".encode(), digest_size=16).digest()

    @staticmethod
    def split_digest(text: str) -> bytes:
        """A chunk text's key for its split, which depends on the segmenter's version."""
        key = f"split\0{_segmenter_version()}\0{text}"
        return hashlib.blake2b(key.encode(), digest_size=16).digest()

    def _embed_unit(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        return unit_rows(self.embed(texts))  # type: ignore[misc]

    @staticmethod
    def _forget(conn: sqlite3.Connection, document_id: str) -> None:
        conn.execute(
            """DELETE FROM vectors WHERE digest IN (
                   SELECT digest FROM document_sentences WHERE document_id = ?1
                   EXCEPT
                   SELECT digest FROM document_sentences WHERE document_id != ?1
                       AND digest IN (
                           SELECT digest FROM document_sentences WHERE document_id = ?1))""",
            (document_id,),
        )
        conn.execute("DELETE FROM document_sentences WHERE document_id = ?", (document_id,))
        conn.execute("DELETE FROM documents WHERE document_id = ?", (document_id,))
        conn.execute("DELETE FROM splits WHERE document_id = ?", (document_id,))

    def _conn(self, collection: str, create: bool = True) -> sqlite3.Connection | None:
        return self._files.conn(collection, create)
